"""Celery tasks of the accounts app: they load by id and call a service."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from accounts import services
from accounts.models import Invitation
from config import formats


@shared_task(acks_late=True, reject_on_worker_lost=True)
def invitation_send(invitation_id: int, accept_url: str, language: str | None = None) -> bool:
    """E-mail an invitation, in ``language`` (default: the site's). Safe to run twice (sends the same
    mail); skips used or deleted invitations."""
    invitation = Invitation.objects.select_related("account", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_open:
        return False
    context = {"invitation": invitation, "accept_url": accept_url, "days": settings.INVITATION_DAYS_VALID}
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language), formats.region_override(invitation.account.country.code):
        send_mail(
            subject=_("You are invited to %(account)s on Hurtlink") % {"account": invitation.account.name},
            message=render_to_string("accounts/email/invitation.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[invitation.email],
        )
    return True


@shared_task(acks_late=True, reject_on_worker_lost=True)
def invitations_expire() -> int:
    """Periodic: delete expired, unaccepted invitations (idempotent)."""
    return services.invitations_expire()
