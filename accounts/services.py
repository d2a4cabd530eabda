"""Every write of the accounts app: sign-up, accounts, members, invitations, API tokens."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import ROLE_RANK, Account, ApiToken, Invitation, Membership, Role, User
from accounts.signals import account_created
from accounts.tenancy import Tenant

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
    # In the invitee's own language when they already use Hurtlink, else in the inviter's.
    known = User.objects.filter(email__iexact=email).exclude(language="").values_list("language", flat=True)
    language = known.first() or translation.get_language() or settings.LANGUAGE_CODE
    invitation_send.delay_on_commit(invitation.pk, accept_url, language)
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


def _rank(role: str) -> int:
    return ROLE_RANK[Role(role)]


def _lock_member_rows(actor: Tenant, membership: Membership) -> Tenant:
    """Check that ``actor`` may manage ``membership``'s account and lock what the rules read.

    Locks the account's owner rows, the member's row and the actor's own row, in id order (the same
    for every caller, so two owners demoting each other run one after the other), and returns the actor
    with the role read under that lock: a request that began before its actor was demoted acts with
    the new role.
    """
    if actor.account.pk != membership.account_id:
        raise PermissionDenied(_("This member is not in your account."))
    wanted = Q(role=Role.OWNER) | Q(pk=membership.pk)
    if actor.user is not None:
        wanted |= Q(user=actor.user)
    rows = Membership.objects.select_for_update().filter(wanted, account_id=membership.account_id)
    locked = dict(rows.order_by("pk").values_list("user_id", "role"))
    if actor.user is not None:
        if actor.user.pk not in locked:
            raise PermissionDenied(_("You are no longer a member of this account."))
        actor = replace(actor, role=locked[actor.user.pk])
    if not actor.may(roles.MEMBERS, roles.Act.WRITE):
        raise PermissionDenied(_("Only owners and admins manage members."))
    return actor


def _locked_or_gone(membership: Membership) -> Membership:
    fresh = Membership.objects.select_for_update().select_related("user").filter(pk=membership.pk).first()
    if fresh is None:  # removed by someone else a moment ago
        raise ValidationError(_("This person is no longer a member of the account."))
    return fresh


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str, actor: Tenant) -> Membership:
    """Change a member's role, as ``actor`` (a person or a token acting for the account).

    Every way in (pages, REST, /connector.php) goes through here, so the rules hold for all of them:
    admins and owners change roles; only an owner (a person, never a token) makes or unmakes owners;
    nobody raises anyone above their own role; an account keeps at least one owner. PermissionDenied
    for what the actor may not do, ValidationError for a bad role or the last owner. Locks the
    account's owner rows so two owners cannot demote each other at once.
    """
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of: %(roles)s.") % {"roles": ", ".join(Role.values)}})
    actor = _lock_member_rows(actor, membership)
    membership = _locked_or_gone(membership)
    if Role.OWNER in (role, membership.role) and not actor.is_owner:
        raise PermissionDenied(_("Only an owner can make or unmake owners."))
    if _rank(role) > _rank(actor.role):
        raise PermissionDenied(_("You cannot give a role above your own."))
    if role == membership.role:
        return membership
    if membership.role == Role.OWNER and _owners_left(membership.account, membership) == 0:
        raise ValidationError({"role": _("An account must keep at least one owner.")})
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: Tenant, tokens_to: Membership | None = None) -> int:
    """Remove a member, as ``actor``, and deal with the API tokens they made, all or nothing.

    The tokens the member made (directly, or through one of their tokens) are revoked in the same
    transaction — unless an owner hands them to another member with ``tokens_to``, who then answers
    for them (refused if a token's role is above that member's). Only an owner removes an owner; the
    last owner stays. Returns how many tokens were revoked or handed over.
    """
    actor = _lock_member_rows(actor, membership)
    membership = _locked_or_gone(membership)
    if membership.role == Role.OWNER:
        if not actor.is_owner:
            raise PermissionDenied(_("Only an owner can remove an owner."))
        if _owners_left(membership.account, membership) == 0:
            raise ValidationError(_("An account must keep at least one owner."))
    tokens = ApiToken.objects.active().filter(account_id=membership.account_id, created_by=membership.user)
    if tokens_to is not None:
        if not actor.is_owner:
            raise PermissionDenied(_("Only an owner can hand a member's API tokens to someone else."))
        tokens_to = (
            Membership.objects.select_for_update()
            .select_related("user")
            .filter(pk=tokens_to.pk, account_id=membership.account_id)
            .exclude(pk=membership.pk)
            .first()
        )
        if tokens_to is None:
            raise ValidationError({"tokens_to": _("Choose another member of this account.")})
        above = [token.name for token in tokens if _rank(token.role) > _rank(tokens_to.role)]
        if above:
            raise ValidationError(
                {
                    "tokens_to": _("%(member)s cannot hold tokens above their role: %(tokens)s.")
                    % {"member": tokens_to.user, "tokens": ", ".join(above)}
                }
            )
        handled = tokens.update(created_by=tokens_to.user)
    else:
        handled = tokens.update(revoked_at=timezone.now())
    membership.delete()
    return handled


@transaction.atomic
def api_token_create(
    *, account: Account, name: str, role: str = Role.ADMIN, actor: Tenant | None = None
) -> tuple[ApiToken, str]:
    """Create a token; returns it with its secret, which is never stored and cannot be shown again.

    ``actor`` is who asks (None: the system itself, e.g. demo data). The token records the person
    behind it — the actor, or for a token made by a token that token's maker — and is revoked when
    that person leaves the account. A token is at most an admin, and never above the actor's role.
    """
    if role not in (Role.ADMIN, Role.MEMBER):
        raise ValidationError({"role": _("A token can have the admin or member role.")})
    created_by = None
    if actor is not None:
        if actor.account.pk != account.pk:
            raise PermissionDenied(_("Tokens are made for your own account."))
        if _rank(role) > _rank(actor.role):
            raise PermissionDenied(_("A token cannot have a role above yours."))
        created_by = actor.user if actor.user is not None else getattr(actor.token, "created_by", None)
        # The maker's membership row is locked and must still exist: a removal running at the same
        # time either sees this token (and revokes it) or makes this call fail.
        if (
            created_by is not None
            and not Membership.objects.select_for_update().filter(account=account, user=created_by).exists()
        ):
            raise PermissionDenied(_("Whoever stands behind this token has left the account."))
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
                    created_by=created_by,
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


@transaction.atomic
def user_profile_update(*, user: User, full_name: str, language: str, time_zone: str = "") -> User:
    """Save a person's own name, page language (blank: the browser's Accept-Language decides) and time
    zone (blank: the one of the active company's country)."""
    from accounts.time_zones import time_zone_is_known

    errors = {}
    if language and language not in dict(settings.LANGUAGES):
        errors["language"] = _("Choose one of the offered languages.")
    if time_zone and not time_zone_is_known(time_zone):
        errors["time_zone"] = _("Choose one of the offered time zones.")
    if errors:
        raise ValidationError(errors)
    user = User.objects.select_for_update().get(pk=user.pk)
    user.full_name = full_name.strip()
    user.language = language
    user.time_zone = time_zone
    user.save(update_fields=["full_name", "language", "time_zone"])
    return user


def user_language_set(*, user: User, language: str) -> None:
    """The language switcher of a signed-in person: remembered on their profile."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the offered languages.")})
    User.objects.filter(pk=user.pk).update(language=language)
