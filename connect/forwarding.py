"""Forwarding a contractor's orders to its Connect supplier, exactly once, paid with trade credit.

``forward()`` is the one way in: the order card's button and the list's bulk action (a custom button
and its automatic action, created when the contractor joins with "a button on the order card"), any
rule with the action "Forward to a Connect supplier", and the REST API all call it.

What it guarantees:

- **Exactly once.** Each contractor order has at most one ``ForwardedOrder`` row (unique), claimed by
  ``INSERT … ON CONFLICT``: two requests, tabs, workers or redelivered tasks forwarding the same order
  race on that insert; the loser waits for the winner's transaction and then reads its row ("already
  forwarded"). A refused forward keeps its row with the reason and may be claimed again.
- **Credit never overspent.** Each batch holds its link's row lock (the lock every write of the
  contractor's credit takes), sums the ledger once and charges order after order while the available
  amount covers them; the rest are refused with the amounts. An order in another currency than the
  settlement currency is refused (amounts are never converted).
- **All or nothing per batch.** The provider orders, their lines and stock, the charges, both
  journals and the forward rows of a batch are one transaction. Refusals are outcomes, not errors:
  they are recorded (the contractor's card says why) in the same transaction.
- **Set-based.** A batch of up to ``BATCH_SIZE`` orders costs a constant number of queries, whatever
  its size (provider orders through ``orders.services.orders_create_many``).

Locks are taken in one order — the link, then the provider's stock rows (by id) — so concurrent
forwards never deadlock; batches of one link run one after another. The contractor's orders are not
locked (their claim decides).

What the supplier receives follows its order-download settings (target status, payment, delivery
cost, line matching, source warehouse, price group, overwritten product data, additional
information), after the contractor's own (hide prices, overwrite invoice data). With hidden prices
the trade credit is charged the goods at the supplier's prices (``_hidden_value``). A provider order
cancelled later gives its charge back (``charge_return``, a consumer of status changes), and so does
one deleted (``charge_return_deleted``, in the deleting transaction) — once, whichever comes first.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.signals import pre_delete
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from accounts import roles
from accounts.language import account_language
from accounts.models import Role
from accounts.tenancy import Tenant, require_role
from catalog.models import Price, PriceGroup, Product, ProductLink, ProductText
from catalog.services import stock_levels_lock
from changes import topics
from changes.origin import Origin
from config.stored_messages import Joined, Message, Money, Stored, message_encode, message_json
from connect.models import (
    AdditionalInfo,
    ConnectIntegration,
    ContractorLink,
    ContractorSettings,
    CreditEntry,
    ForwardedOrder,
    ProviderOrderSettings,
)
from connect.selectors import credit_summary
from connect.services import credit_currency_refusal, credit_short_refusal, source_name
from orders import actions as actions_registry
from orders import services as order_services
from orders.models import JournalEntry, Order, OrderLine, OrderSource, OrderStatus

logger = logging.getLogger("connect.forwarding")

BATCH_SIZE = 100
ACTION_KEY = "connect_forward"
CONSUMER = "connect.forwarding"
TWO_PLACES = Decimal("0.01")

# Copied from the contractor's order as they are (delivery price and payment are decided below).
COPIED_FIELDS = (
    "user_login",
    "email",
    "phone",
    "payment_method",
    "payment_method_cod",
    *sorted(order_services.DELIVERY_FIELDS - {"delivery_price"}),
)
INVOICE_COPIED = tuple(sorted(order_services.INVOICE_FIELDS))
INVOICE_FROM_SETTINGS = (
    "invoice_fullname",
    "invoice_company",
    "invoice_nip",
    "invoice_address",
    "invoice_city",
    "invoice_postcode",
    "invoice_country_code",
)


REASON_LENGTH = ForwardedOrder._meta.get_field("reason").max_length

# ------------------------------------------------------------------------------------- outcomes


@dataclass(frozen=True)
class ForwardOutcome:
    """What happened to one contractor order: ``forwarded`` now, ``refused`` (``reason``), or
    ``already`` forwarded before (``provider_order_id`` then names the existing provider order)."""

    order_id: int
    state: str
    provider_order_id: int | None = None
    reason: Stored = ""
    charged: Decimal | None = None
    currency: str = ""

    FORWARDED = "forwarded"
    REFUSED = "refused"
    ALREADY = "already"

    def describe(self) -> Stored:
        """The outcome in words, untranslated (automatic-action runs keep it)."""
        if self.state == self.FORWARDED:
            forwarded = Message(
                gettext_noop("forwarded as the supplier's order #%(id)s"), id=self.provider_order_id
            )
            if not self.charged:
                return forwarded
            charged = Message(
                gettext_noop("%(amount)s charged to the trade credit"),
                amount=Money(self.charged, self.currency),
            )
            return Joined(" · ", [forwarded, charged])
        if self.state == self.ALREADY:
            if self.provider_order_id:
                return Message(
                    gettext_noop("already forwarded as the supplier's order #%(id)s"),
                    id=self.provider_order_id,
                )
            return Message(gettext_noop("already forwarded"))
        return Message(gettext_noop("not forwarded: %(reason)s"), reason=self.reason)


@dataclass
class ForwardResult:
    outcomes: list[ForwardOutcome] = field(default_factory=list)

    def _of(self, state: str) -> list[ForwardOutcome]:
        return [o for o in self.outcomes if o.state == state]

    @property
    def forwarded(self) -> list[ForwardOutcome]:
        return self._of(ForwardOutcome.FORWARDED)

    @property
    def refused(self) -> list[ForwardOutcome]:
        return self._of(ForwardOutcome.REFUSED)

    @property
    def already(self) -> list[ForwardOutcome]:
        return self._of(ForwardOutcome.ALREADY)


# ---------------------------------------------------------------------------------------- reads


def forwarding_integrations(*, account) -> QuerySet[ConnectIntegration]:
    """The account's supplier integrations whose provider takes orders and which are still connected
    (a blocked one is listed: forwarding to it is refused with the reason)."""
    return (
        ConnectIntegration.objects.alive()
        .filter(
            account=account,
            role=ConnectIntegration.Role.CONTRACTOR,
            provider_link__contractor_account=account,
            provider_link__disconnected_at__isnull=True,
            provider_link__provider_integration__orders_enabled=True,
        )
        .order_by("display_name", "id")
    )


def _integration_for(actor: Tenant, integration: ConnectIntegration | None) -> ConnectIntegration:
    if integration is None:
        candidates = list(forwarding_integrations(account=actor.account)[:2])
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise ValidationError({"integration": [_("You have no Connect supplier that takes orders.")]})
        raise ValidationError({"integration": [_("Choose the supplier to forward to.")]})
    current = (
        ConnectIntegration.objects.alive()
        .filter(account=actor.account, pk=integration.pk, role=ConnectIntegration.Role.CONTRACTOR)
        .first()
    )
    if current is None:
        raise ValidationError({"integration": [_("This supplier integration does not exist.")]})
    return current


def _closed_reason(link: ContractorLink) -> Message | None:
    """Why nothing may cross ``link`` now (None: it is open and the supplier takes orders)."""
    provider = link.provider_integration
    if link.disconnected_at is not None or provider.deleted_at is not None:
        return Message(gettext_noop("The connection with this supplier has ended; nothing can be forwarded."))
    if link.state == ContractorLink.State.BLOCKED:
        return Message(
            gettext_noop(
                "The supplier has blocked your account; nothing can be forwarded until it activates it."
            )
        )
    if link.state != ContractorLink.State.ACTIVE:
        return Message(gettext_noop("The supplier has not approved your account yet."))
    if not provider.orders_enabled:
        return Message(gettext_noop("This supplier does not take orders."))
    return None


# -------------------------------------------------------------------------------------- forward


def forward(
    *,
    actor: Tenant,
    order_ids: list[int],
    integration: ConnectIntegration | None = None,
    origin: Origin | None = None,
    batch_size: int = BATCH_SIZE,
) -> ForwardResult:
    """Forward the actor's orders ``order_ids`` to the supplier of ``integration`` (by default the
    account's only supplier that takes orders). Members may forward (like pressing an order button).

    Orders that are not the account's are "do not exist" (ValidationError, nothing done), like missing
    ones. Every other order gets an outcome: forwarded, refused (recorded, with the reason) or already
    forwarded. Idempotent: forwarding again answers "already". Batches of ``batch_size`` orders, each
    one transaction (see the module's guarantees)."""
    require_role(actor, roles.ORDERS.role_for(roles.Act.WRITE))
    ids = list(dict.fromkeys(order_ids))
    if not ids:
        raise ValidationError({"orders": [_("Choose at least one order.")]})
    integration = _integration_for(actor, integration)
    found = set(Order.objects.filter(account=actor.account, pk__in=ids).values_list("pk", flat=True))
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ValidationError(
            {
                "orders": [
                    ngettext("Order %(ids)s does not exist.", "Orders %(ids)s do not exist.", len(missing))
                    % {"ids": ", ".join(f"#{pk}" for pk in missing[:20])}
                ]
            }
        )
    link_id = (
        ContractorLink.objects.filter(contractor_integration=integration, contractor_account=actor.account)
        .values_list("pk", flat=True)
        .get()
    )
    origin = origin or Origin.of_tenant(actor)
    result = ForwardResult()
    for start in range(0, len(ids), max(1, batch_size)):
        result.outcomes.extend(_forward_batch(actor, link_id, ids[start : start + batch_size], origin))
    return result


def _claim(link: ContractorLink, order_ids: list[int]) -> dict[int, int]:
    """Claim the orders for this forward: insert their ForwardedOrder rows, or take over a refused
    row; an order forwarded before (or being forwarded by another transaction, which this waits for)
    is not returned. ``{contractor order id: forwarded row id}``."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO connect_forwardedorder
                   (link_id, contractor_account_id, provider_account_id, contractor_order_id,
                    provider_order_id, state, charge_id, refund_id, reason, created_at, updated_at)
            SELECT %(link)s, %(contractor)s, %(provider)s, ids.id, NULL, 'forwarded', NULL, NULL, '',
                   now(), now()
              FROM unnest(%(ids)s::bigint[]) AS ids(id)
            ON CONFLICT (contractor_order_id) DO UPDATE
               SET link_id = EXCLUDED.link_id, provider_account_id = EXCLUDED.provider_account_id,
                   state = 'forwarded', reason = '', updated_at = now()
             WHERE connect_forwardedorder.state = 'refused'
               AND connect_forwardedorder.contractor_account_id = EXCLUDED.contractor_account_id
            RETURNING contractor_order_id, id
            """,
            {
                "link": link.pk,
                "contractor": link.contractor_account_id,
                "provider": link.provider_account_id,
                "ids": sorted(order_ids),
            },
        )
        return dict(cursor.fetchall())


@dataclass
class _Plan:
    """A provider order being built from one contractor order."""

    order: Order
    row_id: int
    lines: list[dict] = field(default_factory=list)
    fields: dict = field(default_factory=dict)
    total: Decimal = Decimal("0")
    reason: Stored = ""  # why it is refused, untranslated
    charge: Decimal | None = None
    # With hidden prices and trade credit: the goods at the supplier's prices (what is charged) and
    # the names of the price groups they come from (the ledger says so).
    value: Decimal | None = None
    value_groups: list[str] = field(default_factory=list)


def _forward_batch(actor: Tenant, link_id: int, ids: list[int], origin: Origin) -> list[ForwardOutcome]:
    with transaction.atomic():
        link = (
            ContractorLink.objects.select_for_update(of=("self",))
            .select_related(
                "provider_integration__order_settings__target_status",
                "contractor_integration__contractor_settings",
                "provider_account",
                "order_source",
            )
            .get(pk=link_id, contractor_account=actor.account)
        )
        # The contractor's orders are read, not locked: the claim below decides who forwards each, and
        # a status change on them (or its propagation) never waits for a forward.
        orders = list(
            Order.objects.select_related("status").filter(account=actor.account, pk__in=ids).order_by("pk")
        )
        claimed = _claim(link, [o.pk for o in orders])
        outcomes: dict[int, ForwardOutcome] = {}
        if len(claimed) < len(orders):
            outcomes |= _already(actor, [o.pk for o in orders if o.pk not in claimed])
        plans = [_Plan(order=o, row_id=claimed[o.pk]) for o in orders if o.pk in claimed]
        if plans:
            closed = _closed_reason(link)
            if closed:
                for plan in plans:
                    plan.reason = closed
            else:
                _build(actor, link, plans)
            outcomes |= _commit(actor, link, plans, origin)
        return [outcomes[pk] for pk in ids if pk in outcomes]


def _already(actor: Tenant, order_ids: list[int]) -> dict[int, ForwardOutcome]:
    rows = ForwardedOrder.objects.filter(
        contractor_account=actor.account, contractor_order_id__in=order_ids
    ).values_list("contractor_order_id", "provider_order_id")
    return {
        pk: ForwardOutcome(order_id=pk, state=ForwardOutcome.ALREADY, provider_order_id=provider)
        for pk, provider in rows
    }


# ---------------------------------------------------------------------------- building the orders


class _Matcher:
    """Finds the supplier's product for contractor order lines, for one batch, in a constant number of
    queries: a line picked from the shared catalog (``external_product``) or of a product linked to it
    (``ProductLink``) always matches its provider product; other lines by SKU, then EAN, in the
    provider's matching catalog (when it has one)."""

    def __init__(
        self,
        link: ContractorLink,
        settings: ProviderOrderSettings,
        lines: list[OrderLine],
        *,
        prices: bool = False,
    ):
        provider = link.provider_account_id
        self.settings = settings
        self.linked = dict(
            ProductLink.objects.filter(
                account_id=link.contractor_account_id,
                storage="connect",
                storage_id=link.contractor_integration_id,
                product_id__in={line.product_id for line in lines if line.product_id},
                external_product__isnull=False,
            ).values_list("product_id", "external_product_id")
        )
        self.by_sku: dict[str, int] = {}
        self.by_ean: dict[str, int] = {}
        if settings.match_inventory_id:
            pending = [line for line in lines if not self._direct(line)]
            skus = {line.sku for line in pending if line.sku}
            eans = {line.ean for line in pending if line.ean}
            candidates = Product.objects.filter(account_id=provider, inventory_id=settings.match_inventory_id)
            if skus:
                for pk, sku in candidates.filter(sku__in=skus).order_by("-pk").values_list("pk", "sku"):
                    self.by_sku[sku] = pk  # the lowest id wins
            if eans:
                for pk, ean in candidates.filter(ean__in=eans).order_by("-pk").values_list("pk", "ean"):
                    self.by_ean[ean] = pk
        wanted = (
            {self._direct(line) for line in lines} | set(self.by_sku.values()) | set(self.by_ean.values())
        )
        wanted.discard(None)
        self.products = {
            p.pk: p
            for p in Product.objects.filter(account_id=provider, pk__in=wanted).select_related("inventory")
        }
        self.names: dict[int, str] = {}
        if settings.overwrite_name and self.products:
            # The name in the product's catalog's default language, else in any other; an empty
            # name is none (the contractor's line keeps its own then).
            texts = (
                ProductText.objects.filter(product__account_id=provider, product_id__in=self.products)
                .exclude(name="")
                .values_list("product_id", "language", "name")
            )
            for product_id, language, name in sorted(texts, key=lambda t: t[1]):
                product = self.products[product_id]
                if product_id not in self.names or language == product.inventory.default_language:
                    self.names[product_id] = name
        # The supplier's prices, for "overwrite price" and for valuing an order whose prices are hidden
        # (``prices``), with the name and currency of their price groups.
        self.prices: dict[tuple[int, int], Decimal] = {}
        self.groups: dict[int, tuple[str, str]] = {}
        if (settings.overwrite_price or prices) and self.products:
            groups = {self._price_group(p) for p in self.products.values()}
            self.prices = {
                (product_id, group): amount
                for product_id, group, amount in Price.objects.filter(
                    product__account_id=provider, product_id__in=self.products, price_group_id__in=groups
                ).values_list("product_id", "price_group_id", "amount")
            }
            if prices:
                self.groups = {
                    pk: (name, currency)
                    for pk, name, currency in PriceGroup.objects.filter(
                        account_id=provider, pk__in=groups
                    ).values_list("pk", "name", "currency")
                }

    def _direct(self, line: OrderLine) -> int | None:
        if line.external_product_id:
            return line.external_product_id
        return self.linked.get(line.product_id)

    def _price_group(self, product: Product) -> int:
        return self.settings.price_group_id or product.inventory.default_price_group_id

    def product_for(self, line: OrderLine) -> Product | None:
        direct = self._direct(line)
        if direct is not None:
            return self.products.get(direct)
        pk = self.by_sku.get(line.sku) if line.sku else None
        if pk is None and line.ean:
            pk = self.by_ean.get(line.ean)
        return self.products.get(pk) if pk is not None else None

    def warehouse_for(self, product: Product) -> int:
        return self.settings.source_warehouse_id or product.inventory.default_warehouse_id

    def price_for(self, product: Product) -> Decimal | None:
        return self.prices.get((product.pk, self._price_group(product)))

    def group_for(self, product: Product) -> tuple[str, str] | None:
        """The name and currency of the price group ``price_for`` reads (when prices were loaded)."""
        return self.groups.get(self._price_group(product))


def _line_for(line: OrderLine, matcher: _Matcher, contractor: ContractorSettings) -> dict | None:
    """The provider's line for a contractor line (None: left out, the supplier omits unmatched ones).
    The contractor's settings apply first (hide prices), then the provider's (overwrite product data)."""
    settings = matcher.settings
    data = {
        "name": line.name,
        "sku": line.sku,
        "ean": line.ean,
        "attributes": line.attributes,
        "quantity": line.quantity,
        "price_brutto": Decimal("0") if contractor.hide_prices else line.price_brutto,
        "tax_rate": line.tax_rate,
        "weight": line.weight,
    }
    product = matcher.product_for(line)
    if product is None:
        return None if settings.omit_unmatched else data
    data["product_id"] = product.pk
    data["warehouse_id"] = matcher.warehouse_for(product)
    data["sku"] = product.sku or line.sku
    data["ean"] = product.ean or line.ean
    if settings.overwrite_name and matcher.names.get(product.pk):
        data["name"] = matcher.names[product.pk][:200]
    if settings.overwrite_price:
        price = matcher.price_for(product)
        if price is not None:
            data["price_brutto"] = price
    if settings.overwrite_tax_rate:
        data["tax_rate"] = product.tax_rate
    if settings.overwrite_weight or not line.weight:
        # A contractor line without a weight (a free line) takes the matched product's: packages made
        # from the order (the WMS's too) are weighed from their lines.
        data["weight"] = product.weight
    return data


def _fields_for(
    plan: _Plan,
    link: ContractorLink,
    settings: ProviderOrderSettings,
    contractor: ContractorSettings,
    source: OrderSource,
) -> dict:
    order = plan.order
    fields = {name: getattr(order, name) for name in COPIED_FIELDS}
    fields.update(
        status=settings.target_status,
        source=source,
        currency=order.currency,
        external_order_id=str(order.pk),
        # The contractor sent it on purpose: a confirmed order, which the supplier's integrations read
        # (BaseLinker's getOrders pages confirmed orders by their confirmation time).
        confirmed=True,
        delivery_price=(
            Decimal("0")
            if contractor.hide_prices or settings.delivery_cost == ProviderOrderSettings.DeliveryCost.ZERO
            else order.delivery_price
        ),
    )
    if contractor.overwrite_invoice:
        fields.update({name: getattr(contractor, name) for name in INVOICE_FROM_SETTINGS})
        fields.update(invoice_state="", want_invoice=True)
    else:
        fields.update({name: getattr(order, name) for name in INVOICE_COPIED})
    # The additional information both sides chose: the contractor sends it, the provider receives it.
    for name in set(contractor.additional_info or ()) & set(settings.additional_info or ()):
        if name in AdditionalInfo.values:
            fields[name] = getattr(order, name)
    return fields


def _payment_for(plan: _Plan, settings: ProviderOrderSettings, contractor: ContractorSettings, source_total):
    if plan.charge:
        return plan.total
    if settings.payment == ProviderOrderSettings.Payment.PAID:
        return plan.total
    if settings.payment == ProviderOrderSettings.Payment.UNPAID:
        return Decimal("0")
    order = plan.order
    if order.payment_done >= source_total > 0:
        return plan.total  # paid in full there, paid in full here
    return Decimal("0") if contractor.hide_prices else min(order.payment_done, plan.total)


def _hidden_value(plan: _Plan, matcher: _Matcher, link: ContractorLink) -> Message | None:
    """Value an order whose prices the contractor hides, for its trade-credit charge; the refusal, if
    it cannot be valued (None: ``plan.value`` is set).

    The supplier's order carries no prices then (that is what hiding them means), so its total is no
    measure of the goods. What is charged is the goods at the supplier's own prices: each matched
    line's price in the price group "overwrite price" takes (the download settings' price group, else
    the catalog's default) × its quantity. Delivery is not charged: its only price is the contractor's
    own, which hiding prices keeps from the supplier.

    A line without a supplier price — an unmatched (free) line, or a product without a price in that
    group — cannot be valued. Charging the other lines only would hand it over on credit for nothing,
    so the order is refused, naming those lines: the contractor can show its prices, or the supplier
    price the products (or leave unmatched products out). Amounts are never converted: a price group
    in another currency than the settlement currency refuses the order too."""
    unpriced: list[str] = []
    currencies: dict[str, str] = {}
    groups: list[str] = []
    value = Decimal("0")
    for data in plan.lines:
        product = matcher.products.get(data.get("product_id"))
        price = matcher.price_for(product) if product is not None else None
        group = matcher.group_for(product) if product is not None else None
        if price is None or group is None:
            unpriced.append(data["sku"] or data["name"])
            continue
        name, currency = group
        currencies.setdefault(currency, name)
        if name not in groups:
            groups.append(name)
        value += price * data["quantity"]
    if unpriced:
        return Message(
            gettext_noop(
                "Your prices are hidden from the supplier, so the trade credit is charged at the supplier's "
                "prices, and it has none for: %(lines)s. Show your prices to the supplier, or ask it to "
                "price these products (or to leave unmatched products out)."
            ),
            lines=", ".join(unpriced[:10]) + (" …" if len(unpriced) > 10 else ""),
        )
    for currency, name in currencies.items():
        if currency != link.credit_currency:
            return Message(
                gettext_noop(
                    "Your prices are hidden, so the trade credit is charged at the supplier's prices, but "
                    "its price group %(group)s is in %(currency)s and the credit is settled in "
                    "%(settlement)s; amounts are not converted."
                ),
                group=name,
                currency=currency,
                settlement=link.credit_currency,
            )
    plan.value = value.quantize(TWO_PLACES)
    plan.value_groups = groups
    return None


def _build(actor: Tenant, link: ContractorLink, plans: list[_Plan]) -> None:
    """Decide each plan: its provider lines and fields, or why it is refused. Stock and credit are
    taken order after order from amounts read under lock, so what is accepted fits together."""
    settings = link.provider_integration.order_settings
    contractor = link.contractor_integration.contractor_settings
    provider = link.provider_account
    lines_of: dict[int, list[OrderLine]] = defaultdict(list)
    all_lines = list(
        OrderLine.objects.filter(
            order__account=actor.account, order_id__in=[p.order.pk for p in plans]
        ).order_by("order_id", "id")
    )
    for line in all_lines:
        lines_of[line.order_id].append(line)
    # Hidden prices with trade credit: the charge is the goods at the supplier's prices (_hidden_value).
    hidden_value = contractor.hide_prices and link.credit_limit is not None
    matcher = _Matcher(link, settings, all_lines, prices=hidden_value)
    source = _order_source(link)
    source_totals: dict[int, Decimal] = {}
    for plan in plans:
        order = plan.order
        lines = lines_of.get(order.pk, [])
        source_totals[order.pk] = sum((li.price_brutto * li.quantity for li in lines), Decimal("0")) + (
            order.delivery_price
        )
        if order.is_technical:
            plan.reason = Message(
                gettext_noop("A technical (merged) order is not forwarded; forward the orders it merges.")
            )
        elif order.status.kind == OrderStatus.Kind.CANCELLED:
            plan.reason = Message(gettext_noop("A cancelled order is not forwarded."))
        elif not lines:
            plan.reason = Message(gettext_noop("The order has no lines."))
        else:
            plan.lines = [
                data for line in lines if (data := _line_for(line, matcher, contractor)) is not None
            ]
            if not plan.lines:
                plan.reason = Message(
                    gettext_noop(
                        "None of the order's lines matches the supplier's products, and the supplier leaves "
                        "unmatched products out."
                    )
                )
        if plan.reason:
            continue
        plan.fields = _fields_for(plan, link, settings, contractor, source)
        plan.total = (
            sum((d["price_brutto"] * d["quantity"] for d in plan.lines), Decimal("0"))
            + plan.fields["delivery_price"]
        ).quantize(TWO_PLACES)
    candidates = [p for p in plans if not p.reason]
    stock = (
        stock_levels_lock(
            account=provider,
            pairs={
                (d["product_id"], d["warehouse_id"]) for p in candidates for d in p.lines if "product_id" in d
            },
        )
        if provider.stock_reservation
        else {}
    )
    available = credit_summary(link=link).available if link.credit_limit is not None else None
    credit_method: str | None = None
    for plan in candidates:
        if available is not None:
            problem = (
                _hidden_value(plan, matcher, link)
                if hidden_value
                else credit_currency_refusal(link=link, currency=plan.order.currency)
            )
            if problem:
                plan.reason = problem
                continue
        needs: dict[tuple[int, int], int] = defaultdict(int)
        if provider.stock_reservation:
            for d in plan.lines:
                if "product_id" in d:
                    needs[(d["product_id"], d["warehouse_id"])] += d["quantity"]
        short = [(pair, n) for pair, n in needs.items() if stock.get(pair, 0) < n]
        if short:
            skus = {d["product_id"]: d["sku"] for d in plan.lines if "product_id" in d}
            plan.reason = Message(
                gettext_noop("Not enough stock at the supplier — %(details)s"),
                details=Joined(
                    "; ",
                    [
                        Message(
                            gettext_noop("%(sku)s: %(requested)s requested, %(available)s in stock"),
                            sku=skus.get(p) or f"#{p}",
                            requested=n,
                            available=stock.get((p, w), 0),
                        )
                        for (p, w), n in short
                    ],
                ),
            )
            continue
        amount = plan.value if plan.value is not None else plan.total
        if available is not None and amount > 0:
            short = credit_short_refusal(link=link, amount=amount, available=available)
            if short:
                plan.reason = short
                continue
            available -= amount
            plan.charge = amount
        for pair, n in needs.items():
            stock[pair] -= n
        payment = _payment_for(plan, settings, contractor, source_totals[plan.order.pk])
        plan.fields["payment_done"] = payment
        if plan.charge:
            if credit_method is None:
                # The supplier's order in the supplier's words, not those of the contractor forwarding it.
                with translation.override(account_language(provider)):
                    credit_method = _("Trade credit")[:100]
            plan.fields["payment_method"] = credit_method


def _order_source(link: ContractorLink) -> OrderSource:
    """The provider's order source of this contractor, "Connect: <name>" (made when it joined; for a
    link older than that, by its first forward). The link is locked by the caller."""
    if link.order_source is not None:
        return link.order_source
    link.order_source = OrderSource.objects.create(
        account_id=link.provider_account_id,
        kind=OrderSource.Kind.CONNECT,
        name=source_name(link.name),
    )
    link.save(update_fields=["order_source"])
    return link.order_source


# ------------------------------------------------------------------------------------ writing


def _commit(
    actor: Tenant, link: ContractorLink, plans: list[_Plan], origin: Origin
) -> dict[int, ForwardOutcome]:
    """Write the batch: provider orders, charges, forward rows, both journals."""
    accepted = [p for p in plans if not p.reason]
    refused = [p for p in plans if p.reason]
    supplier = link.contractor_integration.display_name
    depth = origin.depth + 1
    provider_origin = Origin.connect(link.pk, link.name, depth=depth)
    contractor_origin = Origin.connect(link.pk, supplier, depth=depth)
    provider_orders = order_services.orders_create_many(
        account=link.provider_account,
        orders=[
            {
                "fields": plan.fields,
                "lines": plan.lines,
                "journal": {"connect": {"contractor_order_id": plan.order.pk, "contractor": link.name}},
            }
            for plan in accepted
        ],
        origin=provider_origin,
    )
    charged = [(plan, order) for plan, order in zip(accepted, provider_orders, strict=True) if plan.charge]
    charges = CreditEntry.objects.bulk_create(
        CreditEntry(
            link=link,
            kind=CreditEntry.Kind.CHARGE,
            amount=plan.charge,
            currency=link.credit_currency,
            order=order,
            description=_charge_description(plan, order),
            actor=message_encode(origin.label, 200),
        )
        for plan, order in charged
    )
    charge_of = {plan.order.pk: entry for (plan, _order), entry in zip(charged, charges, strict=True)}
    decided = [
        (plan.row_id, order.pk, getattr(charge_of.get(plan.order.pk), "pk", None), "forwarded", "")
        for plan, order in zip(accepted, provider_orders, strict=True)
    ] + [(plan.row_id, None, None, "refused", message_encode(plan.reason, REASON_LENGTH)) for plan in refused]
    _rows_decide(link, decided)
    by = message_json(origin.label)
    if accepted:
        order_services.journal_add_many(
            orders=[plan.order for plan in accepted],
            type=JournalEntry.Type.ORDER_FORWARDED,
            origin=contractor_origin,
            object_ids=[order.pk for order in provider_orders],
            data=[
                {
                    "supplier": supplier,
                    "provider_order_id": order.pk,
                    "charged": str(plan.charge) if plan.charge else None,
                    "currency": link.credit_currency if plan.charge else "",
                    "by": by,
                }
                for plan, order in zip(accepted, provider_orders, strict=True)
            ],
        )
    if refused:
        order_services.journal_add_many(
            orders=[plan.order for plan in refused],
            type=JournalEntry.Type.FORWARD_REFUSED,
            origin=contractor_origin,
            data=[{"supplier": supplier, "reason": message_json(plan.reason), "by": by} for plan in refused],
        )
    if accepted or refused:
        logger.info(
            "connect: link %s forwarded %s order(s), refused %s (by %s)",
            link.pk,
            len(accepted),
            len(refused),
            origin.label,
        )
    outcomes = {
        plan.order.pk: ForwardOutcome(
            order_id=plan.order.pk,
            state=ForwardOutcome.FORWARDED,
            provider_order_id=order.pk,
            charged=plan.charge,
            currency=link.credit_currency if plan.charge else "",
        )
        for plan, order in zip(accepted, provider_orders, strict=True)
    }
    outcomes |= {
        plan.order.pk: ForwardOutcome(
            order_id=plan.order.pk, state=ForwardOutcome.REFUSED, reason=plan.reason
        )
        for plan in refused
    }
    return outcomes


def _charge_description(plan: _Plan, order: Order) -> Message:
    """The ledger's words for a forward's charge, naming its basis when prices were hidden (untranslated:
    each side reads it in its language)."""
    ids = {"provider": order.pk, "contractor": plan.order.pk}
    if plan.value is None:
        forwarded = gettext_noop("Order #%(provider)s (the contractor's #%(contractor)s), forwarded")
        return Message(forwarded, **ids)
    return Message(
        gettext_noop(
            "Order #%(provider)s (the contractor's #%(contractor)s), forwarded with hidden prices: the goods "
            "at the supplier's prices (price group %(groups)s), delivery not charged"
        ),
        groups=", ".join(plan.value_groups),
        **ids,
    )


def _rows_decide(link: ContractorLink, decided: list[tuple]) -> None:
    """Write the batch's forward rows (id, provider order, charge, state, reason) in one statement."""
    if not decided:
        return
    ids, orders, charges, states, reasons = (list(column) for column in zip(*decided, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE connect_forwardedorder AS f
               SET provider_order_id = d.provider_order_id, charge_id = d.charge_id, state = d.state,
                   reason = d.reason, updated_at = clock_timestamp()
              FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::varchar[], %s::varchar[])
                   AS d(id, provider_order_id, charge_id, state, reason)
             WHERE f.id = d.id AND f.link_id = %s
            """,
            [ids, orders, charges, states, reasons, link.pk],
        )


# ------------------------------------------------------- cancelled or deleted: the charge back


def charge_return(*, provider_account_id: int, provider_order_id: int) -> CreditEntry | None:
    """Give the trade-credit charge of a forwarded order back when the provider has cancelled its order
    (its status is of the kind "cancelled"): a positive adjustment in the ledger, once (the forward
    row keeps it as ``refund``). Takes the link's row lock like every credit write; does nothing for
    an order that is not cancelled, was not charged or was given back already. Idempotent."""
    return _charge_give_back(
        provider_account_id=provider_account_id, provider_order_id=provider_order_id, deleted=False
    )


def charge_return_deleted(*, provider_account_id: int, provider_order_id: int) -> CreditEntry | None:
    """Give the trade-credit charge of a forwarded order back because the provider is deleting its
    order: the same adjustment as for a cancelled order, once — an order cancelled (and given back)
    before it is deleted is not given back again. Runs inside the deleting transaction, before the
    order's row goes (``_provider_order_deleting``), so the refund and the deletion commit or roll back
    together; the entry names the order by number, as its row will be gone. Idempotent."""
    return _charge_give_back(
        provider_account_id=provider_account_id, provider_order_id=provider_order_id, deleted=True
    )


def _charge_give_back(
    *, provider_account_id: int, provider_order_id: int, deleted: bool
) -> CreditEntry | None:
    with transaction.atomic():
        row = (
            ForwardedOrder.objects.filter(
                provider_account_id=provider_account_id, provider_order_id=provider_order_id
            )
            .values_list("pk", "link_id")
            .first()
        )
        if row is None:
            return None
        ContractorLink.objects.select_for_update(of=("self",)).filter(
            pk=row[1], provider_account_id=provider_account_id
        ).get()
        forwarded = (
            ForwardedOrder.objects.select_for_update(of=("self",))
            .select_related("charge", "provider_order__status", "link")
            .get(pk=row[0], provider_account_id=provider_account_id)
        )
        order = forwarded.provider_order
        if forwarded.refund_id is not None or forwarded.charge is None or order is None:
            return None
        if deleted:
            description = gettext_noop("Order #%(id)s deleted by the supplier: its charge is given back.")
        elif order.status.kind == OrderStatus.Kind.CANCELLED:
            description = gettext_noop("Order #%(id)s cancelled by the supplier: its charge is given back.")
        else:
            return None
        entry = CreditEntry.objects.create(
            link=forwarded.link,
            kind=CreditEntry.Kind.ADJUSTMENT,
            amount=forwarded.charge.amount,
            currency=forwarded.charge.currency,
            # A deleted order's row is going: the entry names it in its description only.
            order=None if deleted else order,
            description=Message(description, id=order.pk),
            actor=str(_("Connect")),
        )
        forwarded.refund = entry
        forwarded.save(update_fields=["refund", "updated_at"])
        logger.info(
            "connect: charge of order %s given back, %s (link %s)",
            order.pk,
            "deleted" if deleted else "cancelled",
            forwarded.link_id,
        )
        return entry


def _provider_order_deleting(sender, instance: Order, origin=None, **kwargs) -> None:
    """An order is being deleted (``pre_delete``, in the deleting transaction): if it is a provider order
    charged to a contractor's trade credit and not given back yet, give the charge back. Whatever
    deletes it through Django — a page, the API, the admin, a script — comes here; the forward row's
    state follows from the database trigger of migration 0003.

    An order deleted because its whole account is (the deletion started from the account, not from
    orders) is left alone: the account's links and ledgers go with it."""
    if not (isinstance(origin, Order) or (isinstance(origin, QuerySet) and origin.model is Order)):
        return
    if ForwardedOrder.objects.filter(
        provider_account_id=instance.account_id,
        provider_order_id=instance.pk,
        charge__isnull=False,
        refund__isnull=True,
    ).exists():
        charge_return_deleted(provider_account_id=instance.account_id, provider_order_id=instance.pk)


def _cancel_wanted(account_id: int, topic: str, payload: dict) -> bool:
    return ForwardedOrder.objects.filter(
        provider_account_id=account_id,
        provider_order_id=payload.get("order_id"),
        charge__isnull=False,
        refund__isnull=True,
        provider_order__status__kind=OrderStatus.Kind.CANCELLED,
    ).exists()


def _cancel_handle(event) -> None:
    charge_return(provider_account_id=event.account_id, provider_order_id=event.payload["order_id"])


# ------------------------------------------------------------- the automatic action "forward to…"


def _action_fields(account) -> dict[str, forms.Field]:
    choices = forwarding_integrations(account=account).values_list("pk", "display_name")
    return {
        "integration": forms.TypedChoiceField(
            label=gettext_lazy("Connect supplier"), choices=[("", "—"), *choices], coerce=int, required=False
        )
    }


def _action_clean(account, data: dict) -> dict:
    value = data.get("integration")
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        value = int(value)
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not forwarding_integrations(account=account).filter(pk=value).exists()
    ):
        raise ValidationError(_("choose one of your Connect suppliers that take orders."))
    return {"integration": value}


def _action_run(order: Order, data: dict, origin: Origin) -> str:
    integration = (
        ConnectIntegration.objects.alive()
        .filter(
            account_id=order.account_id, role=ConnectIntegration.Role.CONTRACTOR, pk=data.get("integration")
        )
        .first()
    )
    if integration is None:
        raise ValidationError(_("the Connect supplier of this action no longer exists."))
    # The rule acts for its account with a member's rights, the least that may forward.
    actor = Tenant(account=order.account, role=Role.MEMBER)
    result = forward(actor=actor, order_ids=[order.pk], integration=integration, origin=origin)
    return result.outcomes[0].describe()


FORWARD_ACTION = actions_registry.Action(
    key=ACTION_KEY,
    label=gettext_lazy("Forward to a Connect supplier"),
    fields=_action_fields,
    clean=_action_clean,
    run=_action_run,
)


def forward_button_ensure(*, integration: ConnectIntegration) -> None:
    """The contractor's "Forward to <supplier>" button on the order card and list, with the automatic
    action it fires, unless a rule already forwards to this supplier. Both can then be edited like any
    other button and rule."""
    account = integration.account
    if order_services.rules_with_action(
        account=account, action={"type": ACTION_KEY, "integration": integration.pk}
    ):
        return
    order_services.button_with_rule_create(
        account=account,
        name=_("Forward to %(name)s") % {"name": integration.display_name},
        color="#2e7d32",
        actions=[{"type": ACTION_KEY, "integration": integration.pk}],
    )


def forwarding_register() -> None:
    """Called from ``ConnectConfig.ready()``: the action type, the consumer of status changes (a
    cancelled order's charge back) and the receiver of order deletions (a deleted order's)."""
    from changes import registry

    actions_registry.register(FORWARD_ACTION)
    registry.register(
        CONSUMER, topics=[topics.ORDER_STATUS_CHANGED], handler=_cancel_handle, wants=_cancel_wanted
    )
    pre_delete.connect(_provider_order_deleting, sender=Order, dispatch_uid="connect-forward-order-deleted")
