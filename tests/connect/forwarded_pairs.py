"""Forwarded pairs for the propagation tests, made directly: a contractor order, a provider order (both
through the orders services) and the ``ForwardedOrder`` tying them, as the forward leaves them."""

from __future__ import annotations

from decimal import Decimal

from connect import services
from connect.models import ContractorLink, ForwardedOrder, StatusMapping
from orders.models import OrderStatus
from orders.services import order_create
from tests.factories.connect import owner_tenant
from tests.origins import TEST_ORIGIN


def status(account, name: str) -> OrderStatus:
    return OrderStatus.objects.get(account=account, name=name)


def forwarded_pair(
    link: ContractorLink, *, provider_lines: list[dict] | None = None, **provider_fields
) -> ForwardedOrder:
    """A contractor order of the link's contractor and its provider order (free lines, or
    ``provider_lines``), forwarded."""
    contractor_order = order_create(
        account=link.contractor_account,
        lines=[{"name": "Garden chair", "quantity": 2, "price_brutto": Decimal("49.90")}],
        delivery_fullname="Jan Kowalski",
        origin=TEST_ORIGIN,
    )
    provider_order = order_create(
        account=link.provider_account,
        lines=provider_lines or [{"name": "Garden chair", "quantity": 2, "price_brutto": Decimal("39.90")}],
        delivery_fullname="Jan Kowalski",
        origin=TEST_ORIGIN,
        **provider_fields,
    )
    return ForwardedOrder.objects.create(
        link=link,
        contractor_account=link.contractor_account,
        provider_account=link.provider_account,
        contractor_order=contractor_order,
        provider_order=provider_order,
    )


def statuses_switch(
    link: ContractorLink, *, contractor: tuple[bool, bool], provider: tuple[bool, bool]
) -> None:
    """(send, receive) on the contractor's and the provider's integration, through the Statuses tab's
    service."""
    for integration, (send, receive) in (
        (link.contractor_integration, contractor),
        (link.provider_integration, provider),
    ):
        services.integration_statuses_update(
            actor=owner_tenant(integration.account),
            integration=integration,
            send_statuses=send,
            receive_statuses=receive,
        )


def statuses_map(link: ContractorLink, account, direction: str, pairs: dict[str, str]) -> None:
    """One side's mapping table by status names: ``send`` {own name: partner's name}, ``receive``
    {partner's name: own name}."""
    partner = link.provider_account if account.pk == link.contractor_account_id else link.contractor_account
    rows = []
    for key, value in pairs.items():
        if direction == StatusMapping.Direction.SEND:
            rows.append((status(account, key), status(partner, value)))
        else:
            rows.append((status(account, value), status(partner, key)))
    services.status_mappings_replace(actor=owner_tenant(account), link=link, direction=direction, pairs=rows)


def statuses_both_ways(link: ContractorLink, pairs: dict[str, str]) -> None:
    """Both sides send and receive; each contractor status in ``pairs`` maps to the provider status of
    the same key's value, both ways (the tables of both sides agree)."""
    statuses_switch(link, contractor=(True, True), provider=(True, True))
    back = {v: k for k, v in pairs.items()}
    statuses_map(link, link.contractor_account, "send", pairs)
    statuses_map(link, link.provider_account, "receive", pairs)
    statuses_map(link, link.provider_account, "send", back)
    statuses_map(link, link.contractor_account, "receive", back)
