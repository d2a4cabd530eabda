"""Base Connect methods (reference §8.2): thin adapters over ``connect.selectors`` and
``connect.services``.

The ids are this server's: ``connect_integration_id`` is one of the account's Connect integrations
(its provider integrations are "own", the integrations it made by joining a provider with a code are
"connected"), and ``connect_contractor_id`` is a contractor of one of its provider integrations (the
link between the two). A contractor's own side is never a "contractor" here: only the provider reads
and sets trade credit, as on the pages. The rules (who may set a limit, the ledger's currency, the row
lock on the link) are the services'; the actor is the token's tenant.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from blconnector.errors import Code, bad_parameter, not_found
from blconnector.lookups import forwarded_order_of
from blconnector.params import Args, Int, Number, Str
from blconnector.registry import CONNECT, READ, WRITE, Call, method
from blconnector.render import amount, timestamp
from connect import selectors, services
from connect.models import ConnectIntegration, ContractorLink, CreditEntry

MAX_MESSAGE = 500  # the ledger's description column


def _integration_settings(integration: ConnectIntegration) -> dict:
    """A provider integration's options: what it offers, its code's name, the shared catalog."""
    sharing = getattr(integration, "sharing_settings", None) if integration.products_enabled else None
    return {
        "orders": integration.orders_enabled,
        "products": integration.products_enabled,
        "code_name": integration.code_name,
        "inventory_id": sharing.inventory_id if sharing is not None else 0,
        "send_statuses": integration.send_statuses,
        "receive_statuses": integration.receive_statuses,
    }


def _connected_settings(integration: ConnectIntegration) -> dict:
    """A contractor integration's options: what the provider offers, the link's state, and the
    contractor's own settings."""
    summary = selectors.provider_summary_for_contractor(
        contractor_integration=integration, link=integration.provider_link
    )
    own = integration.contractor_settings
    return {
        "orders": summary.orders,
        "products": summary.products,
        "state": summary.state,
        "active": summary.is_open,
        "hide_prices": own.hide_prices,
        "forwarding": own.forwarding,
        "price_sync": own.price_sync,
        "stock_sync": own.stock_sync,
        "send_statuses": integration.send_statuses,
        "receive_statuses": integration.receive_statuses,
    }


@method("getConnectIntegrations", area=CONNECT, act=READ)
def get_connect_integrations(call: Call, args: Args) -> dict:
    """The account's Connect integrations (not deleted): provider ones as ``own_integrations``, the
    ones it joined as ``connected_integrations``."""
    own = selectors.integration_list(account=call.account, role=ConnectIntegration.Role.PROVIDER)
    connected = selectors.joined_integration_list(account=call.account)
    return {
        "integrations": {
            "own_integrations": [
                {
                    "connect_integration_id": integration.pk,
                    "name": integration.display_name,
                    "settings": _integration_settings(integration),
                }
                for integration in own
            ],
            "connected_integrations": [
                {
                    "connect_integration_id": integration.pk,
                    "name": integration.display_name,
                    "settings": _connected_settings(integration),
                }
                for integration in connected
            ],
        }
    }


def _credit_data(link: ContractorLink) -> dict:
    """The contractor's trade credit now (``{}`` without trade credit): the limit, what it owes
    (``credit_to_pay``, BaseLinker's "blocked credit") and what is left, in the settlement currency."""
    if link.credit_limit is None:
        return {}
    return {
        "credit_limit": amount(link.credit_limit),
        "credit_to_pay": amount(link.credit_used),
        "credit_available": amount(link.credit_available),
        "currency": link.credit_currency,
    }


@method(
    "getConnectIntegrationContractors",
    area=CONNECT,
    act=READ,
    params=(Int("connect_integration_id", required=True),),
)
def get_connect_integration_contractors(call: Call, args: Args) -> dict:
    """The connected contractors of one of the account's provider integrations, keyed by id (``{}``
    for none, and for an integration the account joined: those have a provider, not contractors)."""
    try:
        integration = selectors.integration_get(account=call.account, pk=args.connect_integration_id)
    except Http404:
        raise not_found(
            Code.CONNECT_INTEGRATION_NOT_FOUND, _("Connect integration"), args.connect_integration_id
        )
    if integration.role != ConnectIntegration.Role.PROVIDER:
        return {"contractors": {}}
    return {
        "contractors": {
            str(link.pk): {
                "connect_contractor_id": link.pk,
                "name": link.name,
                "credit_data": _credit_data(link),
                "settings": {
                    "state": link.state,
                    "active": link.is_open,
                    "range": link.range_mode,
                    "price_group_id": link.price_group_id or 0,
                    "date_join": timestamp(link.joined_at),
                },
            }
            for link in selectors.contractor_list(integration=integration)
        }
    }


# BaseLinker's ledger knows charges and payments; an adjustment is shown by what it does (one that
# takes credit is a charge, one that gives it back a payment), with its reason as the description.
def _entry_type(entry: CreditEntry) -> str:
    return "charge" if entry.effect < 0 else "payment"


# Both names are read: ``connect_contractor_id`` (BaseLinker's documentation of the credit methods)
# and ``contractor_id`` (the older name of setConnectContractorCreditLimit's parameter).
_CONTRACTOR = (Int("connect_contractor_id"), Int("contractor_id"))


def _contractor(call: Call, args: Args) -> ContractorLink:
    """A contractor of one of the account's provider integrations; another provider's contractor is
    answered exactly like a missing one."""
    if args.given("connect_contractor_id"):
        contractor_id = args.connect_contractor_id
    elif args.given("contractor_id"):
        contractor_id = args.contractor_id
    else:
        raise bad_parameter("connect_contractor_id", _("this parameter is required."))
    try:
        return selectors.link_for_provider(account=call.account, pk=contractor_id)
    except Http404:
        raise not_found(Code.CONNECT_CONTRACTOR_NOT_FOUND, _("Contractor"), contractor_id)


@method("getConnectContractorCreditHistory", area=CONNECT, act=READ, params=_CONTRACTOR)
def get_connect_contractor_credit_history(call: Call, args: Args) -> dict:
    """The contractor's trade-credit ledger, newest first (every entry is in force: ``is_accepted`` 1).
    ``order_id`` names the order an entry belongs to (0 for none)."""
    link = _contractor(call, args)
    return {
        "credit_data": [
            {
                "credit_entry_id": entry.pk,
                "date_add": timestamp(entry.created_at),
                "description": entry.description,
                "currency": entry.currency,
                "type": _entry_type(entry),
                "amount": amount(abs(entry.amount)),
                "is_accepted": 1,
                "order_id": entry.order_id or 0,
            }
            for entry in selectors.credit_entry_list(link=link)
        ]
    }


@method(
    "setConnectContractorCreditLimit",
    area=CONNECT,
    act=WRITE,
    params=(
        *_CONTRACTOR,
        Number("new_limit", required=True),
        Str("message", max_length=MAX_MESSAGE, strip=True, default=""),
    ),
)
def set_connect_contractor_credit_limit(call: Call, args: Args) -> dict:
    """Set the contractor's trade-credit limit; the message goes into the contractor's history. The
    settlement currency stays (or, the first time, is the account's default currency)."""
    link = _contractor(call, args)
    link = services.credit_limit_set(
        actor=call.tenant, link=link, new_limit=args.new_limit, message=args.message
    )
    return {"new_limit_set": amount(link.credit_limit)}


@method(
    "addConnectContractorCreditSettlement",
    area=CONNECT,
    act=WRITE,
    params=(
        *_CONTRACTOR,
        Number("amount", required=True),
        Str("message", max_length=255, strip=True, default=""),
        Int("order_id"),
    ),
)
def add_connect_contractor_credit_settlement(call: Call, args: Args) -> dict:
    """Record a repayment the contractor made: it frees that much credit and cannot exceed what the
    contractor owes. ``order_id`` (0 or absent: none) ties it to one of the orders this contractor
    forwarded to the account (any other order is "not found")."""
    link = _contractor(call, args)
    order = forwarded_order_of(call, link, args.order_id) if args.order_id else None
    entry = services.credit_payment_record(
        actor=call.tenant,
        link=link,
        amount=args.amount,
        description=args.message,
        order=order,
        up_to_owed=True,
    )
    summary = selectors.credit_summary(link=link)
    return {
        "credit_entry_id": entry.pk,
        "new_blocked_credit": amount(summary.used),
        "new_available_credit": amount(summary.available),
    }
