"""Forwarding under concurrency on PostgreSQL: the same order forwarded at once from many places gives
one supplier order; 50 forwards against a credit covering exactly 20 forward exactly 20; a link
blocked while forwards run refuses the ones after it. Real threads, each with its own connection."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from changes.models import ChangeDelivery
from changes.services import delivery_run
from connect import forwarding, services
from connect.models import ContractorLink, CreditEntry, ForwardedOrder
from connect.selectors import credit_summary
from orders.models import CustomButton, JournalEntry, Order
from orders.services import button_press
from tests.connect.forwarding_setup import eur, free_line, set_credit, shop_order
from tests.factories.connect import connected_pair, owner_tenant
from tests.origins import TEST_ORIGIN

pytestmark = pytest.mark.django_db(transaction=True)


def _at_once(count: int, work) -> list:
    """Run ``work(i)`` in ``count`` threads released together; their results (or exceptions)."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 - the test reports it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(t.is_alive() for t in threads), "a forward hung (deadlock?)"
    return results


def test_double_clicks_tabs_and_retried_requests_give_one_supplier_order(account_a, account_b, token_b):
    """Ten API requests for the same order at once (a double click, two tabs, a client retrying)."""
    _provider, link = connected_pair(account_a, account_b)
    set_credit(link, "1000")
    order = shop_order(account_b, [free_line("Thing", "20.00")])

    def post(_i):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_b[1]}")
        answer = api.post("/api/v1/connect/forwards/", {"orders": [order.pk]}, format="json")
        assert answer.status_code == 200, answer.content
        body = answer.json()
        return "forwarded" if body["forwarded"] else ("already" if body["already"] else body["refused"])

    results = _at_once(10, post)

    assert sorted(results, key=str) == ["already"] * 9 + ["forwarded"], results
    assert Order.objects.filter(account=account_a).count() == 1
    assert CreditEntry.objects.filter(link=link).count() == 1
    assert order.journal.filter(type=JournalEntry.Type.ORDER_FORWARDED).count() == 1


def test_two_workers_running_the_button_pressed_twice_give_one_supplier_order(account_a, account_b):
    """The button pressed twice (two events) and both deliveries run by two workers at once, then
    delivered again (a redelivered task): one supplier order; the other run says it was forwarded."""
    _provider, link = connected_pair(account_a, account_b)
    order = shop_order(account_b, [free_line("Thing", "20.00")])
    button = CustomButton.objects.get(account=account_b)
    for _ in range(2):
        button_press(account=account_b, button=button, orders=[order], origin=TEST_ORIGIN)
    deliveries = list(
        ChangeDelivery.objects.filter(delivered_at__isnull=True, consumer="orders.automation").values_list(
            "pk", flat=True
        )
    )
    assert len(deliveries) == 2

    _at_once(2, lambda i: delivery_run(delivery_id=deliveries[i]))
    _at_once(2, lambda i: delivery_run(delivery_id=deliveries[i]))  # redelivered: nothing more

    assert Order.objects.filter(account=account_a).count() == 1
    messages = sorted(str(m) for m in order.automation_runs.values_list("message", flat=True))
    assert len(messages) == 2
    assert messages[0].startswith("already forwarded") and messages[1].startswith("forwarded as")


def test_fifty_forwards_at_once_against_a_credit_for_twenty_forward_exactly_twenty(account_a, account_b):
    _provider, link = connected_pair(account_a, account_b)
    set_credit(link, "400")  # each order is 20.00 (10 + 10 delivery)
    orders = [shop_order(account_b, [free_line("Thing", "10.00")]) for _ in range(50)]
    shop = owner_tenant(account_b)

    results = _at_once(50, lambda i: forwarding.forward(actor=shop, order_ids=[orders[i].pk]).outcomes[0])

    assert not [r for r in results if isinstance(r, BaseException)], results
    states = [r.state for r in results]
    assert states.count("forwarded") == 20 and states.count("refused") == 30
    reasons = {str(r.reason) for r in results if r.state == "refused"}
    assert reasons == {f"Not enough trade credit: {eur('20.00')} needed, {eur('0.00')} available."}
    link = ContractorLink.objects.get(pk=link.pk)
    summary = credit_summary(link=link)
    assert summary.charges == Decimal("400.00") and summary.available == Decimal("0.00")
    assert CreditEntry.objects.filter(link=link, kind="charge").count() == 20
    assert Order.objects.filter(account=account_a).count() == 20
    assert ForwardedOrder.objects.filter(link=link, state="refused").count() == 30


def test_batches_racing_over_the_same_orders_forward_each_once_and_never_overspend(account_a, account_b):
    """Four workers forward overlapping lists of 30 orders (batches of 7) against a credit for 45."""
    _provider, link = connected_pair(account_a, account_b)
    set_credit(link, "900")
    ids = [shop_order(account_b, [free_line("Thing", "10.00")]).pk for _ in range(60)]
    shop = owner_tenant(account_b)
    slices = [ids[0:30], ids[15:45], ids[30:60], ids[::2]]

    results = _at_once(4, lambda i: forwarding.forward(actor=shop, order_ids=slices[i], batch_size=7))

    assert not [r for r in results if isinstance(r, BaseException)], results
    forwarded = [o.order_id for r in results for o in r.forwarded]
    assert len(forwarded) == len(set(forwarded)) == 45
    assert Order.objects.filter(account=account_a).count() == 45
    assert credit_summary(link=ContractorLink.objects.get(pk=link.pk)).available == Decimal("0.00")


def test_a_link_blocked_while_forwards_run_refuses_every_forward_after_it(account_a, account_b):
    _provider, link = connected_pair(account_a, account_b)
    orders = [shop_order(account_b, [free_line("Thing", "10.00")]) for _ in range(20)]
    shop, provider = owner_tenant(account_b), owner_tenant(account_a)

    def work(i):
        if i == 10:
            services.contractor_set_state(actor=provider, link=link, state="blocked")
            return None
        return forwarding.forward(actor=shop, order_ids=[orders[i if i < 10 else i - 1].pk]).outcomes[0]

    results = [r for r in _at_once(21, work) if r is not None]

    assert not [r for r in results if isinstance(r, BaseException)], results
    blocked_at = ContractorLink.objects.get(pk=link.pk).state_changed_at
    for outcome in results:
        row = ForwardedOrder.objects.get(contractor_order_id=outcome.order_id)
        if outcome.state == "forwarded":
            assert row.updated_at <= blocked_at
        else:
            assert "blocked your account" in str(outcome.reason) and row.updated_at >= blocked_at
    assert Order.objects.filter(account=account_a).count() == sum(r.state == "forwarded" for r in results)
