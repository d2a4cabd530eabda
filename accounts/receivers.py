"""Receivers that keep the accounts rules when rows go away by other roads than the services."""

from __future__ import annotations

from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import timezone

from accounts.models import ApiToken, Membership


@receiver(pre_delete, sender=Membership, dispatch_uid="accounts_revoke_tokens_of_leaving_member")
def revoke_tokens_of_leaving_member(sender, instance: Membership, **kwargs) -> None:
    """A membership deleted without ``membership_remove`` (staff deleting a user, cascades) still takes
    the tokens its person made with it. Runs before Django nulls ``created_by`` on a user's deletion."""
    ApiToken.objects.active().filter(account_id=instance.account_id, created_by_id=instance.user_id).update(
        revoked_at=timezone.now()
    )
