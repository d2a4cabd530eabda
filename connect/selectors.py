"""Every read of Connect.

Reads of the actor's own rows take ``account``. Reads that cross to the partner's account have names
that say so (``..._for_contractor`` / ``..._for_provider``), take the link, and answer nothing unless
the link is open (active and connected): a blocked or disconnected link opens nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Account
from config.crypto import SecretUnreadable
from connect.codes import code_display
from connect.models import (
    ConnectIntegration,
    ConnectionCode,
    ConnectionRequest,
    ContractorLink,
    CreditEntry,
    ForwardedOrder,
    ProviderSharingSettings,
    StatusMapping,
)
from orders.models import Order, OrderStatus

ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=16, decimal_places=2)


# -------------------------------------------------------------------------------- integrations


def integration_list(*, account: Account, role: str | None = None) -> QuerySet[ConnectIntegration]:
    """The account's integrations (not deleted), providers and contractors, by name."""
    queryset = ConnectIntegration.objects.alive().filter(account=account)
    if role:
        queryset = queryset.filter(role=role)
    return queryset.select_related(
        "order_settings", "sharing_settings", "contractor_settings", "provider_link"
    ).order_by("role", "display_name", "id")


def integration_get(
    *, account: Account, pk: int, role: str | None = None, include_deleted: bool = False
) -> ConnectIntegration:
    """One of the account's integrations; Http404 for a missing, deleted or foreign one (deleted ones
    too with ``include_deleted``: their pages stay readable for the ledgers and history)."""
    queryset = ConnectIntegration.objects.filter(account=account, pk=pk)
    if not include_deleted:
        queryset = queryset.filter(deleted_at__isnull=True)
    if role:
        queryset = queryset.filter(role=role)
    integration = queryset.select_related(
        "order_settings", "sharing_settings", "sharing_settings__inventory", "contractor_settings"
    ).first()
    if integration is None:
        raise Http404
    return integration


def with_active_code(queryset: QuerySet[ConnectIntegration]) -> QuerySet[ConnectIntegration]:
    """Load each provider integration's current code row with it (``active_codes``), for lists."""
    return queryset.prefetch_related(
        Prefetch(
            "codes", queryset=ConnectionCode.objects.filter(revoked_at__isnull=True), to_attr="active_codes"
        )
    )


def _active_code(integration: ConnectIntegration) -> ConnectionCode | None:
    loaded = getattr(integration, "active_codes", None)
    if loaded is not None:
        return loaded[0] if loaded else None
    return ConnectionCode.objects.filter(integration=integration, revoked_at__isnull=True).first()


def provider_code(*, integration: ConnectIntegration) -> str | None:
    """The provider integration's current code, grouped for reading; None when it cannot be decrypted
    (the encryption key changed: regenerate it)."""
    row = _active_code(integration)
    if row is None:
        return None
    try:
        return code_display(row.code)
    except SecretUnreadable:
        return None


def provider_code_created_at(*, integration: ConnectIntegration):
    row = _active_code(integration)
    return row.created_at if row is not None else None


# ------------------------------------------------------------------------------- trade credit


def with_credit(queryset: QuerySet[ContractorLink]) -> QuerySet[ContractorLink]:
    """Annotate ``credit_used`` (charges − payments − adjustments) and ``credit_available`` (limit −
    used; None without a limit), computed from the ledger in the same query."""
    return queryset.with_credit()


@dataclass(frozen=True)
class CreditSummary:
    limit: Decimal | None
    currency: str
    charges: Decimal
    payments: Decimal
    adjustments: Decimal

    @property
    def used(self) -> Decimal:
        return self.charges - self.payments - self.adjustments

    @property
    def owed(self) -> Decimal:
        """What the contractor owes (0 when paid ahead)."""
        return max(self.used, ZERO)

    @property
    def prepaid(self) -> Decimal:
        """Paid ahead: a balance in the contractor's favour (payments beyond what was charged)."""
        return max(-self.used, ZERO)

    @property
    def has_balance(self) -> bool:
        """Something is owed or prepaid: shown even when the limit was cleared."""
        return self.used != ZERO

    @property
    def available(self) -> Decimal | None:
        """limit − charges + payments + adjustments; None when the contractor has no trade credit.
        Negative when the limit was lowered below what is used."""
        return None if self.limit is None else self.limit - self.used


def credit_summary(*, link: ContractorLink) -> CreditSummary:
    """The contractor's credit, summed from the ledger now (one query)."""
    sums = CreditEntry.objects.filter(link_id=link.pk).aggregate(
        charges=Coalesce(
            Sum("amount", filter=Q(kind=CreditEntry.Kind.CHARGE)), Value(ZERO), output_field=_MONEY
        ),
        payments=Coalesce(
            Sum("amount", filter=Q(kind=CreditEntry.Kind.PAYMENT)), Value(ZERO), output_field=_MONEY
        ),
        adjustments=Coalesce(
            Sum("amount", filter=Q(kind=CreditEntry.Kind.ADJUSTMENT)), Value(ZERO), output_field=_MONEY
        ),
    )
    return CreditSummary(
        limit=link.credit_limit, currency=link.credit_currency, **{k: Decimal(v) for k, v in sums.items()}
    )


def stock_blocked(*, link: ContractorLink, summary: CreditSummary | None = None) -> bool:
    """True when the provider's "block stock below" applies: the contractor then sees all stock as 0."""
    if link.block_stock_below is None or link.credit_limit is None:
        return False
    summary = summary or credit_summary(link=link)
    return summary.available is not None and summary.available < link.block_stock_below


def credit_order_list(*, link: ContractorLink) -> QuerySet[Order]:
    """The provider's orders a ledger entry of this contractor may name: those the contractor forwarded
    to the provider (its other orders are no business of this contractor's ledger)."""
    return Order.objects.filter(account_id=link.provider_account_id, connect_source__link_id=link.pk)


def credit_entry_list(*, link: ContractorLink) -> QuerySet[CreditEntry]:
    """The ledger, newest first."""
    return CreditEntry.objects.filter(link=link).select_related("order").order_by("-created_at", "-id")


# -------------------------------------------------------------------------- provider: contractors


def contractor_list(
    *, integration: ConnectIntegration, search: str = "", state: str = ""
) -> QuerySet[ContractorLink]:
    """The contractors of one of the account's provider integrations, with their credit.

    ``state``: active, blocked, awaiting, disconnected, or "" for every connected one; ``search``
    matches the name on this side, the contractor's company name, VAT number and e-mail.
    """
    queryset = ContractorLink.objects.filter(
        provider_integration=integration, provider_account_id=integration.account_id
    )
    if state == "disconnected":
        queryset = queryset.filter(disconnected_at__isnull=False)
    elif state == "all":
        pass
    else:
        queryset = queryset.filter(disconnected_at__isnull=True)
        if state:
            queryset = queryset.filter(state=state)
    search = search.strip()
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search)
            | Q(contractor_account__name__icontains=search)
            | Q(contractor_account__vat_number__icontains=search)
            | Q(contractor_account__email__icontains=search)
        )
    forwarded = (
        ForwardedOrder.objects.filter(
            link_id=OuterRef("pk"), state=ForwardedOrder.State.FORWARDED, provider_order__isnull=False
        )
        .values("link_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        with_credit(queryset.select_related("contractor_account"))
        .annotate(forwarded_count=Coalesce(Subquery(forwarded, output_field=IntegerField()), Value(0)))
        .order_by("name", "id")
    )


def contractor_get(
    *, account: Account, integration_pk: int, pk: int, include_deleted: bool = False
) -> ContractorLink:
    """One contractor of one of the account's provider integrations; Http404 otherwise (another
    provider's contractor and a missing one alike). ``include_deleted``: of a deleted integration too
    (read-only pages)."""
    queryset = ContractorLink.objects.filter(
        pk=pk, provider_account=account, provider_integration_id=integration_pk
    )
    if not include_deleted:
        queryset = queryset.filter(provider_integration__deleted_at__isnull=True)
    link = (
        with_credit(queryset)
        .select_related("contractor_account", "provider_integration", "price_group")
        .first()
    )
    if link is None:
        raise Http404
    return link


def deleted_provider_list(*, account: Account) -> QuerySet[ConnectIntegration]:
    """The account's deleted provider integrations, newest deletion first: read-only, for their ledgers."""
    return (
        ConnectIntegration.objects.filter(
            account=account, role=ConnectIntegration.Role.PROVIDER, deleted_at__isnull=False
        )
        .annotate(contractor_count=Count("contractor_links"))
        .order_by("-deleted_at", "-id")
    )


def link_for_provider(*, account: Account, pk: int) -> ContractorLink:
    """A contractor link by id, as its provider account sees it (REST API); Http404 otherwise."""
    link = (
        with_credit(ContractorLink.objects.filter(pk=pk, provider_account=account))
        .select_related("contractor_account", "provider_integration")
        .first()
    )
    if link is None:
        raise Http404
    return link


def link_event_list(*, link: ContractorLink, limit: int = 50):
    return list(link.events.all()[:limit])


# ----------------------------------------------------------------- contractor side, cross-account


@dataclass(frozen=True)
class ProviderSummary:
    """What a contractor may know about its provider, whatever the link's state: who it is, what the
    integration offers, and whether anything crosses now."""

    provider_name: str
    display_name: str
    orders: bool
    products: bool
    state: str
    state_label: str
    disconnected: bool
    is_open: bool


def link_for_contractor(*, integration: ConnectIntegration) -> ContractorLink:
    """The contractor integration's own link row (any state)."""
    return ContractorLink.objects.select_related("provider_integration", "provider_account").get(
        contractor_integration=integration, contractor_account_id=integration.account_id
    )


def provider_summary_for_contractor(
    *, contractor_integration: ConnectIntegration, link: ContractorLink | None = None
) -> ProviderSummary:
    """The provider's name and offer as the contractor saw them when joining, and the link's state
    (so the contractor's page can say it is blocked). Nothing else of the provider. ``link``: the
    integration's link already loaded with its provider integration and account (lists)."""
    if link is None:
        link = link_for_contractor(integration=contractor_integration)
    elif link.contractor_integration_id != contractor_integration.pk:
        raise ValueError("not this integration's link")
    provider = link.provider_integration
    return ProviderSummary(
        provider_name=link.provider_account.name,
        display_name=provider.display_name,
        orders=provider.orders_enabled,
        products=provider.products_enabled,
        state=link.state,
        state_label=str(link.get_state_display()),
        disconnected=link.disconnected_at is not None or provider.deleted_at is not None,
        is_open=link.is_open and provider.deleted_at is None,
    )


def shared_price_currency(*, integration: ConnectIntegration, link: ContractorLink | None = None) -> str:
    """The currency of the prices a provider integration shares, "" if none: the price group the
    provider gives this contractor (``link``), else the sharing settings' (as the shared catalog
    reads them)."""
    if not integration.products_enabled:
        return ""
    if link is not None and link.price_group_id:
        group = link.price_group
        if group.account_id == integration.account_id:
            return group.currency
    return (
        ProviderSharingSettings.objects.filter(integration=integration)
        .values_list("price_group__currency", flat=True)
        .first()
        or ""
    )


def contractor_integrations_with_links(
    queryset: QuerySet[ConnectIntegration],
) -> QuerySet[ConnectIntegration]:
    """Contractor integrations with their link (provider, provider account, credit sums) loaded in a
    constant number of queries, for lists."""
    return queryset.prefetch_related(
        Prefetch(
            "provider_link",
            queryset=ContractorLink.objects.with_credit().select_related(
                "provider_integration", "provider_account"
            ),
        ),
        # Connection requests from the directory, newest first (``request_list``).
        Prefetch(
            "provider_link__requests",
            queryset=ConnectionRequest.objects.order_by("-created_at", "-id"),
            to_attr="request_list",
        ),
    )


def joined_integration_list(*, account: Account) -> QuerySet[ConnectIntegration]:
    """The account's contractor integrations (not deleted) with their settings and their link
    (provider, provider account, credit sums), by name, in a constant number of queries."""
    return contractor_integrations_with_links(
        ConnectIntegration.objects.alive()
        .filter(account=account, role=ConnectIntegration.Role.CONTRACTOR)
        .select_related("contractor_settings")
        .order_by("display_name", "id")
    )


def provider_integration_for_contractor(
    *, contractor_integration: ConnectIntegration
) -> tuple[ConnectIntegration, ContractorLink] | None:
    """The provider integration behind a contractor integration, with its link, only while the link is
    open (active, connected, neither integration deleted). Every cross-account use by a contractor
    (shared catalog, forwarding) starts here; None means nothing crosses."""
    link = (
        ContractorLink.objects.open()
        .filter(
            contractor_integration=contractor_integration,
            contractor_account_id=contractor_integration.account_id,
            contractor_integration__deleted_at__isnull=True,
            provider_integration__deleted_at__isnull=True,
        )
        .select_related("provider_integration")
        .first()
    )
    if link is None:
        return None
    return link.provider_integration, link


def partner_status_list(*, link: ContractorLink, account: Account) -> list[OrderStatus]:
    """The order statuses of the other side of ``link`` (for mapping tables), read by ``account``
    (one of the two sides). Empty unless the link is open."""
    if not link.is_open:
        return []
    if account.pk == link.provider_account_id:
        partner = link.contractor_account_id
    elif account.pk == link.contractor_account_id:
        partner = link.provider_account_id
    else:
        return []
    return list(OrderStatus.objects.filter(account_id=partner).order_by("position", "id"))


def status_mapping_list(*, account: Account, link: ContractorLink | None = None) -> QuerySet[StatusMapping]:
    """The account's own mapping rows (optionally of one link)."""
    queryset = StatusMapping.objects.filter(account=account).select_related("local_status", "remote_status")
    if link is not None:
        queryset = queryset.filter(link=link)
    return queryset


def provider_links_for_mapping(*, integration: ConnectIntegration) -> QuerySet[ContractorLink]:
    """The provider's open links, for choosing whose mapping table to edit."""
    return ContractorLink.objects.open().filter(
        provider_integration=integration, provider_account_id=integration.account_id
    )


# ---------------------------------------------------------------------------- forwarded orders


@dataclass(frozen=True)
class OrderForwardCard:
    """One forward an order is part of, as its own account sees it on the order card."""

    direction: str  # "to": forwarded to a supplier (contractor side); "from": received from a contractor
    partner_name: str
    partner_order_id: int | None
    partner_status_name: str  # empty unless the link is open
    partner_status_color: str
    state: str
    state_label: str
    link_open: bool
    link_state_label: str
    packages_carried: int


def order_forwards_for_card(*, account: Account, order_id: int) -> list[OrderForwardCard]:
    """The forwards the order ``order_id`` of ``account`` belongs to, for its card: whom it was forwarded
    to or received from, the other side's order number and — only while the link is open, as every
    cross-account read — its status. The order must be the account's (else: nothing)."""
    from connect.models import ForwardedOrder, PackageCopy

    forwards = (
        ForwardedOrder.objects.filter(
            Q(contractor_order_id=order_id, contractor_account=account)
            | Q(provider_order_id=order_id, provider_account=account)
        )
        .select_related("link__provider_integration", "link__contractor_integration")
        .order_by("pk")
    )
    cards = []
    for forward in forwards:
        link = forward.link
        here_is_provider = forward.provider_order_id == order_id and forward.provider_account_id == account.pk
        is_open = (
            link.is_open
            and link.provider_integration.deleted_at is None
            and link.contractor_integration.deleted_at is None
        )
        partner_order_id = forward.contractor_order_id if here_is_provider else forward.provider_order_id
        partner_account_id = (
            forward.contractor_account_id if here_is_provider else forward.provider_account_id
        )
        partner_status = None
        if is_open and partner_order_id is not None:
            partner_status = (
                OrderStatus.objects.filter(account_id=partner_account_id, orders__pk=partner_order_id)
                .values("name", "color")
                .first()
            )
        if link.disconnected_at is not None or link.contractor_integration.deleted_at is not None:
            link_state = _("disconnected")
        elif link.provider_integration.deleted_at is not None:
            link_state = _("integration deleted")
        else:
            link_state = str(link.get_state_display()).lower()
        cards.append(
            OrderForwardCard(
                direction="from" if here_is_provider else "to",
                partner_name=link.name if here_is_provider else link.contractor_integration.display_name,
                partner_order_id=partner_order_id,
                partner_status_name=(partner_status or {}).get("name", ""),
                partner_status_color=(partner_status or {}).get("color", ""),
                state=forward.state,
                state_label=str(forward.get_state_display()),
                link_open=is_open,
                link_state_label=link_state,
                packages_carried=PackageCopy.objects.filter(
                    forwarded_order=forward, copy__order_id=order_id
                ).count(),
            )
        )
    return cards


@dataclass(frozen=True)
class ForwardedOrderRef:
    """How an order of the account came through Connect, in the account's own terms: its integration
    (the provider's, on the provider's order; the contractor's, on the contractor's order), the
    contractor (the link) and the forwarding itself (the same id on both sides)."""

    integration_id: int
    contractor_id: int
    forward_id: int


def forwarded_order_refs(*, account: Account, order_ids: list[int]) -> dict[int, ForwardedOrderRef]:
    """``{order id: ForwardedOrderRef}`` for those of ``order_ids`` (the account's orders) that were
    forwarded through Connect: a contractor's forwarded order (not one the provider refused) and the
    provider's order made from one. Other orders are absent. One query; nothing of the partner's
    account is read."""
    if not order_ids:
        return {}
    rows = ForwardedOrder.objects.filter(
        Q(contractor_account=account, contractor_order_id__in=order_ids)
        & ~Q(state=ForwardedOrder.State.REFUSED)
        | Q(provider_account=account, provider_order_id__in=order_ids)
    ).values_list(
        "pk",
        "state",
        "contractor_account_id",
        "contractor_order_id",
        "provider_account_id",
        "provider_order_id",
        "link_id",
        "link__contractor_integration_id",
        "link__provider_integration_id",
    )
    wanted = set(order_ids)
    refs: dict[int, ForwardedOrderRef] = {}
    for row in rows:
        pk, state, contractor_account, contractor_order, provider_account, provider_order, link = row[:7]
        contractor_integration, provider_integration = row[7:]
        if (
            contractor_account == account.pk
            and contractor_order in wanted
            and state != ForwardedOrder.State.REFUSED
        ):
            refs[contractor_order] = ForwardedOrderRef(contractor_integration, link, pk)
        elif provider_account == account.pk and provider_order in wanted:
            refs[provider_order] = ForwardedOrderRef(provider_integration, link, pk)
    return refs


@dataclass(frozen=True)
class DashboardSummary:
    """Connect on the dashboard's Integrations card."""

    providers: int
    suppliers: int
    contractors_awaiting: int


def dashboard_summary(*, account: Account) -> DashboardSummary:
    """How many integrations the account provides and is connected to, and contractors awaiting its
    approval."""
    alive = ConnectIntegration.objects.alive().filter(account=account)
    return DashboardSummary(
        providers=alive.filter(role=ConnectIntegration.Role.PROVIDER).count(),
        suppliers=ContractorLink.objects.connected()
        .filter(contractor_account=account, contractor_integration__deleted_at__isnull=True)
        .count(),
        contractors_awaiting=ContractorLink.objects.connected()
        .filter(provider_account=account, state=ContractorLink.State.AWAITING_APPROVAL)
        .count(),
    )


# ------------------------------------------------------------------------------ forwarded orders


def forwarded_order_list(*, account: Account) -> QuerySet[ForwardedOrder]:
    """The forwards ``account`` takes part in: as the contractor every one (refused ones too, with their
    reason), as the provider those that reached it. Each side reads only the link's names and the two
    order ids of the other side."""
    return (
        ForwardedOrder.objects.filter(
            Q(contractor_account=account) | Q(provider_account=account, state=ForwardedOrder.State.FORWARDED)
        )
        .select_related("charge", "refund", "link", "link__contractor_integration")
        .order_by("-id")
    )


@dataclass(frozen=True)
class OrderForwardState:
    """What the order card shows about Connect: ``role`` "contractor" (the order was forwarded, or its
    forward refused) or "provider" (the order came from a contractor); ``pending`` while a forwarding
    button pressed for it is still to run."""

    role: str
    row: ForwardedOrder | None
    partner: str
    state: str
    credit: CreditSummary | None = None
    pending: bool = False
    link_id: int | None = None
    integration_id: int | None = None


def order_forward_state(*, order) -> OrderForwardState | None:
    """The Connect state of one of the account's orders, for its card (None: nothing to show)."""
    from changes import topics
    from changes.models import ChangeEvent
    from orders.models import AutomationRule

    row = (
        ForwardedOrder.objects.filter(contractor_account_id=order.account_id, contractor_order_id=order.pk)
        .select_related("charge", "refund", "link", "link__contractor_integration")
        .first()
    )
    if row is not None:
        credit = credit_summary(link=row.link) if row.charge_id else None
        return OrderForwardState(
            role="contractor",
            row=row,
            partner=row.link.contractor_integration.display_name,
            state=row.shown_state,
            credit=credit,
            integration_id=row.link.contractor_integration_id,
        )
    row = (
        ForwardedOrder.objects.filter(provider_account_id=order.account_id, provider_order_id=order.pk)
        .select_related("charge", "refund", "link")
        .first()
    )
    if row is not None:
        return OrderForwardState(
            role="provider",
            row=row,
            partner=row.link.name,
            state=row.shown_state,
            link_id=row.link_id,
            integration_id=row.link.provider_integration_id,
        )
    buttons = [
        rule.event_button_id
        for rule in AutomationRule.objects.filter(
            account_id=order.account_id,
            event_button__isnull=False,
            actions__contains=[{"type": "connect_forward"}],
        )
    ]
    pending = bool(buttons) and (
        ChangeEvent.objects.filter(
            account_id=order.account_id,
            topic=topics.ORDER_BUTTON_PRESSED,
            subject_id=order.pk,
            payload__button_id__in=buttons,
            deliveries__delivered_at__isnull=True,
        ).exists()
    )
    if pending:
        return OrderForwardState(role="contractor", row=None, partner="", state="pending", pending=True)
    return None


@dataclass
class ForwardButtonDone:
    """A custom button that only forwards, on the card of an order that is forwarded already (pressing
    it again would do nothing): ``same`` when it forwards to the supplier the order went to."""

    partner: str
    same: bool


def order_forward_buttons(*, order, buttons) -> list[tuple[Any, ForwardButtonDone | None]]:
    """The order card's custom buttons, each with what makes it pointless for this order: once the
    order is forwarded (not refused: a refused forward may be tried again), a button whose every action
    forwards to a Connect supplier is done. Other buttons come with None."""
    from orders.models import AutomationRule

    buttons = list(buttons)
    row = (
        ForwardedOrder.objects.filter(contractor_account_id=order.account_id, contractor_order_id=order.pk)
        .exclude(state=ForwardedOrder.State.REFUSED)
        .select_related("link__contractor_integration")
        .first()
    )
    if row is None or not buttons:
        return [(button, None) for button in buttons]
    targets: dict[int, set] = {}
    only_forwarding: dict[int, bool] = {}
    for button_id, actions in AutomationRule.objects.filter(
        account_id=order.account_id, enabled=True, event_button__in=[b.pk for b in buttons]
    ).values_list("event_button_id", "actions"):
        actions = actions if isinstance(actions, list) else []
        forwards = [a for a in actions if isinstance(a, dict) and a.get("type") == "connect_forward"]
        only_forwarding[button_id] = only_forwarding.get(button_id, True) and len(forwards) == len(actions)
        targets.setdefault(button_id, set()).update(a.get("integration") for a in forwards)
    partner = row.link.contractor_integration.display_name
    return [
        (
            button,
            ForwardButtonDone(partner=partner, same=row.link.contractor_integration_id in targets[button.pk])
            if only_forwarding.get(button.pk) and targets.get(button.pk)
            else None,
        )
        for button in buttons
    ]


def contractor_recent_forwards(*, link: ContractorLink, limit: int = 10) -> list[ForwardedOrder]:
    """The orders a contractor forwarded most recently, as its provider sees them (its own orders)."""
    return list(
        ForwardedOrder.objects.filter(
            provider_account_id=link.provider_account_id,
            link=link,
            state=ForwardedOrder.State.FORWARDED,
            provider_order__isnull=False,
        )
        .select_related("provider_order__status", "charge")
        .order_by("-id")[:limit]
    )
