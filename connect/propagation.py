"""Statuses and packages of forwarded orders, carried to the other side of the link.

A consumer of the change events (``changes``): when an order that is either side of a
``ForwardedOrder`` changes status, or gets a package, a tracking update or loses a package, the change
is delivered here after commit and applied to the partner's order through the orders and shipments
services, with the link as the origin (``Origin.connect``). The handler runs in the transaction that
marks the delivery done, so a worker that dies half-way leaves nothing behind and the delivery runs
again: each change arrives exactly once.

**Statuses.** The side where the status changed must *send statuses* and the partner must *receive
statuses* (``ConnectIntegration``); the status must be in this side's send table, and the partner's
receive table says which of its own statuses it becomes (unmapped: nothing is carried). The partner's
order is set through ``orders.services.order_set_status``, which does nothing when the status is
already in place.

**Packages** (when the provider's order settings have *shipments* on): a package created on either
order appears on the other one with the same courier, tracking number and URL (``PackageCopy`` claims
each source package once, by a unique key), and its tracking events follow it; deleting the source
deletes the copy. Tracking travels from the package that was made to its copy, not back.

**No echo.** A change whose origin is a link is never carried back over that link (it may go on over
another link of the same order: a supplier that forwards again); a status already in place changes
nothing; a change that a later one has superseded is not carried (the later one carries itself); and
reactions stop after :data:`MAX_DEPTH` automatic steps in a row.

Nothing crosses a link that is not open (blocked, awaiting approval, disconnected, or an integration
deleted), or a forward whose provider order is gone.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Exists, Q
from django.utils import timezone

from catalog.services import StockShortfall
from changes import topics
from changes.models import ChangeEvent
from changes.origin import Origin, OriginKind
from connect.models import ContractorLink, ForwardedOrder, PackageCopy, StatusMapping
from orders.models import Order, OrderStatus
from orders.services import order_set_status

logger = logging.getLogger("connect")

CONSUMER = "connect.propagation"
TOPICS = (
    topics.ORDER_STATUS_CHANGED,
    topics.PACKAGE_CREATED,
    topics.PACKAGE_DELETED,
    topics.TRACKING_EVENT_ADDED,
)
# Automatic steps in a row (rules, links) after which a change is no longer carried: two accounts whose
# rules answer each other's statuses cannot loop forever.
MAX_DEPTH = 10


@dataclass(frozen=True)
class Side:
    """One forwarded pair seen from the order that changed (``here``) towards its partner (``there``)."""

    forward: ForwardedOrder
    here_is_provider: bool

    @property
    def link(self) -> ContractorLink:
        return self.forward.link

    @property
    def here_order_id(self) -> int:
        return self.forward.provider_order_id if self.here_is_provider else self.forward.contractor_order_id

    @property
    def there_order_id(self) -> int:
        return self.forward.contractor_order_id if self.here_is_provider else self.forward.provider_order_id

    @property
    def here_account_id(self) -> int:
        return self.link.provider_account_id if self.here_is_provider else self.link.contractor_account_id

    @property
    def there_account_id(self) -> int:
        return self.link.contractor_account_id if self.here_is_provider else self.link.provider_account_id

    @property
    def is_open(self) -> bool:
        link = self.link
        return (
            link.is_open
            and not link.provider_integration.is_deleted
            and not link.contractor_integration.is_deleted
        )

    @property
    def sends_statuses(self) -> bool:
        """This side sends statuses and the partner receives them."""
        provider, contractor = self.link.provider_integration, self.link.contractor_integration
        sender, receiver = (provider, contractor) if self.here_is_provider else (contractor, provider)
        return sender.send_statuses and receiver.receive_statuses

    @property
    def carries_shipments(self) -> bool:
        """The provider's "shipments" (two-way transfer of tracking numbers) is on."""
        settings = getattr(self.link.provider_integration, "order_settings", None)
        return settings is not None and settings.shipments

    def origin(self, depth: int) -> Origin:
        """The link as the origin of what it applies on the partner's side, named as the partner
        knows it (the contractor's name for its supplier; the provider's name for its contractor)."""
        link = self.link
        name = link.contractor_integration.display_name if self.here_is_provider else link.name
        return Origin.connect(link.pk, name, depth=depth)


def forward_sides(*, account_id: int, order_id: int) -> list[Side]:
    """The forwarded pairs the order ``order_id`` of ``account_id`` belongs to (as contractor order, as
    provider order, or both when a supplier forwards again), with their links and both integrations."""
    forwards = (
        ForwardedOrder.objects.filter(
            Q(contractor_order_id=order_id, contractor_account_id=account_id)
            | Q(provider_order_id=order_id, provider_account_id=account_id)
        )
        .filter(state=ForwardedOrder.State.FORWARDED, provider_order__isnull=False)
        .select_related("link__provider_integration__order_settings", "link__contractor_integration")
        .order_by("pk")
    )
    return [Side(forward, forward.provider_order_id == order_id) for forward in forwards]


# -- the consumer ------------------------------------------------------------------------------------


def change_accepted(origin: Origin) -> bool:
    """Changes past the depth limit are not carried (no delivery is even written)."""
    return origin.depth < MAX_DEPTH


def change_wanted(account_id: int, topic: str, payload: dict, origin: Origin | None = None) -> bool:
    """Asked when a change is recorded: is the order one side of a forward over an open link — other
    than the link that made the change (what a link applies is never carried back over it)?"""
    order_id = payload.get("order_id")
    if not order_id:
        return False
    forwards = ForwardedOrder.objects.filter(
        Q(contractor_order_id=order_id, contractor_account_id=account_id)
        | Q(provider_order_id=order_id, provider_account_id=account_id),
        state=ForwardedOrder.State.FORWARDED,
        provider_order__isnull=False,
        link__state=ContractorLink.State.ACTIVE,
        link__disconnected_at__isnull=True,
    )
    if origin is not None and origin.kind == OriginKind.CONNECT:
        forwards = forwards.exclude(link_id=origin.id)
    return forwards.exists()


def change_handle(event: ChangeEvent) -> None:
    """Carry one change of a forwarded order to its partner(s). Runs inside the transaction that marks
    the delivery done (``changes.services.delivery_run``); idempotent: it compares with what is already
    on the other side."""
    payload = event.payload or {}
    order_id = payload.get("order_id")
    if not order_id:
        return
    for side in forward_sides(account_id=event.account_id, order_id=order_id):
        if event.origin_kind == OriginKind.CONNECT and event.origin_id == side.link.pk:
            continue  # applied from this very link: never sent back
        if not side.is_open:
            continue
        origin = side.origin(depth=event.origin_depth + 1)
        if event.topic == topics.ORDER_STATUS_CHANGED:
            status_carry(side=side, status_id=payload.get("status_id"), origin=origin)
        elif event.topic in (topics.PACKAGE_CREATED, topics.TRACKING_EVENT_ADDED):
            package_carry(side=side, package_id=payload.get("package_id"), origin=origin)
        elif event.topic == topics.PACKAGE_DELETED:
            package_copy_delete(side=side, package_id=payload.get("package_id"), origin=origin)


def propagation_register() -> None:
    """Called from ``ConnectConfig.ready()``."""
    from changes import registry

    registry.register(
        CONSUMER, topics=TOPICS, handler=change_handle, accepts=change_accepted, wants=change_wanted
    )


# -- statuses ----------------------------------------------------------------------------------------


def status_target(*, side: Side, status_id: int) -> OrderStatus | None:
    """The partner's status for this side's ``status_id``: mapped in this side's send table and in
    the partner's receive table (whose choice it is); None when either leaves it unmapped, or when this
    side's order is no longer in ``status_id`` (a later change superseded it). One query."""
    still = Order.objects.filter(pk=side.here_order_id, status_id=status_id)
    sent = StatusMapping.objects.filter(
        link=side.link,
        account_id=side.here_account_id,
        direction=StatusMapping.Direction.SEND,
        local_status_id=status_id,
    )
    received = (
        StatusMapping.objects.filter(
            link=side.link,
            account_id=side.there_account_id,
            direction=StatusMapping.Direction.RECEIVE,
            remote_status_id=status_id,
        )
        .filter(Exists(sent), Exists(still))
        .select_related("local_status")
        .first()
    )
    return received.local_status if received is not None else None


def status_carry(*, side: Side, status_id: int | None, origin: Origin) -> bool:
    """Set the partner's order to the mapped status of ``status_id``. Returns True when it changed.

    Only when this side sends and the partner receives statuses, and when ``status_id`` is still the
    order's status (a later change carries itself, or came from the partner and must not go back).
    ``order_set_status`` locks the partner's order and does nothing when the status is in place."""
    if status_id is None or not side.sends_statuses:
        return False
    target = status_target(side=side, status_id=status_id)
    if target is None:
        return False
    partner = Order(pk=side.there_order_id, account_id=side.there_account_id)
    try:
        return order_set_status(order=partner, status=target, origin=origin).status_id == target.pk
    except (ValidationError, StockShortfall) as exc:
        # The partner's order cannot take the status (e.g. leaving "cancelled" needs stock that is gone):
        # it keeps its own; retrying would not change that. Nothing was written (the service's savepoint).
        logger.warning(
            "connect: status %s of order %s not applied to order %s over link %s: %s",
            status_id,
            side.here_order_id,
            side.there_order_id,
            side.link.pk,
            exc,
        )
        return False


# -- packages and tracking ---------------------------------------------------------------------------

_CLAIM = """
    INSERT INTO connect_packagecopy (link_id, forwarded_order_id, source_account_id, source_package_id,
                                     created_at)
    VALUES (%s, %s, %s, %s, %s)
    ON CONFLICT (source_package_id) DO NOTHING
    RETURNING id
"""


def package_carry(*, side: Side, package_id: int | None, origin: Origin):
    """Make sure the package ``package_id`` of this side's order has its copy on the partner's order,
    and that the copy has every tracking event of the package. Returns the copy (None: not carried).

    Each package is copied once: the copy is claimed with an insert on the unique source id that does
    nothing on conflict; a second worker waits for the first one's commit and then only brings the
    tracking events up to date, under the claim's row lock."""
    from shipments.models import Package
    from shipments.services import package_create

    if package_id is None or not side.carries_shipments:
        return None
    package = Package.objects.without_label().filter(pk=package_id, order_id=side.here_order_id).first()
    if package is None:
        return None  # deleted since: nothing to carry
    if PackageCopy.objects.filter(copy_id=package.pk, link=side.link).exists():
        return None  # itself a copy from this link: tracking goes from the package made to its copy
    with connection.cursor() as cursor:
        cursor.execute(
            _CLAIM,
            [side.link.pk, side.forward.pk, side.here_account_id, package.pk, timezone.now()],
        )
        claimed = cursor.fetchone()
    if claimed is not None:
        try:
            copy = package_create(
                order=Order(pk=side.there_order_id, account_id=side.there_account_id),  # locked in there
                courier_code=package.courier_code,
                tracking_number=package.courier_package_nr,
                tracking_url=package.tracking_url,
                weight=package.weight,
                length=package.length,
                width=package.width,
                height=package.height,
                origin=origin,
                made_elsewhere=True,
            )
        except ValidationError as exc:
            # The other side refuses it (say, a URL its rules do not take): logged, claimed without a copy
            # so a redelivery does not try again; a database error still raises and is retried.
            logger.warning(
                "connect: package %s of order %s not carried to order %s over link %s: %s",
                package.pk,
                side.here_order_id,
                side.there_order_id,
                side.link.pk,
                exc,
            )
            return None
        PackageCopy.objects.filter(pk=claimed[0]).update(copy=copy)
        tracking_events_carry(source=package, copy=copy, origin=origin, copy_is_new=True)
        return copy
    row = (
        PackageCopy.objects.select_for_update()
        .filter(source_package_id=package.pk, source_account_id=side.here_account_id)
        .first()
    )
    if row is None or row.copy_id is None:
        return None  # the copy was deleted on the other side: not made again
    copy = Package.objects.without_label().get(pk=row.copy_id)
    tracking_events_carry(source=package, copy=copy, origin=origin)
    return copy


def tracking_events_carry(*, source, copy, origin: Origin, copy_is_new: bool = False) -> int:
    """Add to ``copy`` the tracking events of ``source`` it does not have yet (same status, courier
    code and time), through the shipments service. Returns how many were added."""
    from shipments.models import TrackingEvent
    from shipments.services import tracking_event_add

    fields = ("tracking_status", "courier_status_code", "occurred_at")
    have = Counter()
    if not copy_is_new:
        have.update(TrackingEvent.objects.filter(package_id=copy.pk).values_list(*fields))
    added = 0
    for event in (
        TrackingEvent.objects.filter(package_id=source.pk).order_by("occurred_at", "id").values_list(*fields)
    ):
        if have[event] > 0:
            have[event] -= 1
            continue
        status, code, occurred_at = event
        tracking_event_add(
            package=copy,
            tracking_status=status,
            courier_status_code=code,
            occurred_at=occurred_at,
            origin=origin,
        )
        added += 1
    return added


def package_copy_delete(*, side: Side, package_id: int | None, origin: Origin) -> bool:
    """The package ``package_id`` was deleted on this side: delete its copy on the partner's order."""
    from shipments.models import Package
    from shipments.services import package_delete

    if package_id is None or not side.carries_shipments:
        return False
    row = PackageCopy.objects.select_for_update().filter(source_package_id=package_id, link=side.link).first()
    if row is None or row.copy_id is None:
        return False
    copy = Package.objects.without_label().filter(pk=row.copy_id).first()
    if copy is None:
        return False
    package_delete(package=copy, origin=origin)
    return True
