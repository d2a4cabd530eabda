"""Every write of the accounts app: sign-up, accounts, members, invitations, API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account, ApiToken, Invitation, Membership, Role, User
from accounts.signals import account_created

ACCOUNT_FIELDS = (
    "name",
    "vat_number",
    "street",
    "postcode",
    "city",
    "country",
    "default_currency",
    "email",
    "phone",
)


@transaction.atomic
def account_create(*, owner: User, name: str, country: str, default_currency: str, **company) -> Account:
    """Create an account with ``owner`` as its owner and every app's defaults, all or nothing."""
    account = Account.objects.create(name=name, country=country, default_currency=default_currency, **company)
    Membership.objects.create(user=owner, account=account, role=Role.OWNER)
    account_created.send(sender=Account, account=account)
    return account


@transaction.atomic
def user_signup(
    *, email: str, password: str, full_name: str, company_name: str, country: str, default_currency: str
) -> tuple[User, Account]:
    """Create a user and their own account, the user as owner. ValidationError on a taken e-mail."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("An account with this e-mail address already exists.")})
    user = User.objects.create_user(email=email, password=password, full_name=full_name)
    account = account_create(
        owner=user, name=company_name, country=country, default_currency=default_currency
    )
    return user, account


@transaction.atomic
def account_update(*, account: Account, **fields) -> Account:
    """Change the company data of ``account``; only the company fields may be given."""
    unknown = set(fields) - set(ACCOUNT_FIELDS)
    if unknown:
        raise ValueError(f"Not account fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(account, name, value)
    account.full_clean()
    account.save(update_fields=list(fields))
    return account


def _hash(raw: str) -> str:
    return ApiToken.hash_secret(raw)


@transaction.atomic
def invitation_create(*, account: Account, email: str, role: str, invited_by: User) -> Invitation:
    """Invite ``email`` into ``account``; the e-mail is sent by a task after commit.

    Refuses people who are already members. A second invitation to the same address replaces the
    first (the old link stops working).
    """
    email = email.strip().lower()
    if role not in (Role.ADMIN, Role.MEMBER):
        raise ValidationError({"role": _("Invite as an admin or a member.")})
    if Membership.objects.filter(account=account, user__email__iexact=email).exists():
        raise ValidationError(
            {"email": _("%(email)s is already a member of this account.") % {"email": email}}
        )
    Invitation.objects.filter(account=account, email__iexact=email, accepted_at__isnull=True).delete()
    raw = "inv_" + secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        account=account,
        email=email,
        role=role,
        key_hash=_hash(raw),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS_VALID),
    )
    from accounts.tasks import invitation_send

    accept_url = settings.SITE_URL.rstrip("/") + reverse("invitation-accept", args=[raw])
    invitation_send.delay_on_commit(invitation.pk, accept_url)
    invitation.raw_key = raw  # only on this instance, for the caller; never stored
    return invitation


def invitation_by_key(raw: str) -> Invitation | None:
    """The open invitation behind a link, or None (unknown, used or expired)."""
    invitation = Invitation.objects.select_related("account").filter(key_hash=_hash(raw)).first()
    if invitation is None or not invitation.is_open:
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Make ``user`` a member of the invitation's account. The invitation is used up."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(_("This invitation has expired or was already used."))
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            _("This invitation is for %(email)s; sign in with that address to accept it.")
            % {"email": invitation.email}
        )
    membership, _created = Membership.objects.get_or_create(
        user=user, account=invitation.account, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


@transaction.atomic
def invitation_signup(*, invitation: Invitation, password: str, full_name: str) -> User:
    """Create the invited person's user (no account of their own) and accept the invitation."""
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(_("A user with this e-mail already exists; sign in to accept the invitation."))
    user = User.objects.create_user(email=invitation.email, password=password, full_name=full_name)
    invitation_accept(invitation=invitation, user=user)
    return user


def invitations_expire() -> int:
    """Delete invitations that were never accepted and have expired. Returns how many."""
    deleted, _detail = Invitation.objects.filter(
        accepted_at__isnull=True, expires_at__lte=timezone.now()
    ).delete()
    return deleted


def _owners_left(account: Account, excluding: Membership) -> int:
    return Membership.objects.filter(account=account, role=Role.OWNER).exclude(pk=excluding.pk).count()


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str, acting: Membership | None = None) -> Membership:
    """Change a member's role. Only an owner may make or unmake owners; an account keeps an owner."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    touches_owner = Role.OWNER in (role, membership.role)
    if touches_owner and acting is not None and acting.role != Role.OWNER:
        raise ValidationError({"role": _("Only an owner can make or unmake owners.")})
    if (
        membership.role == Role.OWNER
        and role != Role.OWNER
        and _owners_left(membership.account, membership) == 0
    ):
        raise ValidationError({"role": _("An account must keep at least one owner.")})
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, acting: Membership | None = None) -> None:
    """Remove a member. The last owner cannot be removed; only an owner removes an owner."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == Role.OWNER:
        if acting is not None and acting.role != Role.OWNER:
            raise ValidationError(_("Only an owner can remove an owner."))
        if _owners_left(membership.account, membership) == 0:
            raise ValidationError(_("An account must keep at least one owner."))
    membership.delete()


@transaction.atomic
def api_token_create(
    *, account: Account, name: str, role: str = Role.ADMIN, created_by=None
) -> tuple[ApiToken, str]:
    """Create a token; returns it with its secret, which is never stored and cannot be shown again."""
    if role == Role.OWNER:
        raise ValidationError({"role": _("A token can have the admin or member role.")})
    for _attempt in range(3):
        raw = ApiToken.generate_secret()
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    account=account,
                    name=name,
                    role=role,
                    key_hash=ApiToken.hash_secret(raw),
                    hint=raw[: len(ApiToken.PREFIX) + 6],
                    created_by=created_by if getattr(created_by, "pk", None) else None,
                )
            return token, raw
        except IntegrityError:  # a hash collision is astronomically unlikely; try a fresh secret
            continue
    raise RuntimeError("Could not create a unique token.")


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token at once; revoking twice changes nothing."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=token.revoked_at)
    return token
