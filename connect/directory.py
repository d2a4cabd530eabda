"""The public B2B partner directory (Integrations → Publications): a provider's entry, staff
verification, finding a partner, getting in touch, and connection requests.

Services (writes) and selectors (reads) of the directory live here, next to each other because they
share one rule: the directory is the one place where an account reads another account's rows without a
link, and it reads only what a provider chose to publish and staff verified — the entry's **listed
copy**, of a public entry of a live integration (``Publication.objects.listed()``). Everything else
(a draft, an entry waiting for its first verification, a rejected or unpublished one, a private one)
does not exist for other accounts: 404, like an id that was never used.

Joining from the directory is ``connect.services.integration_join`` with a publication instead of a
code: the same window, the same settings and checks. With *approval required* the link waits and a
``ConnectionRequest`` goes to the provider; nothing crosses until it accepts. Messages and requests are
limited per account (``services.WindowLimit``, the mechanism that limits wrong codes); e-mails leave
after the commit through a Celery task.
"""

from __future__ import annotations

import io
import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, CharField, ExpressionWrapper, F, Func, Q, QuerySet
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries import countries as COUNTRIES

from accounts.models import Account
from accounts.tenancy import Tenant
from config.web import site_url
from connect import services
from connect.models import (
    ConnectIntegration,
    ConnectionRequest,
    ContractorLink,
    Industry,
    Publication,
    ServiceType,
)

logger = logging.getLogger("connect")

# A rejected request may be sent again after this long.
REQUEST_COOLDOWN = timedelta(days=1)
# Per account: directory messages ("Get in touch") and connection requests (new and sent again).
MESSAGE_LIMIT = services.WindowLimit("connect:directory-messages", limit=10, window=60 * 60)
REQUEST_LIMIT = services.WindowLimit("connect:directory-requests", limit=10, window=60 * 60)
# The logo: a raster image (PNG, JPEG, GIF or WebP; no SVG, which can carry scripts) of bounded size.
LOGO_MAX_BYTES = 256 * 1024
LOGO_MAX_SIDE = 2000
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
MESSAGE_MAX_LENGTH = 4000

PUBLICATION_FIELDS = (
    "is_public",
    "company_name",
    "description",
    "countries",
    "industries",
    "services",
    "contact_email",
    "website",
    "show_products",
    "approval_required",
    "show_prices",
)
_TEXT_LIMITS = {"company_name": 200, "description": 4000, "contact_email": 254, "website": 200}


# ------------------------------------------------------------------------------------- helpers


def country_codes() -> set[str]:
    """Every ISO 3166-1 alpha-2 code django-countries knows."""
    return {code for code, _name in COUNTRIES}


def country_choices() -> list[tuple[str, str]]:
    """(code, name in the active language), by name."""
    return [(code, str(name)) for code, name in COUNTRIES]


# The alphabets whose order differs from the plain Latin one (Polish: "Łotwa" after "Luksemburg").
_ALPHABETS = {"pl": "aąbcćdeęfghijklłmnńoópqrsśtuvwxyzźż"}
_LATIN = "abcdefghijklmnopqrstuvwxyz"
_NO_DECOMPOSITION = {"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "ß": "s", "æ": "a", "œ": "o"}


def name_sort_key(name: str, language: str | None = None) -> tuple:
    """A key sorting names as readers of ``language`` (the active one) expect: the letters of its
    alphabet in its order, other accented letters with their base letter, case, spaces and punctuation
    only where nothing else differs."""
    alphabet = _ALPHABETS.get((language or translation.get_language() or "en").split("-")[0], _LATIN)
    primary = []
    for char in name.casefold():
        if char not in alphabet:
            char = unicodedata.normalize("NFKD", char)[:1]
            char = _NO_DECOMPOSITION.get(char, char)
        if char in alphabet:
            primary.append(alphabet.index(char))
        elif char.isalnum():
            primary.append(len(alphabet) + ord(char))
    return (primary, name.casefold(), name)


def country_names(codes: list[str]) -> list[str]:
    """The countries' names in the active language, sorted as its readers expect."""
    return sorted((str(COUNTRIES.name(code)) or code for code in codes), key=name_sort_key)


def directory_countries() -> list[tuple[str, str]]:
    """The countries listed entries serve, as (code, name in the active language), sorted by that name:
    what the directory's country filter offers. Reads listed entries only (verified, public, of a live
    integration), whose countries the directory shows anyway."""
    codes = (
        _listed()
        .annotate(code=Func(F("countries"), function="unnest", output_field=CharField()))
        .order_by()
        .values_list("code", flat=True)
        .distinct()
    )
    known = country_codes()
    named = [(code, str(COUNTRIES.name(code))) for code in codes if code in known]
    return sorted(named, key=lambda choice: name_sort_key(choice[1]))


def logo_read(data: bytes) -> tuple[bytes, str]:
    """The logo's bytes and content type, or ValidationError keyed ``logo``: at most LOGO_MAX_BYTES,
    an image Pillow reads as PNG, JPEG, GIF or WebP, each side at most LOGO_MAX_SIDE pixels."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError(
            {"logo": [_("The logo may be at most %(kb)s KB.") % {"kb": LOGO_MAX_BYTES // 1024}]}
        )
    not_an_image = ValidationError({"logo": [_("Upload a PNG, JPEG, GIF or WebP image.")]})
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            width, height = image.size
            if width > LOGO_MAX_SIDE or height > LOGO_MAX_SIDE:
                raise ValidationError(
                    {"logo": [_("The logo may be at most %(px)s × %(px)s pixels.") % {"px": LOGO_MAX_SIDE}]}
                )
            image.verify()  # reads the whole file: a truncated or broken image fails here
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise not_an_image from None
    if kind not in LOGO_FORMATS:
        raise not_an_image
    return data, LOGO_FORMATS[kind]


def _staff(user) -> None:
    if user is None or not getattr(user, "is_staff", False):
        raise PermissionDenied(_("Only staff verify directory entries."))


def _mail(*, to: list[str], subject: str, template: str, context: dict, reply_to: list[str] | None = None):
    """Send an e-mail after the commit (Celery), so a rolled-back write sends nothing."""
    from connect.tasks import connect_mail_send

    recipients = [address for address in to if address]
    if not recipients:
        return
    body = render_to_string(template, {**context, "site": settings.SITE_URL.rstrip("/")})
    connect_mail_send.delay_on_commit(recipients, subject, body, reply_to or [])


def _site(path: str) -> str:
    return site_url(path)


# ------------------------------------------------------------------------- provider: the entry


def publication_for_provider(*, integration: ConnectIntegration) -> Publication | None:
    """The entry of one of the account's provider integrations (None before the first save)."""
    return Publication.objects.filter(integration=integration, account_id=integration.account_id).first()


def publication_initial(*, integration: ConnectIntegration) -> dict[str, Any]:
    """What the Publish tab starts with before the first save: the company's own data."""
    account = integration.account
    return {
        "is_public": False,
        "company_name": account.name,
        "description": "",
        "countries": [str(account.country)] if account.country else [],
        "industries": [],
        "services": [],
        "contact_email": account.email,
        "website": "",
        "show_products": integration.products_enabled,
        "approval_required": False,
        "show_prices": False,
    }


def _publication_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field, limit in _TEXT_LIMITS.items():
        value = values.get(field) or ""
        if not isinstance(value, str) or "\x00" in value:
            errors[field] = [_("Enter text.")]
        elif len(value) > limit:
            errors[field] = [_("At most %(n)s characters.") % {"n": limit}]
    for field, allowed, message in (
        ("countries", country_codes(), _("Choose countries from the list.")),
        ("industries", set(Industry.values), _("Choose industries from the list.")),
        ("services", set(ServiceType.values), _("Choose services from the list.")),
    ):
        chosen = values.get(field) or []
        if not isinstance(chosen, list | tuple) or any(item not in allowed for item in chosen):
            errors[field] = [message]
    email = (values.get("contact_email") or "").strip()
    if email and "contact_email" not in errors:
        try:
            EmailValidator()(email)
        except ValidationError:
            errors["contact_email"] = [_("Enter a valid e-mail address.")]
    website = (values.get("website") or "").strip()
    if website and "website" not in errors:
        try:
            URLValidator(schemes=["http", "https"])(website)
        except ValidationError:
            errors["website"] = [_("Enter the address of your website, starting with https://.")]
    if values.get("is_public"):
        # To go public every required field is filled in.
        required = {
            "company_name": _("Enter the company name to list."),
            "description": _("Describe what you offer your partners."),
            "countries": _("Choose at least one country you serve."),
            "industries": _("Choose at least one industry."),
            "services": _("Choose at least one service."),
            "contact_email": _("Enter the e-mail address partners write to."),
        }
        for field, message in required.items():
            value = values.get(field)
            if field not in errors and not (value.strip() if isinstance(value, str) else value):
                errors[field] = [message]
    return errors


@transaction.atomic
def publication_save(
    *,
    actor: Tenant,
    integration: ConnectIntegration,
    logo: bytes | None = None,
    logo_remove: bool = False,
    **values: Any,
) -> Publication:
    """Save the Publish tab (only what is given changes; ``logo``: new image bytes, checked here).

    Public entries need every required field. Saving a public entry whose name, description or logo
    differs from the listed copy asks staff to verify it (waiting); the listed copy stays in the
    directory until then. An entry rejected and saved again without changing that text stays
    rejected (staff are not asked twice for the same text). A private entry asks nothing. Locks the
    integration row. Admins only."""
    services.require_manager(actor)
    services._alive_own(actor, integration, ConnectIntegration.Role.PROVIDER)
    integration = services._lock_integration(integration)
    publication = Publication.objects.filter(integration=integration, account=actor.account).first()
    if publication is None:
        publication = Publication(account=actor.account, integration=integration)
        current = publication_initial(integration=integration)
    else:
        current = {field: getattr(publication, field) for field in PUBLICATION_FIELDS}
    merged = current | {k: v for k, v in values.items() if k in PUBLICATION_FIELDS}
    for field in ("company_name", "description", "contact_email", "website"):
        if isinstance(merged.get(field), str):
            merged[field] = merged[field].strip()
    for field in ("countries", "industries", "services"):
        if isinstance(merged.get(field), list | tuple):
            merged[field] = sorted(dict.fromkeys(merged[field]))  # unique, stable
    errors = _publication_errors(merged)
    new_logo = new_type = None
    if logo is not None and not logo_remove:
        try:
            new_logo, new_type = logo_read(logo)
        except ValidationError as exc:
            errors |= exc.message_dict
    services._raise(errors)

    before = (publication.company_name, publication.description, bytes(publication.logo or b""))
    was_public = publication.pk is not None and publication.is_public
    for field in PUBLICATION_FIELDS:
        setattr(publication, field, merged[field])
    publication.is_public = bool(merged["is_public"])
    if logo_remove:
        publication.logo, publication.logo_type = None, ""
    elif new_logo is not None:
        publication.logo, publication.logo_type = new_logo, new_type
    text_changed = before != (
        publication.company_name,
        publication.description,
        bytes(publication.logo or b""),
    )
    state = _state_after_save(publication, text_changed=text_changed, became_public=not was_public)
    if state != publication.state or publication.pk is None:
        publication.state = state
        publication.state_changed_at = timezone.now()
        if state != Publication.State.REJECTED:
            publication.rejection_reason = ""
    publication.save()
    if state == Publication.State.WAITING and (text_changed or not was_public):
        logger.info("connect: directory entry %s waits for verification", publication.pk)
    return publication


def _state_after_save(publication: Publication, *, text_changed: bool, became_public: bool) -> str:
    State = Publication.State
    unchanged = not publication.has_changes_to_verify
    if publication.state == State.REJECTED and not text_changed and not (became_public and unchanged):
        return State.REJECTED
    if unchanged:
        return State.VERIFIED
    if publication.is_public:
        return State.WAITING
    return State.DRAFT


# ---------------------------------------------------------------------------------- staff


@transaction.atomic
def publication_verify(*, staff_user, publication: Publication) -> Publication:
    """Staff verify an entry: its working copy becomes the listed copy the directory shows. Only an
    entry waiting for verification can be verified. The provider's contact is told by e-mail."""
    _staff(staff_user)
    publication = publication_listing_take(publication=publication, verified_by=staff_user)
    _mail(
        to=[publication.contact_email],
        subject=_("Your entry “%(name)s” is in the partner directory") % {"name": publication.listed_name},
        template="connect/email/publication_verified.txt",
        context={"publication": publication, "url": _publish_url(publication)},
    )
    return publication


@transaction.atomic
def publication_listing_take(*, publication: Publication, verified_by=None) -> Publication:
    """The verification itself: the working copy of an entry waiting for verification becomes its
    listed copy. Staff go through ``publication_verify``; the demo data, which has no staff, calls
    this for its own wholesaler."""
    publication = Publication.objects.select_for_update().get(pk=publication.pk)
    if publication.state != Publication.State.WAITING:
        raise ValidationError(_("Only entries waiting for verification can be verified."))
    now = timezone.now()
    publication.listed_name = publication.company_name
    publication.listed_description = publication.description
    publication.listed_logo = publication.logo
    publication.listed_logo_type = publication.logo_type
    publication.listed_at = publication.listed_at or now
    publication.state = Publication.State.VERIFIED
    publication.state_changed_at = now
    publication.rejection_reason = ""
    publication.verified_by = verified_by
    publication.save()
    logger.info(
        "connect: directory entry %s verified by %s",
        publication.pk,
        f"staff {verified_by.pk}" if verified_by else "the system",
    )
    return publication


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why, so the provider can fix it.")]})
    if len(reason) > 2000 or "\x00" in reason:
        raise ValidationError({"reason": [_("At most 2000 characters.")]})
    return reason


@transaction.atomic
def publication_reject(*, staff_user, publication: Publication, reason: str) -> Publication:
    """Staff reject what waits for verification, with a reason the provider sees on its Publish tab.
    A listed copy (an earlier verified text) stays listed."""
    _staff(staff_user)
    reason = _reason(reason)
    publication = Publication.objects.select_for_update().get(pk=publication.pk)
    if publication.state != Publication.State.WAITING:
        raise ValidationError(_("Only entries waiting for verification can be rejected."))
    publication.state = Publication.State.REJECTED
    publication.rejection_reason = reason
    publication.state_changed_at = timezone.now()
    publication.save(update_fields=["state", "rejection_reason", "state_changed_at", "updated_at"])
    logger.info("connect: directory entry %s rejected by staff %s", publication.pk, staff_user.pk)
    _mail(
        to=[publication.contact_email],
        subject=_("Your directory entry was not accepted"),
        template="connect/email/publication_rejected.txt",
        context={"publication": publication, "url": _publish_url(publication)},
    )
    return publication


@transaction.atomic
def publication_unpublish(*, staff_user, publication: Publication, reason: str) -> Publication:
    """Staff take an entry out of the directory at once (the listed copy is dropped); the provider
    sees the reason, and may fix the entry and ask again."""
    _staff(staff_user)
    reason = _reason(reason)
    publication = Publication.objects.select_for_update().get(pk=publication.pk)
    publication.listed_name = ""
    publication.listed_description = ""
    publication.listed_logo = None
    publication.listed_logo_type = ""
    publication.listed_at = None
    publication.state = Publication.State.REJECTED
    publication.rejection_reason = reason
    publication.state_changed_at = timezone.now()
    publication.save()
    logger.info("connect: directory entry %s unpublished by staff %s", publication.pk, staff_user.pk)
    return publication


def _publish_url(publication: Publication) -> str:
    return _site(reverse("connect:provider-publish", args=[publication.integration_id]))


# ----------------------------------------------------------------------- the directory (reads)


def _listed() -> QuerySet[Publication]:
    # The blobs stay in the database: lists and pages ask the logo route for them.
    return (
        Publication.objects.listed()
        .defer("logo", "listed_logo")
        .annotate(has_logo=ExpressionWrapper(Q(listed_logo__isnull=False), output_field=BooleanField()))
        .select_related("integration")
    )


def directory_list(
    *,
    search: str = "",
    countries: list[str] | tuple[str, ...] = (),
    industries: list[str] | tuple[str, ...] = (),
    services: list[str] | tuple[str, ...] = (),
) -> QuerySet[Publication]:
    """The directory, for any signed-in account: listed entries only (verified, public, of a live
    integration), filtered by the listed name (``search``) and by any of the chosen countries,
    industries and services; by name."""
    queryset = _listed()
    search = (search or "").replace("\x00", "").strip()
    if search:
        queryset = queryset.filter(listed_name__icontains=search)
    if countries:
        queryset = queryset.filter(countries__overlap=list(countries))
    if industries:
        queryset = queryset.filter(industries__overlap=list(industries))
    if services:
        queryset = queryset.filter(services__overlap=list(services))
    return queryset.order_by("listed_name", "id")


def directory_get(*, pk: int) -> Publication:
    """One listed entry; Http404 for a draft, one waiting for its first verification, a rejected,
    unpublished or private one, a deleted integration's, and an id never used, alike."""
    publication = _listed().filter(pk=pk).first()
    if publication is None:
        raise Http404
    return publication


def directory_logo(*, pk: int) -> tuple[bytes, str]:
    """The listed logo of a listed entry (bytes, content type); Http404 otherwise."""
    row = (
        Publication.objects.listed()
        .filter(pk=pk, listed_logo__isnull=False)
        .values_list("listed_logo", "listed_logo_type")
        .first()
    )
    if row is None:
        raise Http404
    return bytes(row[0]), row[1]


@dataclass(frozen=True)
class DirectoryRelation:
    """How the viewing account stands with an entry: its own, connected (and how), or a stranger."""

    own: bool
    link: ContractorLink | None
    integration_id: int | None  # the viewer's contractor integration, to open it
    request: ConnectionRequest | None


def directory_relation(*, account: Account, publication: Publication) -> DirectoryRelation:
    """The viewer's own link with the entry's integration (its own rows only), for the buttons."""
    if publication.account_id == account.pk:
        return DirectoryRelation(own=True, link=None, integration_id=None, request=None)
    link = (
        ContractorLink.objects.connected()
        .filter(contractor_account=account, provider_integration_id=publication.integration_id)
        .first()
    )
    request = None
    if link is not None:
        request = ConnectionRequest.objects.filter(link=link, contractor_account=account).first()
    return DirectoryRelation(
        own=False,
        link=link,
        integration_id=link.contractor_integration_id if link else None,
        request=request,
    )


def directory_connected_ids(*, account: Account, publications: list[Publication]) -> dict[int, int]:
    """For a page of entries: entry id → the viewer's contractor integration id, where connected."""
    integration_ids = {p.integration_id: p.pk for p in publications}
    rows = (
        ContractorLink.objects.connected()
        .filter(contractor_account=account, provider_integration_id__in=list(integration_ids))
        .values_list("provider_integration_id", "contractor_integration_id")
    )
    return {integration_ids[provider]: contractor for provider, contractor in rows}


# ------------------------------------------------------------------------ getting in touch


def _account_keys(limit: services.WindowLimit, actor: Tenant) -> list[str]:
    return limit.keys(f"account:{actor.account.pk}")


def directory_message_send(*, actor: Tenant, publication: Publication, reply_to: str, message: str) -> None:
    """*Get in touch*: e-mail the entry's contact address with the message, the sender's account and
    reply address (set as Reply-To). At most MESSAGE_LIMIT messages per account within its window
    (RateLimited). Only to listed entries, never to the account's own. Admins only."""
    services.require_manager(actor)
    publication = directory_get(pk=publication.pk)
    if publication.account_id == actor.account.pk:
        raise ValidationError({"message": [_("This is your own account's entry.")]})
    errors: dict[str, list[str]] = {}
    message = (message or "").strip()
    if not message:
        errors["message"] = [_("Write your message.")]
    elif len(message) > MESSAGE_MAX_LENGTH or "\x00" in message:
        errors["message"] = [_("At most %(n)s characters.") % {"n": MESSAGE_MAX_LENGTH}]
    reply_to = (reply_to or "").strip()
    try:
        EmailValidator()(reply_to)
    except ValidationError:
        errors["reply_to"] = [_("Enter the e-mail address the partner should answer to.")]
    services._raise(errors)
    keys = _account_keys(MESSAGE_LIMIT, actor)
    if MESSAGE_LIMIT.reached(keys):
        raise services.RateLimited(
            MESSAGE_LIMIT.window,
            _("Your account has sent many messages. Try again in an hour."),
            field="message",
        )
    MESSAGE_LIMIT.count(keys)
    account = actor.account
    _mail(
        to=[publication.contact_email],
        reply_to=[reply_to],
        subject=_("%(account)s contacted you through the Hurtlink partner directory")
        % {"account": account.name},
        template="connect/email/directory_message.txt",
        context={
            "publication": publication,
            "account": account,
            "sender": actor.actor_label,
            "reply_to": reply_to,
            "message": message,
        },
    )
    logger.info("connect: directory message from account %s to entry %s", actor.account.pk, publication.pk)


# --------------------------------------------------------------------------- joining, requests


def publication_offer(*, actor: Tenant, publication: Publication, lock: bool = False) -> services.CodeOffer:
    """What a listed entry's integration offers the actor's account — the join window's header, as
    ``code_verify`` gives it for a code. An entry no longer listed is "does not exist" (keyed
    ``publication``); the account's own entry and an integration it is already connected with are
    refused like with a code. ``lock``: hold the entry while joining. Admins only."""
    services.require_manager(actor)
    queryset = Publication.objects.listed().filter(pk=publication.pk)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    found = queryset.select_related("integration", "integration__account").first()
    if found is None:
        raise ValidationError({"publication": [_("This directory entry does not exist.")]})
    return services.offer_check(
        actor=actor,
        provider=found.integration,
        approval_required=found.approval_required,
        field="publication",
    )


def request_limit_check(*, actor: Tenant) -> None:
    """RateLimited when the account has sent REQUEST_LIMIT requests within the window."""
    if REQUEST_LIMIT.reached(_account_keys(REQUEST_LIMIT, actor)):
        raise services.RateLimited(
            REQUEST_LIMIT.window,
            _("Your account has sent many connection requests. Try again in an hour."),
            field="publication",
        )


def request_resend_after(*, account: Account, provider_integration_id: int) -> datetime | None:
    """When the account may ask this provider integration again after its last rejection (None: now)."""
    last = (
        ConnectionRequest.objects.filter(
            contractor_account=account,
            provider_integration_id=provider_integration_id,
            state=ConnectionRequest.State.REJECTED,
        )
        .order_by("-answered_at")
        .values_list("answered_at", flat=True)
        .first()
    )
    if last is None or last + REQUEST_COOLDOWN <= timezone.now():
        return None
    return last + REQUEST_COOLDOWN


def request_create(*, actor: Tenant, link: ContractorLink) -> ConnectionRequest:
    """Ask the provider to accept ``link`` (the contractor's, awaiting approval). Refused during the
    cool-down after a rejection and while another request of the account to the same integration
    waits (a unique constraint decides). Counts toward REQUEST_LIMIT; e-mails the provider's contact
    after the commit. Runs inside the caller's transaction."""
    after = request_resend_after(account=actor.account, provider_integration_id=link.provider_integration_id)
    if after is not None:
        raise ValidationError(
            {
                "publication": [
                    _("Your last request was rejected. You can send it again after %(when)s.")
                    % {"when": timezone.localtime(after).strftime("%Y-%m-%d %H:%M")}
                ]
            }
        )
    try:
        with transaction.atomic():
            request = ConnectionRequest.objects.create(
                link=link,
                provider_integration_id=link.provider_integration_id,
                provider_account_id=link.provider_account_id,
                contractor_account=actor.account,
                requested_by=services._user(actor),
            )
    except IntegrityError:
        raise ValidationError(
            {"publication": [_("Your request is already waiting for the partner's answer.")]}
        ) from None
    REQUEST_LIMIT.count(_account_keys(REQUEST_LIMIT, actor))
    publication = Publication.objects.filter(
        integration_id=link.provider_integration_id, account_id=link.provider_account_id
    ).first()
    if publication is not None:
        _mail(
            to=[publication.contact_email],
            subject=_("%(account)s asks to connect with you") % {"account": actor.account.name},
            template="connect/email/request_new.txt",
            context={
                "account": actor.account,
                "url": _site(reverse("connect:provider-contractors", args=[link.provider_integration_id])),
            },
        )
    return request


@transaction.atomic
def request_resend(*, actor: Tenant, integration: ConnectIntegration) -> ConnectionRequest:
    """The contractor asks again (its integration still awaits approval, the cool-down is over).
    Admins only."""
    services.require_manager(actor)
    services._alive_own(actor, integration, ConnectIntegration.Role.CONTRACTOR)
    link = (
        ContractorLink.objects.select_for_update(of=("self",))
        .filter(contractor_integration=integration, contractor_account=actor.account)
        .first()
    )
    if (
        link is None
        or link.disconnected_at is not None
        or link.state != ContractorLink.State.AWAITING_APPROVAL
    ):
        raise ValidationError({"publication": [_("This connection is not waiting for approval.")]})
    request_limit_check(actor=actor)
    return request_create(actor=actor, link=link)


def pending_request_list(
    *, account: Account, integration: ConnectIntegration | None = None
) -> QuerySet[ConnectionRequest]:
    """The account's incoming requests waiting for an answer (all its integrations, or one)."""
    queryset = ConnectionRequest.objects.filter(
        provider_account=account, state=ConnectionRequest.State.PENDING
    ).select_related("contractor_account", "provider_integration", "link")
    if integration is not None:
        queryset = queryset.filter(provider_integration=integration)
    return queryset.order_by("created_at", "id")


def request_list_for_provider(*, account: Account) -> QuerySet[ConnectionRequest]:
    """Every request the account received, newest first (REST API)."""
    return ConnectionRequest.objects.filter(provider_account=account).select_related(
        "contractor_account", "link"
    )


def request_get_for_provider(
    *, account: Account, pk: int, integration_pk: int | None = None
) -> ConnectionRequest:
    """One request the account received (of one of its integrations); Http404 otherwise."""
    queryset = ConnectionRequest.objects.filter(pk=pk, provider_account=account)
    if integration_pk is not None:
        queryset = queryset.filter(provider_integration_id=integration_pk)
    request = queryset.select_related("contractor_account", "link").first()
    if request is None:
        raise Http404
    return request


def request_latest_for_contractor(*, link: ContractorLink) -> ConnectionRequest | None:
    """The last request the contractor sent for its link (its own row), if any. Uses the link's
    ``request_list`` when a list loaded it (``selectors.contractor_integrations_with_links``)."""
    loaded = getattr(link, "request_list", None)
    if loaded is not None:
        return loaded[0] if loaded else None
    return ConnectionRequest.objects.filter(
        link=link, contractor_account_id=link.contractor_account_id
    ).first()


def request_settle(
    *, link: ContractorLink, accepted: bool, actor: Tenant | None, message: str = ""
) -> ConnectionRequest | None:
    """Close the link's pending request, if any, as accepted or rejected, and tell the contractor
    (e-mail after the commit; its page shows it). Called by ``request_answer`` and when the provider
    activates or blocks an awaiting contractor from its page. Runs inside the caller's transaction."""
    request = (
        ConnectionRequest.objects.select_for_update(of=("self",))
        .filter(
            link=link, provider_account_id=link.provider_account_id, state=ConnectionRequest.State.PENDING
        )
        .select_related("requested_by", "contractor_account", "provider_integration__account")
        .first()
    )
    if request is None:
        return None
    request.state = ConnectionRequest.State.ACCEPTED if accepted else ConnectionRequest.State.REJECTED
    request.answer_message = message
    request.answered_at = timezone.now()
    request.answered_by = services.actor_stored(actor)
    request.save(update_fields=["state", "answer_message", "answered_at", "answered_by"])
    requester = request.requested_by
    provider_name = request.provider_integration.account.name
    _mail(
        to=[requester.email if requester else request.contractor_account.email],
        subject=(
            _("%(provider)s accepted your connection request")
            if accepted
            else _("%(provider)s did not accept your connection request")
        )
        % {"provider": provider_name},
        template="connect/email/request_answered.txt",
        context={
            "request": request,
            "accepted": accepted,
            "provider": provider_name,
            "cooldown_hours": int(REQUEST_COOLDOWN.total_seconds() // 3600),
            "url": _site(reverse("connect:supplier-detail", args=[link.contractor_integration_id])),
        },
    )
    return request


@transaction.atomic
def request_answer(
    *, actor: Tenant, request: ConnectionRequest, accept: bool, message: str = ""
) -> ConnectionRequest:
    """The provider accepts (the contractor's link becomes active: products and orders cross from
    now) or rejects (the link keeps waiting; the contractor may ask again after the cool-down) a
    pending request, with an optional message the contractor reads. Admins only."""
    services.require_manager(actor)
    if request.provider_account_id != actor.account.pk:
        raise Http404
    message = (message or "").strip()
    if len(message) > 2000 or "\x00" in message:
        raise ValidationError({"message": [_("At most 2000 characters.")]})
    link = services._provider_link(actor, request.link, lock=True)
    current = ConnectionRequest.objects.filter(pk=request.pk, provider_account=actor.account).first()
    if current is None or current.state != ConnectionRequest.State.PENDING:
        raise ValidationError(_("This request has been answered already."))
    settled = request_settle(link=link, accepted=accept, actor=actor, message=message)
    if accept:
        services.contractor_set_state(actor=actor, link=link, state=ContractorLink.State.ACTIVE)
    return settled


def requests_withdraw(*, link: ContractorLink) -> None:
    """The contractor left (or the provider deleted its integration): its pending request goes."""
    ConnectionRequest.objects.filter(
        link=link, contractor_account_id=link.contractor_account_id, state=ConnectionRequest.State.PENDING
    ).update(state=ConnectionRequest.State.WITHDRAWN, answered_at=timezone.now())
