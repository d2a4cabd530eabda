"""Every write of Connect: integrations and their codes, joining, settings, contractors, trade credit,
status mappings.

Each service takes the ``actor`` (an ``accounts.tenancy.Tenant``: who acts, for which account, with
which role) and decides here what that actor may do, so the pages, the REST API and the
BaseLinker-compatible API obey the same rules: owners and admins change things, members only look.
Every service runs in one transaction. Errors a user can cause are ``ValidationError`` keyed by field
(settings of the two provider sections are keyed ``orders.<field>`` and ``sharing.<field>``);
missing rights are ``django.core.exceptions.PermissionDenied`` (403); rows of another account are
"does not exist" (404), exactly like rows that do not exist.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext
from django_countries import countries

from accounts import roles
from accounts.models import CURRENCY_CHOICES, Account, Role
from accounts.roles import Act
from accounts.tenancy import Tenant, require_role
from catalog.bulk import product_link_remove
from catalog.models import Category, ExtraField, Inventory, PriceGroup, Product, ProductLink, Tag, Warehouse
from changes.origin import Origin
from config.stored_messages import Message, Money, Stored
from connect import codes, selectors, sync
from connect.models import (
    AdditionalInfo,
    ConnectIntegration,
    ConnectionCode,
    ContractorLink,
    ContractorSettings,
    CreditEntry,
    LinkEvent,
    ProviderOrderSettings,
    ProviderSharingSettings,
    StatusMapping,
)
from connect.shared_catalog import LINK_STORAGE, shared_catalog_get, shared_products
from orders.models import Order, OrderSource, OrderStatus

logger = logging.getLogger("connect")
# Wrong codes, refused attempts: a separate logger so operators can route them (fail2ban, alerts).
code_logger = logging.getLogger("connect.codes")

# Wrong codes allowed within the window per user (or API token), and per client address: higher, as
# a whole office may share one address and one person's typos must not lock out a colleague.
CODE_FAILURE_LIMIT = 10
CODE_ADDRESS_FAILURE_LIMIT = 50
CODE_ATTEMPTS_SHOWN = 3  # "n attempts left" from this many on
CODE_FAILURE_WINDOW = 60 * 60

ORDER_SETTINGS_FIELDS = (
    "target_status",
    "payment",
    "shipments",
    "delivery_cost",
    "overwrite_name",
    "overwrite_price",
    "overwrite_tax_rate",
    "overwrite_weight",
    "match_inventory",
    "source_warehouse",
    "price_group",
    "omit_unmatched",
    "additional_info",
)
SHARING_SETTINGS_FIELDS = (
    "inventory",
    "category_mode",
    "categories",
    "tags",
    "language",
    "source_warehouse",
    "price_group",
    "descriptions",
    "parameters",
    "images",
    "extra_fields",
)
SHARING_M2M = ("categories", "tags", "extra_fields")
CONTRACTOR_ORDER_FIELDS = (
    "hide_prices",
    "overwrite_invoice",
    "invoice_fullname",
    "invoice_company",
    "invoice_nip",
    "invoice_address",
    "invoice_city",
    "invoice_postcode",
    "invoice_country_code",
    "forwarding",
    "additional_info",
)
CONTRACTOR_PRODUCT_FIELDS = (
    "price_multiplier",
    "quantity_subtract",
    "quantity_keep_percent",
    "price_sync",
    "price_group",
    "stock_sync",
    "warehouse",
)
CONTRACTOR_SETTINGS_FIELDS = CONTRACTOR_ORDER_FIELDS + CONTRACTOR_PRODUCT_FIELDS
LINK_FIELDS = ("name", "range_mode", "price_group")
LINK_M2M = ("range_categories", "range_tags", "range_products")
CREDIT_FIELDS = ("credit_limit", "credit_currency", "credit_notes", "block_stock_below")


def _no_such_code() -> str:
    # One answer for a code that never existed, an old regenerated code and a deleted integration's code.
    return _("There is no such connection code. Check it and try again.")


class RateLimited(ValidationError):
    """Too many attempts of something limited per user, account or address; nothing was done."""

    def __init__(self, retry_after: int, message: str, field: str = "__all__"):
        self.retry_after = retry_after
        super().__init__({field: [message]})


class TooManyCodeAttempts(RateLimited):
    """Too many wrong codes from this user or address; the code was not even looked at."""

    def __init__(self, retry_after: int):
        super().__init__(
            retry_after,
            _("Too many wrong codes. Try again in %(minutes)s minutes.")
            % {"minutes": max(1, retry_after // 60)},
            field="code",
        )


@dataclass(frozen=True)
class WindowLimit:
    """At most ``limit`` counted events per key within a fixed window (in the cache, i.e. Redis).

    The first event of a key starts its window; later ones only count. Keys name who is limited
    (``user:7``, ``ip:10.0.0.1``, ``account:3``) under the limit's ``prefix``; an attempt is refused
    when any of its keys has reached the limit. Used for wrong connection codes, directory messages
    and connection requests.
    """

    prefix: str
    limit: int
    window: int  # seconds

    def keys(self, *whom: str) -> list[str]:
        return [f"{self.prefix}:{who}" for who in whom if who]

    def reached(self, keys: list[str]) -> bool:
        counts = cache.get_many(keys)
        return max((int(v) for v in counts.values()), default=0) >= self.limit

    def count(self, keys: list[str]) -> None:
        for key in keys:
            if not cache.add(key, 1, timeout=self.window):
                try:
                    cache.incr(key)
                except ValueError:  # expired between add and incr
                    cache.add(key, 1, timeout=self.window)

    def reset(self, keys: list[str]) -> None:
        cache.delete_many(keys)


CODE_FAILURES = WindowLimit("connect:code-failures", CODE_FAILURE_LIMIT, CODE_FAILURE_WINDOW)


# ------------------------------------------------------------------------------------------ roles


def can_manage(actor: Tenant | None) -> bool:
    """Owners and admins create integrations, regenerate codes and edit contractors and credit."""
    return actor is not None and actor.has_role(Role.ADMIN)


def require_manager(actor: Tenant | None) -> None:
    """PermissionDenied unless ``actor`` may change Connect settings of its account."""
    require_role(actor, Role.ADMIN)


def _own(actor: Tenant, obj, field: str = "account_id") -> None:
    """A row passed in must belong to the actor's account; anything else is "does not exist" (404)."""
    if getattr(obj, field) != actor.account.pk:
        raise Http404


def _user(actor: Tenant):
    return actor.user if actor.user is not None and getattr(actor.user, "pk", None) else None


def actor_stored(actor: Tenant | None) -> Stored:
    """Who did it, as history rows keep it: a person's name as it is, an API token as an untranslated
    message ("API token “shop”"), so each reader reads it in their language (like change origins)."""
    return Origin.of_tenant(actor).label if actor is not None else ""


def _event(link: ContractorLink, kind: str, actor: Tenant | None, **data: Any) -> None:
    LinkEvent.objects.create(link=link, kind=kind, actor=actor_stored(actor), data=data)


# ----------------------------------------------------------------------------------- validation


_DOES_NOT_EXIST = {
    OrderStatus: gettext_lazy("This status does not exist."),
    Inventory: gettext_lazy("This catalog does not exist."),
    Warehouse: gettext_lazy("This warehouse does not exist."),
    PriceGroup: gettext_lazy("This price group does not exist."),
    Category: gettext_lazy("This category does not exist."),
    Tag: gettext_lazy("This tag does not exist."),
    ExtraField: gettext_lazy("This extra field does not exist."),
    Product: gettext_lazy("This product does not exist."),
    Order: gettext_lazy("This order does not exist."),
}


def _does_not_exist(model) -> str:
    """The one answer for an id that is missing and an id of another account."""
    return str(_DOES_NOT_EXIST[model])


def _check_owned(errors: dict, key: str, value, model, account: Account) -> None:
    if value is not None and (not isinstance(value, model) or value.account_id != account.pk):
        errors[key] = [_does_not_exist(model)]


def _check_owned_many(errors: dict, key: str, values, model, account: Account) -> None:
    for value in values or ():
        if not isinstance(value, model) or value.account_id != account.pk:
            errors[key] = [_does_not_exist(model)]
            return


def _check_additional_info(errors: dict, key: str, values) -> None:
    allowed = set(AdditionalInfo.values)
    if any(value not in allowed for value in values or ()):
        errors[key] = [_("Choose among: %(choices)s.") % {"choices": ", ".join(AdditionalInfo.values)}]


def _validate_order_settings(account: Account, values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    status = values.get("target_status")
    if status is None:
        errors["orders.target_status"] = [_("Choose the status forwarded orders get.")]
    _check_owned(errors, "orders.target_status", status, OrderStatus, account)
    _check_owned(errors, "orders.match_inventory", values.get("match_inventory"), Inventory, account)
    _check_owned(errors, "orders.source_warehouse", values.get("source_warehouse"), Warehouse, account)
    _check_owned(errors, "orders.price_group", values.get("price_group"), PriceGroup, account)
    if values.get("payment") not in ProviderOrderSettings.Payment.values:
        errors["orders.payment"] = [_("Choose paid, unpaid or as in the source order.")]
    if values.get("delivery_cost") not in ProviderOrderSettings.DeliveryCost.values:
        errors["orders.delivery_cost"] = [_("Choose copied or always 0.")]
    _check_additional_info(errors, "orders.additional_info", values.get("additional_info"))
    return errors


def _validate_sharing_settings(account: Account, values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    inventory = values.get("inventory")
    if inventory is None:
        errors["sharing.inventory"] = [_("Choose the catalog to share.")]
    _check_owned(errors, "sharing.inventory", inventory, Inventory, account)
    inventory_ok = "sharing.inventory" not in errors
    warehouse = values.get("source_warehouse")
    if warehouse is None:
        errors["sharing.source_warehouse"] = [_("Choose the warehouse whose stock contractors see.")]
    _check_owned(errors, "sharing.source_warehouse", warehouse, Warehouse, account)
    _check_owned(errors, "sharing.price_group", values.get("price_group"), PriceGroup, account)
    _check_owned_many(errors, "sharing.categories", values.get("categories"), Category, account)
    _check_owned_many(errors, "sharing.tags", values.get("tags"), Tag, account)
    _check_owned_many(errors, "sharing.extra_fields", values.get("extra_fields"), ExtraField, account)
    mode = values.get("category_mode")
    if mode not in ProviderSharingSettings.Categories.values:
        errors["sharing.category_mode"] = [_("Choose all, only the chosen or all except the chosen.")]
    elif mode != ProviderSharingSettings.Categories.ALL and not values.get("categories"):
        errors["sharing.categories"] = [
            _("Choose at least one category, or share all categories.")
            if mode == ProviderSharingSettings.Categories.ONLY
            else _("Choose the categories to leave out, or share all categories.")
        ]
    if values.get("images") not in ProviderSharingSettings.Images.values:
        errors["sharing.images"] = [_("Choose the first image, all images or none.")]
    if inventory_ok:
        languages = set(inventory.languages or []) | {inventory.default_language}
        if values.get("language") not in languages:
            errors["sharing.language"] = [
                _("Choose one of the catalog's languages: %(languages)s.")
                % {"languages": ", ".join(sorted(languages))}
            ]
        if "sharing.categories" not in errors and any(
            c.inventory_id not in (None, inventory.pk) for c in values.get("categories") or ()
        ):
            errors["sharing.categories"] = [_("Choose categories of the shared catalog.")]
        if "sharing.source_warehouse" not in errors:
            used = set(inventory.warehouses.values_list("pk", flat=True))
            if used and warehouse.pk not in used:
                errors["sharing.source_warehouse"] = [_("The shared catalog does not use this warehouse.")]
    return errors


def _validate_contractor_settings(
    account: Account, values: dict[str, Any], *, orders: bool, products: bool
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if orders:
        if values.get("forwarding") not in ContractorSettings.Forwarding.values:
            errors["forwarding"] = [_("Choose a button on the order card or automatic actions only.")]
        _check_additional_info(errors, "additional_info", values.get("additional_info"))
        if values.get("overwrite_invoice"):
            if (
                not (values.get("invoice_company") or "").strip()
                and not (values.get("invoice_fullname") or "").strip()
            ):
                errors["invoice_company"] = [_("Enter the company or the name to put on invoices.")]
            for field, message in (
                ("invoice_address", _("Enter the street and number.")),
                ("invoice_city", _("Enter the city.")),
                ("invoice_postcode", _("Enter the postcode.")),
            ):
                if not (values.get(field) or "").strip():
                    errors[field] = [message]
            country = str(values.get("invoice_country_code") or "").strip().upper()
            if country not in dict(countries):
                errors["invoice_country_code"] = [_("Choose the country (an ISO code such as PL).")]
            else:
                values["invoice_country_code"] = country
    if products:
        multiplier = _decimal(values.get("price_multiplier"))
        if multiplier is None or not Decimal("0.0001") <= multiplier <= Decimal("1000"):
            errors["price_multiplier"] = [_("Enter a multiplier between 0.0001 and 1000, e.g. 1.30.")]
        subtract = values.get("quantity_subtract")
        if not isinstance(subtract, int) or subtract < 0:
            errors["quantity_subtract"] = [_("Enter a whole number, 0 or more.")]
        keep = _decimal(values.get("quantity_keep_percent"))
        if keep is None or not Decimal(0) <= keep <= Decimal(100):
            errors["quantity_keep_percent"] = [_("Enter a percentage between 0 and 100.")]
        _check_owned(errors, "price_group", values.get("price_group"), PriceGroup, account)
        _check_owned(errors, "warehouse", values.get("warehouse"), Warehouse, account)
        if values.get("price_sync") and values.get("price_group") is None and "price_group" not in errors:
            errors["price_group"] = [_("Choose the price group that receives the supplier's prices.")]
        if values.get("stock_sync") and values.get("warehouse") is None and "warehouse" not in errors:
            errors["warehouse"] = [_("Choose the warehouse that receives the supplier's stock.")]
    return errors


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def _display_name_errors(name: str | None, key: str = "display_name") -> dict[str, list[str]]:
    name = (name or "").strip()
    if not name:
        return {key: [_("Enter a display name.")]}
    if len(name) > 100:
        return {key: [_("At most 100 characters.")]}
    return {}


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


# ------------------------------------------------------------------------------ provider: create


def _new_code(integration: ConnectIntegration, actor: Tenant) -> str:
    plain = codes.code_generate()
    ConnectionCode.objects.create(
        integration=integration,
        code=plain,
        code_hash=codes.code_hash(plain),
        created_by=_user(actor),
    )
    return plain


def _order_settings_defaults(account: Account) -> dict[str, Any]:
    return {
        "target_status": OrderStatus.objects.filter(account=account).order_by("position", "id").first(),
        "payment": ProviderOrderSettings.Payment.UNPAID,
        "shipments": True,
        "delivery_cost": ProviderOrderSettings.DeliveryCost.COPY,
        "overwrite_name": False,
        "overwrite_price": False,
        "overwrite_tax_rate": False,
        "overwrite_weight": False,
        "match_inventory": None,
        "source_warehouse": None,
        "price_group": None,
        "omit_unmatched": False,
        "additional_info": [],
    }


def _sharing_settings_defaults(account: Account) -> dict[str, Any]:
    inventory = Inventory.objects.filter(account=account).order_by("-is_default", "id").first()
    return {
        "inventory": inventory,
        "category_mode": ProviderSharingSettings.Categories.ALL,
        "categories": [],
        "tags": [],
        "language": inventory.default_language if inventory else "en",
        "source_warehouse": inventory.default_warehouse if inventory else None,
        "price_group": inventory.default_price_group if inventory else None,
        "descriptions": True,
        "parameters": True,
        "images": ProviderSharingSettings.Images.ALL,
        "extra_fields": [],
    }


def _fill_from_match_inventory(values: dict[str, Any]) -> None:
    # Matching without a warehouse or price group would leave matched lines without stock or price:
    # the matching catalog's defaults are the sensible choice.
    inventory = values.get("match_inventory")
    if inventory is not None:
        if values.get("source_warehouse") is None:
            values["source_warehouse"] = inventory.default_warehouse
        if values.get("price_group") is None:
            values["price_group"] = inventory.default_price_group


@transaction.atomic
def provider_create(
    *,
    actor: Tenant,
    display_name: str,
    code_name: str = "",
    orders_enabled: bool,
    products_enabled: bool,
    order_settings: dict[str, Any] | None = None,
    sharing_settings: dict[str, Any] | None = None,
) -> tuple[ConnectIntegration, str]:
    """Create a provider integration with its first connection code; returns it and the code (normal
    form). The two switches are fixed from now on. Settings not given take sensible defaults (the
    first status, the default catalog, its warehouse and price group). Admins only."""
    require_manager(actor)
    account = actor.account
    errors = _display_name_errors(display_name)
    if len((code_name or "").strip()) > 100:
        errors["code_name"] = [_("At most 100 characters.")]
    if not orders_enabled and not products_enabled:
        errors["orders_enabled"] = [_("Choose downloading orders, sharing products, or both.")]
    orders_values = sharing_values = None
    if orders_enabled:
        orders_values = _order_settings_defaults(account) | _only(order_settings, ORDER_SETTINGS_FIELDS)
        _fill_from_match_inventory(orders_values)
        errors |= _validate_order_settings(account, orders_values)
    if products_enabled:
        sharing_values = _sharing_settings_defaults(account) | _only(
            sharing_settings, SHARING_SETTINGS_FIELDS
        )
        if sharing_values["category_mode"] == ProviderSharingSettings.Categories.ALL:
            sharing_values["categories"] = []
        errors |= _validate_sharing_settings(account, sharing_values)
    _raise(errors)
    integration = ConnectIntegration.objects.create(
        account=account,
        role=ConnectIntegration.Role.PROVIDER,
        display_name=display_name.strip(),
        code_name=(code_name or "").strip(),
        orders_enabled=bool(orders_enabled),
        products_enabled=bool(products_enabled),
        created_by=_user(actor),
    )
    if orders_values is not None:
        ProviderOrderSettings.objects.create(integration=integration, **orders_values)
    if sharing_values is not None:
        _sharing_save(ProviderSharingSettings(integration=integration), sharing_values)
    plain = _new_code(integration, actor)
    logger.info("connect: provider integration %s created by %s", integration.pk, actor.actor_label)
    return integration, plain


def _only(values: dict[str, Any] | None, fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in (values or {}).items() if k in fields}


def _sharing_save(settings: ProviderSharingSettings, values: dict[str, Any]) -> None:
    for field, value in values.items():
        if field not in SHARING_M2M:
            setattr(settings, field, value)
    settings.save()
    for field in SHARING_M2M:
        if field in values:
            getattr(settings, field).set(values[field] or [])


def _lock_integration(integration: ConnectIntegration) -> ConnectIntegration:
    # FOR NO KEY UPDATE: serialises changes of the integration without blocking the inserts of rows
    # that reference it (a contractor joining takes only a key-share lock on it).
    return ConnectIntegration.objects.select_for_update(no_key=True).get(pk=integration.pk)


def _alive_own(actor: Tenant, integration: ConnectIntegration, role: str) -> ConnectIntegration:
    _own(actor, integration)
    if integration.role != role or integration.deleted_at is not None:
        raise Http404
    return integration


# ------------------------------------------------------------------------------ provider: update


@transaction.atomic
def provider_update(
    *,
    actor: Tenant,
    integration: ConnectIntegration,
    order_settings: dict[str, Any] | None = None,
    sharing_settings: dict[str, Any] | None = None,
    **fields: Any,
) -> ConnectIntegration:
    """Change a provider integration's names and settings (only what is given). The two switches cannot
    change: asking for it is an error that says to create a new integration. Admins only."""
    require_manager(actor)
    _alive_own(actor, integration, ConnectIntegration.Role.PROVIDER)
    integration = _lock_integration(integration)
    account = actor.account
    errors: dict[str, list[str]] = {}
    for switch in ("orders_enabled", "products_enabled"):
        if switch in fields and bool(fields[switch]) != getattr(integration, switch):
            errors[switch] = [
                _(
                    "Downloading orders and sharing products are fixed when the code is created. "
                    "Create a new integration to change them."
                )
            ]
    if "display_name" in fields:
        errors |= _display_name_errors(fields["display_name"])
    if len((fields.get("code_name") or "").strip()) > 100:
        errors["code_name"] = [_("At most 100 characters.")]
    orders_values = sharing_values = None
    if order_settings is not None and integration.orders_enabled:
        current = integration.order_settings
        orders_values = {f: getattr(current, f) for f in ORDER_SETTINGS_FIELDS} | _only(
            order_settings, ORDER_SETTINGS_FIELDS
        )
        _fill_from_match_inventory(orders_values)
        errors |= _validate_order_settings(account, orders_values)
    if sharing_settings is not None and integration.products_enabled:
        current = integration.sharing_settings
        sharing_values = {
            f: (list(getattr(current, f).all()) if f in SHARING_M2M else getattr(current, f))
            for f in SHARING_SETTINGS_FIELDS
        } | _only(sharing_settings, SHARING_SETTINGS_FIELDS)
        if sharing_values["category_mode"] == ProviderSharingSettings.Categories.ALL:
            sharing_values["categories"] = []
        errors |= _validate_sharing_settings(account, sharing_values)
    _raise(errors)
    for field in ("display_name", "code_name", "send_statuses", "receive_statuses"):
        if field in fields:
            value = fields[field]
            setattr(integration, field, value.strip() if isinstance(value, str) else bool(value))
    integration.save()
    if orders_values is not None:
        ProviderOrderSettings.objects.filter(integration=integration).update(**orders_values)
    if sharing_values is not None:
        _sharing_save(integration.sharing_settings, sharing_values)
        sync.resync_provider_on_commit(provider_integration=integration)
    return integration


@transaction.atomic
def code_regenerate(*, actor: Tenant, integration: ConnectIntegration) -> str:
    """Give a provider integration a new code; the old one stops admitting new contractors at once
    (a join that already holds it finishes first). Existing contractors stay connected. Admins only."""
    require_manager(actor)
    _alive_own(actor, integration, ConnectIntegration.Role.PROVIDER)
    integration = _lock_integration(integration)
    ConnectionCode.objects.filter(integration=integration, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    plain = _new_code(integration, actor)
    logger.info("connect: code of integration %s regenerated by %s", integration.pk, actor.actor_label)
    return plain


@transaction.atomic
def integration_statuses_update(
    *, actor: Tenant, integration: ConnectIntegration, send_statuses: bool, receive_statuses: bool
) -> ConnectIntegration:
    """The Statuses tab's two switches, on either side. Admins only."""
    require_manager(actor)
    _own(actor, integration)
    if integration.deleted_at is not None:
        raise Http404
    integration = _lock_integration(integration)
    integration.send_statuses = bool(send_statuses)
    integration.receive_statuses = bool(receive_statuses)
    integration.save(update_fields=["send_statuses", "receive_statuses", "updated_at"])
    return integration


@transaction.atomic
def integration_delete(*, actor: Tenant, integration: ConnectIntegration) -> None:
    """Delete an integration. A provider's: its code stops working and every contractor is
    disconnected. A contractor's: the same as disconnecting. The rows stay (ledger, history) but
    nothing crosses any more. Admins only."""
    require_manager(actor)
    _own(actor, integration)
    if integration.deleted_at is not None:
        raise Http404
    if integration.role == ConnectIntegration.Role.CONTRACTOR:
        integration_disconnect(actor=actor, integration=integration)
        return
    from connect import directory

    integration = _lock_integration(integration)
    now = timezone.now()
    ConnectionCode.objects.filter(integration=integration, revoked_at__isnull=True).update(revoked_at=now)
    for link in ContractorLink.objects.select_for_update().filter(
        provider_integration=integration, disconnected_at__isnull=True
    ):
        link.disconnected_at = now
        link.save(update_fields=["disconnected_at"])
        _event(link, LinkEvent.Kind.DISCONNECTED, actor, by="provider")
        directory.requests_withdraw(link=link)
    integration.deleted_at = now
    integration.save(update_fields=["deleted_at", "updated_at"])
    logger.info("connect: provider integration %s deleted by %s", integration.pk, actor.actor_label)


# --------------------------------------------------------------------------------- joining


@dataclass(frozen=True)
class CodeOffer:
    """What a provider integration offers, as the contractor sees it before joining (with a code or
    from the directory)."""

    integration: ConnectIntegration  # the provider's (never shown whole to the contractor)
    provider_name: str
    display_name: str
    orders: bool
    products: bool
    price_currency: str = ""  # of the shared prices, "" when none are shared
    approval_required: bool = False  # from the directory: the provider accepts each new contractor


def _attempt_keys(actor: Tenant, client_ip: str | None) -> dict[str, int]:
    """The counters of an attempt, each with its limit."""
    keys = {}
    if actor.token is not None:
        keys[f"connect:code-failures:token:{actor.token.pk}"] = CODE_FAILURE_LIMIT
    elif actor.user is not None:
        keys[f"connect:code-failures:user:{actor.user.pk}"] = CODE_FAILURE_LIMIT
    if client_ip:
        keys[f"connect:code-failures:ip:{client_ip}"] = CODE_ADDRESS_FAILURE_LIMIT
    return keys


def _attempts_left(keys: dict[str, int]) -> int:
    """Wrong codes still allowed before every attempt is refused (the tightest counter decides)."""
    counts = cache.get_many(list(keys))
    return min((limit - int(counts.get(key) or 0) for key, limit in keys.items()), default=CODE_FAILURE_LIMIT)


def code_failures_reset(*, user_id: int | None = None, client_ip: str | None = None) -> None:
    """Forget counted failures (support, tests)."""
    CODE_FAILURES.reset(
        CODE_FAILURES.keys(
            f"user:{user_id}" if user_id is not None else "", f"ip:{client_ip}" if client_ip else ""
        )
    )


def _already_connected() -> str:
    return _("Your account is already connected with this code's integration.")


def offer_check(
    *, actor: Tenant, provider: ConnectIntegration, approval_required: bool = False, field: str = "code"
) -> CodeOffer:
    """What ``provider`` offers the actor's account, or why it may not join: its own account's
    integration, or one it is already connected with (errors keyed ``field``). Shared by joining
    with a code and from the directory."""
    if provider.account_id == actor.account.pk:
        code_logger.info("connect: own code refused account=%s actor=%s", actor.account.pk, actor.actor_label)
        raise ValidationError(
            {
                field: [
                    _("This is a code of your own account. Give it to your partner; they enter it in theirs.")
                    if field == "code"
                    else _("This is your own account's entry.")
                ]
            }
        )
    if (
        ContractorLink.objects.connected()
        .filter(provider_integration=provider, contractor_account=actor.account)
        .exists()
    ):
        raise ValidationError(
            {
                field: [
                    _already_connected()
                    if field == "code"
                    else _("Your account is already connected with this partner's integration.")
                ]
            }
        )
    return CodeOffer(
        integration=provider,
        provider_name=provider.account.name,
        display_name=provider.display_name,
        orders=provider.orders_enabled,
        products=provider.products_enabled,
        price_currency=selectors.shared_price_currency(integration=provider),
        approval_required=approval_required,
    )


def _code_check(
    *, actor: Tenant, code: str, client_ip: str | None, lock: bool
) -> tuple[CodeOffer, ConnectionCode]:
    require_manager(actor)
    keys = _attempt_keys(actor, client_ip)
    if _attempts_left(keys) <= 0:
        code_logger.warning(
            "connect: code attempt refused (rate limit) account=%s actor=%s ip=%s",
            actor.account.pk,
            actor.actor_label,
            client_ip,
        )
        raise TooManyCodeAttempts(CODE_FAILURE_WINDOW)
    normalized = codes.code_normalize(code)
    found = None
    if normalized is not None:
        queryset = ConnectionCode.objects.filter(
            code_hash=codes.code_hash(normalized),
            revoked_at__isnull=True,
            integration__deleted_at__isnull=True,
            integration__role=ConnectIntegration.Role.PROVIDER,
        ).select_related("integration", "integration__account")
        if lock:
            queryset = queryset.select_for_update(of=("self",))
        found = queryset.first()
    if found is None:
        CODE_FAILURES.count(keys)
        code_logger.warning(
            "connect: wrong connection code account=%s actor=%s ip=%s (%s)",
            actor.account.pk,
            actor.actor_label,
            client_ip,
            "malformed" if normalized is None else "unknown, revoked or deleted",
        )
        message = _no_such_code()
        left = _attempts_left(keys)
        if 0 < left <= CODE_ATTEMPTS_SHOWN:
            left_text = ngettext(
                "%(count)d attempt left this hour.", "%(count)d attempts left this hour.", left
            ) % {"count": left}
            message = f"{message} {left_text}"
        raise ValidationError({"code": [message]})
    return offer_check(actor=actor, provider=found.integration), found


def code_verify(*, actor: Tenant, code: str, client_ip: str | None) -> CodeOffer:
    """Check a code a contractor typed: the provider's name and what it offers, or "no such code" (the
    same for a code that never existed, an old regenerated one and a deleted integration's). Wrong
    codes are counted per user (or token) and per address; after CODE_FAILURE_LIMIT (per address:
    CODE_ADDRESS_FAILURE_LIMIT) within the hour every attempt is refused
    unread (TooManyCodeAttempts). Every failure is logged. Admins only."""
    offer, _code = _code_check(actor=actor, code=code, client_ip=client_ip, lock=False)
    return offer


def contractor_settings_defaults(account: Account) -> dict[str, Any]:
    """What the join form starts with: invoice fields from the account's company data."""
    return {
        "hide_prices": False,
        "overwrite_invoice": False,
        "invoice_fullname": "",
        "invoice_company": account.name,
        "invoice_nip": account.vat_number,
        "invoice_address": account.street,
        "invoice_city": account.city,
        "invoice_postcode": account.postcode,
        "invoice_country_code": str(account.country or ""),
        "forwarding": ContractorSettings.Forwarding.BUTTON,
        "additional_info": [],
        "price_multiplier": Decimal("1"),
        "quantity_subtract": 0,
        "quantity_keep_percent": Decimal("0"),
        "price_sync": False,
        "price_group": None,
        "stock_sync": False,
        "warehouse": None,
    }


def contractor_settings_errors(
    *, account: Account, orders: bool, products: bool, display_name: str | None, settings: dict[str, Any]
) -> dict[str, list[str]]:
    """The checks ``integration_join`` and ``contractor_update`` make of a contractor's settings, without
    writing: a form runs them with its own field checks so every error shows at once."""
    values = contractor_settings_defaults(account) | _only(settings, CONTRACTOR_SETTINGS_FIELDS)
    return _display_name_errors(display_name) | _validate_contractor_settings(
        account, values, orders=orders, products=products
    )


@transaction.atomic
def integration_join(
    *,
    actor: Tenant,
    code: str | None = None,
    publication=None,
    client_ip: str | None,
    display_name: str,
    settings: dict[str, Any] | None = None,
) -> ConnectIntegration:
    """Join a provider, with its code or from its directory entry (``publication``; exactly one of
    the two): creates the contractor integration, its settings and the link. With a code the link is
    active. From the directory the link is active too, unless the entry requires approval: then it
    waits (nothing crosses) and a connection request goes to the provider (``connect.directory``).

    Refused like ``code_verify`` (or, from the directory, like ``directory.publication_offer``: an
    entry that is not listed does not exist); a second join of the same integration by the same account
    is "already connected" (a unique constraint decides, so two tabs at once give one link). The code
    row (or the entry) is locked so a regeneration, deletion or unpublishing in flight either happens
    before (refused) or after (connected). Admins only."""
    if (code is None) == (publication is None):
        raise TypeError("integration_join takes a code or a publication")
    code_row = None
    if code is not None:
        offer, code_row = _code_check(actor=actor, code=code, client_ip=client_ip, lock=True)
        field = "code"
    else:
        from connect import directory

        offer = directory.publication_offer(actor=actor, publication=publication, lock=True)
        directory.request_limit_check(actor=actor)
        field = "publication"
    account = actor.account
    values = contractor_settings_defaults(account) | _only(settings, CONTRACTOR_SETTINGS_FIELDS)
    errors = _display_name_errors(display_name) | _validate_contractor_settings(
        account, values, orders=offer.orders, products=offer.products
    )
    _raise(errors)
    integration = ConnectIntegration.objects.create(
        account=account,
        role=ConnectIntegration.Role.CONTRACTOR,
        display_name=display_name.strip(),
        created_by=_user(actor),
    )
    ContractorSettings.objects.create(integration=integration, **values)
    waiting = offer.approval_required
    try:
        with transaction.atomic():
            link = ContractorLink.objects.create(
                provider_integration=offer.integration,
                contractor_integration=integration,
                provider_account_id=offer.integration.account_id,
                contractor_account=account,
                code=code_row,
                name=account.name[:200],
                state=ContractorLink.State.AWAITING_APPROVAL if waiting else ContractorLink.State.ACTIVE,
            )
    except IntegrityError:
        raise ValidationError(
            {
                field: [
                    _already_connected()
                    if field == "code"
                    else _("Your account is already connected with this partner's integration.")
                ]
            }
        )
    _event(link, LinkEvent.Kind.JOINED, actor, via=field)
    if offer.orders:
        # The provider's source of this contractor's orders: there (and filterable) from the start.
        link.order_source = OrderSource.objects.create(
            account_id=link.provider_account_id, kind=OrderSource.Kind.CONNECT, name=source_name(link.name)
        )
        link.save(update_fields=["order_source"])
    if offer.orders and values["forwarding"] == ContractorSettings.Forwarding.BUTTON:
        from connect import forwarding

        forwarding.forward_button_ensure(integration=integration)
    if waiting:
        directory.request_create(actor=actor, link=link)
    logger.info(
        "connect: account %s joined provider integration %s (link %s, via %s%s)",
        account.pk,
        offer.integration.pk,
        link.pk,
        field,
        ", awaiting approval" if waiting else "",
    )
    return integration


def source_name(contractor_name: str) -> str:
    """The name of the provider's order source of a contractor's forwarded orders."""
    return (_("Connect: %(name)s") % {"name": contractor_name})[:100]


@transaction.atomic
def contractor_update(
    *, actor: Tenant, integration: ConnectIntegration, display_name: str | None = None, **settings: Any
) -> ConnectIntegration:
    """Change a contractor integration's display name and settings (only what is given; the order
    and product settings are checked only where the provider offers them). Admins only."""
    require_manager(actor)
    _alive_own(actor, integration, ConnectIntegration.Role.CONTRACTOR)
    integration = _lock_integration(integration)
    current = integration.contractor_settings
    values = {f: getattr(current, f) for f in CONTRACTOR_SETTINGS_FIELDS} | _only(
        settings, CONTRACTOR_SETTINGS_FIELDS
    )
    link = ContractorLink.objects.select_related("provider_integration").get(
        contractor_integration=integration
    )
    provider = link.provider_integration
    if link.disconnected_at is not None or provider.deleted_at is not None:
        raise ValidationError(_("The supplier has ended this connection: its settings are read-only."))
    errors = _display_name_errors(display_name) if display_name is not None else {}
    errors |= _validate_contractor_settings(
        actor.account, values, orders=provider.orders_enabled, products=provider.products_enabled
    )
    _raise(errors)
    if display_name is not None:
        integration.display_name = display_name.strip()
        integration.save(update_fields=["display_name", "updated_at"])
    ContractorSettings.objects.filter(pk=current.pk).update(**values)
    if provider.products_enabled and any(f in settings for f in CONTRACTOR_PRODUCT_FIELDS):
        # Saving the Products / Prices / Stock settings recomputes every linked product at once.
        sync.resync_on_commit(link_id=link.pk)
    if (
        provider.orders_enabled
        and values["forwarding"] == ContractorSettings.Forwarding.BUTTON
        and current.forwarding != ContractorSettings.Forwarding.BUTTON
    ):
        from connect import forwarding

        forwarding.forward_button_ensure(integration=integration)
    if "send_statuses" in settings or "receive_statuses" in settings:
        integration_statuses_update(
            actor=actor,
            integration=integration,
            send_statuses=settings.get("send_statuses", integration.send_statuses),
            receive_statuses=settings.get("receive_statuses", integration.receive_statuses),
        )
    return integration


@transaction.atomic
def supplier_resync(*, actor: Tenant, integration: ConnectIntegration) -> None:
    """ "Synchronise now": recompute the stock and prices of every product linked to this supplier
    (in the background, after commit). Refused while nothing crosses (blocked, awaiting approval,
    disconnected) or with both syncs off. Admins only."""
    require_manager(actor)
    _alive_own(actor, integration, ConnectIntegration.Role.CONTRACTOR)
    link = ContractorLink.objects.select_related("provider_integration").get(
        contractor_integration=integration
    )
    if not link.is_open or link.provider_integration.deleted_at is not None:
        raise ValidationError(_("Nothing crosses this connection now, so there is nothing to synchronise."))
    settings = integration.contractor_settings
    if not (settings.stock_sync or settings.price_sync):
        raise ValidationError(_("Switch on price or stock sync first."))
    sync.resync_on_commit(link_id=link.pk)


@transaction.atomic
def integration_disconnect(*, actor: Tenant, integration: ConnectIntegration) -> None:
    """A contractor leaves its provider: the integration disappears from its list and nothing crosses
    any more. The provider keeps the contractor (shown disconnected) with its ledger. Admins only."""
    require_manager(actor)
    _alive_own(actor, integration, ConnectIntegration.Role.CONTRACTOR)
    integration = _lock_integration(integration)
    now = timezone.now()
    link = ContractorLink.objects.select_for_update().get(contractor_integration=integration)
    if link.disconnected_at is None:
        link.disconnected_at = now
        link.save(update_fields=["disconnected_at"])
        _event(link, LinkEvent.Kind.DISCONNECTED, actor, by="contractor")
    from connect import directory

    directory.requests_withdraw(link=link)
    integration.deleted_at = now
    integration.save(update_fields=["deleted_at", "updated_at"])
    logger.info("connect: contractor integration %s disconnected by %s", integration.pk, actor.actor_label)


# ------------------------------------------------------------------------ provider: contractors


def _provider_link(actor: Tenant, link: ContractorLink, *, lock: bool = False) -> ContractorLink:
    """The link, as the provider side may change it: the actor's own, connected."""
    _own(actor, link, "provider_account_id")
    if lock:
        link = (
            ContractorLink.objects.select_related("provider_integration")
            .select_for_update(of=("self",))
            .get(pk=link.pk, provider_account=actor.account)
        )
    else:
        link = ContractorLink.objects.select_related("provider_integration").get(
            pk=link.pk, provider_account=actor.account
        )
    if link.disconnected_at is not None:
        raise ValidationError(_("This contractor has disconnected; its data can no longer be changed."))
    return link


@transaction.atomic
def contractor_link_update(*, actor: Tenant, link: ContractorLink, **values: Any) -> ContractorLink:
    """The provider edits a contractor: its name on this side, the range of shared products (all /
    chosen categories / chosen tags / chosen products of the shared catalog) and its price group.
    Only what is given changes. Admins only."""
    require_manager(actor)
    link = _provider_link(actor, link, lock=True)
    account = actor.account
    merged = {f: getattr(link, f) for f in LINK_FIELDS} | _only(values, LINK_FIELDS)
    m2m = {f: list(getattr(link, f).all()) for f in LINK_M2M} | _only(values, LINK_M2M)
    errors: dict[str, list[str]] = {}
    name = (merged.get("name") or "").strip()
    if not name:
        errors["name"] = [_("Enter a name.")]
    _check_owned(errors, "price_group", merged.get("price_group"), PriceGroup, account)
    _check_owned_many(errors, "range_categories", m2m["range_categories"], Category, account)
    _check_owned_many(errors, "range_tags", m2m["range_tags"], Tag, account)
    _check_owned_many(errors, "range_products", m2m["range_products"], Product, account)
    mode = merged.get("range_mode")
    needed = {
        ContractorLink.Range.CATEGORIES: ("range_categories", _("Choose at least one category.")),
        ContractorLink.Range.TAGS: ("range_tags", _("Choose at least one tag.")),
        ContractorLink.Range.PRODUCTS: ("range_products", _("Choose at least one product.")),
    }
    if mode not in ContractorLink.Range.values:
        errors["range_mode"] = [_("Choose a range of products.")]
    elif mode in needed and not m2m[needed[mode][0]]:
        field, message = needed[mode]
        errors.setdefault(field, [message])
    sharing = getattr(link.provider_integration, "sharing_settings", None)
    if (
        sharing is not None
        and "range_products" not in errors
        and any(p.inventory_id != sharing.inventory_id for p in m2m["range_products"])
    ):
        errors["range_products"] = [_("Choose products of the shared catalog.")]
    if (
        sharing is not None
        and "range_categories" not in errors
        and any(c.inventory_id not in (None, sharing.inventory_id) for c in m2m["range_categories"])
    ):
        errors["range_categories"] = [_("Choose categories of the shared catalog.")]
    _raise(errors)
    # Choices of another range are dropped: the range is exactly what the chosen mode says.
    for field, kept_for in (
        ("range_categories", ContractorLink.Range.CATEGORIES),
        ("range_tags", ContractorLink.Range.TAGS),
        ("range_products", ContractorLink.Range.PRODUCTS),
    ):
        if mode != kept_for:
            m2m[field] = []
    before = (
        link.range_mode,
        link.price_group_id,
        {f: {o.pk for o in getattr(link, f).all()} for f in LINK_M2M},
    )
    if name != link.name and link.order_source_id is not None:
        # The source of this contractor's forwarded orders is named after it.
        OrderSource.objects.filter(pk=link.order_source_id, account=account).update(name=source_name(name))
    link.name = name
    link.range_mode = mode
    link.price_group = merged.get("price_group")
    link.save(update_fields=["name", "range_mode", "price_group"])
    for field, items in m2m.items():
        getattr(link, field).set(items)
    after = (link.range_mode, link.price_group_id, {f: {o.pk for o in items} for f, items in m2m.items()})
    if before != after:
        sync.resync_on_commit(link_id=link.pk)  # another price group or range: synced values follow
    _event(link, LinkEvent.Kind.EDITED, actor)
    return link


@transaction.atomic
def contractor_set_state(*, actor: Tenant, link: ContractorLink, state: str) -> ContractorLink:
    """Activate or block a contractor (activating also accepts one awaiting approval). A blocked
    contractor keeps its integration, but nothing crosses. Admins only."""
    require_manager(actor)
    link = _provider_link(actor, link, lock=True)
    if state not in (ContractorLink.State.ACTIVE, ContractorLink.State.BLOCKED):
        raise ValidationError({"state": [_("Choose active or blocked.")]})
    if link.state != state:
        link.state = state
        link.state_changed_at = timezone.now()
        link.save(update_fields=["state", "state_changed_at"])
        kind = LinkEvent.Kind.ACTIVATED if state == ContractorLink.State.ACTIVE else LinkEvent.Kind.BLOCKED
        _event(link, kind, actor)
        if state == ContractorLink.State.ACTIVE:
            sync.resync_on_commit(link_id=link.pk)  # catch up on what changed while it was blocked
        # A contractor from the directory waiting for approval: activating accepts its request,
        # blocking rejects it (the contractor is told either way).
        from connect import directory

        directory.request_settle(link=link, accepted=state == ContractorLink.State.ACTIVE, actor=actor)
    return link


@transaction.atomic
def contractor_edit(
    *, actor: Tenant, link: ContractorLink, state: str | None = None, **values: Any
) -> ContractorLink:
    """``contractor_link_update`` and ``contractor_set_state`` together, all or nothing (one form or
    one API call that changes both)."""
    if values:
        link = contractor_link_update(actor=actor, link=link, **values)
    if state is not None:
        link = contractor_set_state(actor=actor, link=link, state=state)
    if not values and state is None:
        require_manager(actor)
        link = _provider_link(actor, link)
    return link


# ---------------------------------------------------------------------------------- trade credit


def _lock_credit(actor: Tenant, link: ContractorLink) -> ContractorLink:
    """Every write of one contractor's credit holds its link row: one at a time, in order."""
    return _provider_link(actor, link, lock=True)


@transaction.atomic
def credit_settings_update(
    *, actor: Tenant, link: ContractorLink, message: str = "", **values: Any
) -> ContractorLink:
    """Set a contractor's trade credit: limit (empty: no trade credit), settlement currency, notes and
    the "block stock below" threshold. The ledger is never rewritten: a limit lowered below what is
    used makes the available amount negative. The currency can change only while the ledger is empty
    (amounts are never converted). Each change is in the link's history. Admins only."""
    require_manager(actor)
    link = _lock_credit(actor, link)
    merged = {f: getattr(link, f) for f in CREDIT_FIELDS} | _only(values, CREDIT_FIELDS)
    errors: dict[str, list[str]] = {}
    limit = merged["credit_limit"]
    if limit is not None and limit != "":
        limit = _decimal(limit)
        if limit is None or limit < 0 or limit >= Decimal("1e12"):
            errors["credit_limit"] = [_("Enter an amount of 0 or more.")]
    else:
        limit = None
    threshold = merged["block_stock_below"]
    if threshold is not None and threshold != "":
        threshold = _decimal(threshold)
        if threshold is None or threshold < 0 or threshold >= Decimal("1e12"):
            errors["block_stock_below"] = [_("Enter an amount of 0 or more.")]
    else:
        threshold = None
    currency = (merged["credit_currency"] or "").upper()
    if currency and currency not in {code for code, _label in CURRENCY_CHOICES}:
        errors["credit_currency"] = [_("Choose a currency.")]
    if limit is not None and not currency:
        errors["credit_currency"] = [_("Choose the settlement currency of the credit.")]
    if (
        currency != link.credit_currency
        and link.credit_currency
        and CreditEntry.objects.filter(link=link).exclude(currency=currency).exists()
    ):
        errors["credit_currency"] = [
            _("The ledger has entries in %(currency)s; the settlement currency cannot change.")
            % {"currency": link.credit_currency}
        ]
    _raise(errors)
    before = {
        "credit_limit": _str(link.credit_limit),
        "credit_currency": link.credit_currency,
        "block_stock_below": _str(link.block_stock_below),
    }
    was_blocked = _stock_blocked(link)
    link.credit_limit = limit
    link.credit_currency = currency
    link.credit_notes = merged["credit_notes"] or ""
    link.block_stock_below = threshold
    link.save(update_fields=list(CREDIT_FIELDS))
    _stock_block_follow(link, was_blocked)
    after = {"credit_limit": _str(limit), "credit_currency": currency, "block_stock_below": _str(threshold)}
    _unchanged_as_before(before, after)
    if before != after or message:
        _event(link, LinkEvent.Kind.CREDIT_CHANGED, actor, before=before, after=after, message=message)
    return link


def _stock_blocked(link: ContractorLink) -> bool:
    from connect.selectors import stock_blocked

    return stock_blocked(link=link)


def _stock_block_follow(link: ContractorLink, was_blocked: bool) -> None:
    """After a change of a contractor's credit (the link row locked): when it crossed the "block stock
    below" threshold either way, the synced stock is recomputed after commit (all 0 while under it,
    the supplier's again once above)."""
    if _stock_blocked(link) != was_blocked:
        sync.resync_on_commit(link_id=link.pk, kinds=(sync.STOCK,))


def _str(value) -> str | None:
    return None if value is None else str(value)


def _unchanged_as_before(before: dict, after: dict) -> None:
    """An amount given again ("100" for the stored "100.00") is written as before: no change."""
    for key, value in after.items():
        old = before.get(key)
        if (
            key != "credit_currency"
            and value is not None
            and old is not None
            and Decimal(value) == Decimal(old)
        ):
            after[key] = old


def credit_limit_set(*, actor: Tenant, link: ContractorLink, new_limit, message: str = "") -> ContractorLink:
    """setConnectContractorCreditLimit: only the limit (the currency must be set already, or the
    provider account's default currency is taken)."""
    values: dict[str, Any] = {"credit_limit": new_limit}
    if not link.credit_currency:
        values["credit_currency"] = actor.account.default_currency
    return credit_settings_update(actor=actor, link=link, message=message, **values)


def _entry_checks(link: ContractorLink, amount, *, positive: bool, order: Order | None) -> Decimal:
    errors: dict[str, list[str]] = {}
    value = _decimal(amount)
    if value is None or value != value.quantize(Decimal("0.01")) or abs(value) >= Decimal("1e12"):
        errors["amount"] = [_("Enter an amount with at most two decimals.")]
    elif positive and value <= 0:
        errors["amount"] = [_("Enter an amount greater than 0.")]
    elif value == 0:
        errors["amount"] = [_("Enter an amount other than 0 (negative takes credit, positive gives it).")]
    if not link.credit_currency:
        errors["amount"] = [_("Set the contractor's settlement currency first.")]
    # Only an order this contractor forwarded may be named; any other is answered like a missing one.
    if order is not None and not selectors.credit_order_list(link=link).filter(pk=order.pk).exists():
        errors["order"] = [_does_not_exist(Order)]
    _raise(errors)
    return value


@transaction.atomic
def credit_payment_record(
    *,
    actor: Tenant,
    link: ContractorLink,
    amount,
    description: str = "",
    order: Order | None = None,
    up_to_owed: bool = False,
) -> CreditEntry:
    """Record a payment the contractor made (settled outside Hurtlink): it frees that much credit.
    ``up_to_owed``: refuse a payment above what the contractor owes now (BaseLinker's settlement
    rule), checked under the lock. Takes the link's row lock. Admins only."""
    from connect.selectors import credit_summary

    require_manager(actor)
    link = _lock_credit(actor, link)
    value = _entry_checks(link, amount, positive=True, order=order)
    if up_to_owed:
        owed = credit_summary(link=link).used
        if value > owed:
            raise ValidationError(
                {
                    "amount": [
                        _("A settlement cannot exceed what the contractor owes: %(owed)s %(currency)s.")
                        % {"owed": max(owed, Decimal("0.00")), "currency": link.credit_currency}
                    ]
                }
            )
    was_blocked = _stock_blocked(link)
    entry = CreditEntry.objects.create(
        link=link,
        kind=CreditEntry.Kind.PAYMENT,
        amount=value,
        currency=link.credit_currency,
        order=order,
        description=(description or "").strip()[:500],
        created_by=_user(actor),
        actor=actor_stored(actor),
    )
    _stock_block_follow(link, was_blocked)
    return entry


@transaction.atomic
def credit_adjust(
    *, actor: Tenant, link: ContractorLink, amount, description: str, order: Order | None = None
) -> CreditEntry:
    """Correct the ledger with a signed amount (+ gives credit back, − takes it) and a reason; the
    history keeps both the mistake and the correction. Takes the link's row lock. Admins only."""
    require_manager(actor)
    link = _lock_credit(actor, link)
    if not (description or "").strip():
        raise ValidationError({"description": [_("Say why the ledger is adjusted.")]})
    value = _entry_checks(link, amount, positive=False, order=order)
    was_blocked = _stock_blocked(link)
    entry = CreditEntry.objects.create(
        link=link,
        kind=CreditEntry.Kind.ADJUSTMENT,
        amount=value,
        currency=link.credit_currency,
        order=order,
        description=description.strip()[:500],
        created_by=_user(actor),
        actor=actor_stored(actor),
    )
    _stock_block_follow(link, was_blocked)
    return entry


class CreditShort(ValidationError):
    """The available credit does not cover a charge; nothing was written."""


def credit_currency_refusal(*, link: ContractorLink, currency: str) -> Message | None:
    """Why an amount in ``currency`` cannot be charged to the link's credit (None: it can): amounts are
    never converted, so only the settlement currency is. Untranslated: a refused forward keeps it."""
    if currency != link.credit_currency:
        return Message(
            gettext_noop(
                "The order is in %(currency)s but the trade credit is settled in %(settlement)s; orders are "
                "not converted."
            ),
            currency=currency,
            settlement=link.credit_currency,
        )
    return None


def credit_short_refusal(*, link: ContractorLink, amount: Decimal, available: Decimal) -> Message | None:
    """Why ``amount`` cannot be charged when ``available`` is what the credit has left (None: it can).
    The caller holds the link's row lock and summed the ledger under it. Untranslated, amounts formatted
    for whoever reads it."""
    if amount > available:
        return Message(
            gettext_noop("Not enough trade credit: %(amount)s needed, %(available)s available."),
            amount=Money(amount, link.credit_currency),
            available=Money(available, link.credit_currency),
        )
    return None


@transaction.atomic
def credit_charge(
    *,
    link: ContractorLink,
    amount,
    currency: str,
    order: Order | None = None,
    description: str = "",
    actor: str = "",
) -> CreditEntry:
    """Charge the contractor's credit once. Takes the link's row lock, then refuses with CreditShort
    when the available amount is short, and refuses another currency than the settlement currency
    (``credit_short_refusal`` / ``credit_currency_refusal``: forwarding charges its batches of orders
    with the same rules, under the same lock). Without a limit there is no trade credit and nothing
    may be charged."""
    from connect.selectors import credit_summary

    link = ContractorLink.objects.select_for_update(of=("self",)).get(pk=link.pk)
    if not link.is_open:
        raise ValidationError(_("The contractor is blocked or disconnected."))
    if link.credit_limit is None:
        raise ValidationError(_("This contractor has no trade credit."))
    currency_problem = credit_currency_refusal(link=link, currency=currency)
    if currency_problem:
        raise ValidationError(currency_problem)
    value = _entry_checks(link, amount, positive=True, order=order)
    short = credit_short_refusal(link=link, amount=value, available=credit_summary(link=link).available)
    if short:
        raise CreditShort(short)
    was_blocked = _stock_blocked(link)
    entry = CreditEntry.objects.create(
        link=link,
        kind=CreditEntry.Kind.CHARGE,
        amount=value,
        currency=currency,
        order=order,
        description=(description or "")[:500],
        actor=actor,
    )
    _stock_block_follow(link, was_blocked)
    return entry


# ------------------------------------------------------------------------------ status mappings


def _link_side(actor: Tenant, link: ContractorLink) -> tuple[ContractorLink, int]:
    """The link as one of its two sides sees it, and the partner's account id; open links only."""
    link = ContractorLink.objects.get(pk=link.pk)
    if link.provider_account_id == actor.account.pk:
        partner = link.contractor_account_id
    elif link.contractor_account_id == actor.account.pk:
        partner = link.provider_account_id
    else:
        raise Http404
    if not link.is_open:
        raise ValidationError(_("Statuses can be mapped only while the connection is active."))
    return link, partner


def _mapping_errors(actor: Tenant, partner_id: int, direction: str, local, remote) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if direction not in StatusMapping.Direction.values:
        errors["direction"] = [_("Choose send or receive.")]
    if not isinstance(local, OrderStatus) or local.account_id != actor.account.pk:
        errors["local_status"] = [_does_not_exist(OrderStatus)]
    if not isinstance(remote, OrderStatus) or remote.account_id != partner_id:
        errors["remote_status"] = [_does_not_exist(OrderStatus)]
    return errors


@transaction.atomic
def status_mappings_replace(
    *, actor: Tenant, link: ContractorLink, direction: str, pairs: list[tuple[OrderStatus, OrderStatus]]
) -> list[StatusMapping]:
    """Replace one side's mapping table (send or receive) for one link with ``pairs`` of
    (local status, partner's status). Sending maps each local status once; receiving maps each partner
    status once. Admins only."""
    require_manager(actor)
    link, partner = _link_side(actor, link)
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    for local, remote in pairs:
        errors |= _mapping_errors(actor, partner, direction, local, remote)
        key = local.pk if direction == StatusMapping.Direction.SEND else remote.pk
        if key in seen:
            errors["pairs"] = [
                _("Each of your statuses can be sent to one status only.")
                if direction == StatusMapping.Direction.SEND
                else _("Each partner status can be received as one status only.")
            ]
        seen.add(key)
    _raise(errors)
    StatusMapping.objects.filter(account=actor.account, link=link, direction=direction).delete()
    return StatusMapping.objects.bulk_create(
        StatusMapping(
            account=actor.account, link=link, direction=direction, local_status=local, remote_status=remote
        )
        for local, remote in pairs
    )


@transaction.atomic
def status_mapping_create(
    *, actor: Tenant, link: ContractorLink, direction: str, local_status, remote_status
) -> StatusMapping:
    """Add one row to a mapping table (REST API). A local status already sent, or a partner status
    already received, is an error. Admins only."""
    require_manager(actor)
    link, partner = _link_side(actor, link)
    _raise(_mapping_errors(actor, partner, direction, local_status, remote_status))
    try:
        with transaction.atomic():
            return StatusMapping.objects.create(
                account=actor.account,
                link=link,
                direction=direction,
                local_status=local_status,
                remote_status=remote_status,
            )
    except IntegrityError:
        field = "local_status" if direction == StatusMapping.Direction.SEND else "remote_status"
        raise ValidationError({field: [_("This status is mapped already.")]})


@transaction.atomic
def status_mapping_delete(*, actor: Tenant, mapping: StatusMapping) -> None:
    """Remove one row of the actor's own mapping table. Admins only."""
    require_manager(actor)
    _own(actor, mapping)
    mapping.delete()


# ------------------------------------------------------------------------------------- product links


@transaction.atomic
def product_link_set(
    *,
    actor: Tenant,
    product: Product,
    integration_id: int,
    external_product_id: int,
    main_product_id: int | None = None,
) -> ProductLink:
    """Link the account's ``product`` to a product of the shared catalog behind its contractor
    integration ``integration_id`` — the association an import makes, for one product — replacing the
    product's link if it has one. Members and up (the role matrix's products).

    Only what the account may see now can be linked: the link open, the product shared with it and
    within its range (``main_product_id`` given: a variant of that main product). A missing product,
    another account's and one outside the range are refused alike (ValidationError on
    ``external_product``; a shared catalog that is not open, on ``integration``), as is a shared product
    another of the account's products is linked to already. The product's stock and price follow the
    shared product at once, through the contractor's Products settings, as the sync would make them.
    Locks the product's link row."""
    require_role(actor, roles.PRODUCTS.role_for(Act.WRITE))
    account = actor.account
    if product.account_id != account.pk:
        raise ValidationError({"product": [_("Choose one of your products.")]})
    try:
        catalog = shared_catalog_get(account=account, pk=integration_id)
    except Http404:
        raise ValidationError({"integration": [_("No supplier's shared catalog of yours has this id.")]})
    shared = shared_products(catalog).filter(pk=external_product_id)
    if main_product_id is not None:
        shared = shared.filter(parent_id=main_product_id)
    if not shared.exists():
        raise ValidationError(
            {"external_product": [_("No such product is shared with you in this catalog.")]}
        )
    taken = (
        ProductLink.objects.filter(
            account=account, storage=LINK_STORAGE, storage_id=integration_id, external_id=external_product_id
        )
        .exclude(product=product)
        .values_list("product__sku", "product_id")
        .first()
    )
    if taken is not None:
        raise ValidationError(
            {
                "external_product": [
                    _("Your product %(name)s is linked to it already.") % {"name": taken[0] or f"#{taken[1]}"}
                ]
            }
        )
    try:
        with transaction.atomic():
            link, _created = ProductLink.objects.update_or_create(
                account=account,
                product=product,
                defaults={
                    "storage": LINK_STORAGE,
                    "storage_id": integration_id,
                    "external_product_id": external_product_id,
                    "external_id": external_product_id,
                    "unshared_at": None,
                },
            )
    except IntegrityError:  # linked by someone else meanwhile
        raise ValidationError({"external_product": [_("Another of your products is linked to it already.")]})
    sync.product_link_resync(product_link=link)
    ProductLink.objects.filter(pk=link.pk).update(synced_at=timezone.now())
    return link


@transaction.atomic
def product_link_clear(*, actor: Tenant, product: Product, integration_id: int) -> bool:
    """Forget ``product``'s link to the shared catalog ``integration_id``, as the product page's "remove
    link" does (the product stays, no longer synced); False when it has no link there. Members and up."""
    require_role(actor, roles.PRODUCTS.role_for(Act.WRITE))
    linked = ProductLink.objects.filter(
        account=actor.account, product=product, storage=LINK_STORAGE, storage_id=integration_id
    ).exists()
    return linked and product_link_remove(actor=actor, product_id=product.pk)
