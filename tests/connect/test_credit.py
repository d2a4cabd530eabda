"""Trade credit: a ledger, sums computed from it, row locks, and history that is never rewritten."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from connect import selectors, services
from connect.models import ContractorLink, CreditEntry, LinkEvent
from tests.factories.connect import connected_pair, owner_tenant


def _with_credit(account_a, link, limit="1000.00", currency="EUR") -> ContractorLink:
    return services.credit_settings_update(
        actor=owner_tenant(account_a), link=link, credit_limit=Decimal(limit), credit_currency=currency
    )


@pytest.mark.django_db
def test_available_is_limit_minus_charges_plus_payments_and_adjustments(pair, account_a, tenant_a):
    _provider, link = pair
    link = _with_credit(account_a, link)
    services.credit_charge(link=link, amount=Decimal("300.00"), currency="EUR", description="order 1")
    services.credit_charge(link=link, amount=Decimal("150.50"), currency="EUR", description="order 2")
    services.credit_payment_record(actor=tenant_a, link=link, amount="200", description="bank transfer")
    services.credit_adjust(actor=tenant_a, link=link, amount="-25.25", description="late fee")
    summary = selectors.credit_summary(link=link)
    assert summary.used == Decimal("275.75")
    assert summary.available == Decimal("724.25")
    listed = selectors.contractor_list(integration=link.provider_integration).get()
    assert (listed.credit_used, listed.credit_available) == (Decimal("275.75"), Decimal("724.25"))
    entries = list(selectors.credit_entry_list(link=link))
    assert [e.kind for e in entries] == ["adjustment", "payment", "charge", "charge"]
    assert entries[1].actor == str(tenant_a.user) and entries[1].created_by == tenant_a.user


@pytest.mark.django_db
def test_a_limit_lowered_below_what_is_used_makes_available_negative_and_keeps_history(
    pair, account_a, tenant_a
):
    _provider, link = pair
    link = _with_credit(account_a, link, limit="500")
    services.credit_charge(link=link, amount=Decimal("400"), currency="EUR")
    link = services.credit_limit_set(
        actor=tenant_a, link=link, new_limit=Decimal("100"), message="risk review"
    )
    summary = selectors.credit_summary(link=link)
    assert summary.available == Decimal("-300.00")
    assert CreditEntry.objects.filter(link=link).count() == 1  # nothing rewritten
    event = LinkEvent.objects.filter(link=link, kind="credit").first()
    assert event.data["before"]["credit_limit"] == "500.00" and event.data["after"]["credit_limit"] == "100"
    assert event.data["message"] == "risk review"
    # A charge now finds no credit and writes nothing.
    with pytest.raises(services.CreditShort):
        services.credit_charge(link=link, amount=Decimal("1"), currency="EUR")
    assert CreditEntry.objects.filter(link=link).count() == 1


@pytest.mark.django_db
def test_block_stock_below_applies_when_available_falls_under_it(pair, account_a, tenant_a):
    _provider, link = pair
    link = services.credit_settings_update(
        actor=tenant_a,
        link=link,
        credit_limit=Decimal("100"),
        credit_currency="EUR",
        block_stock_below=Decimal("20"),
    )
    assert not selectors.stock_blocked(link=link)
    services.credit_charge(link=link, amount=Decimal("85"), currency="EUR")
    assert selectors.stock_blocked(link=link)


@pytest.mark.django_db
def test_ledger_entries_are_validated(pair, account_a, account_b, tenant_a):
    _provider, link = pair
    with pytest.raises(ValidationError, match="settlement currency first"):
        services.credit_payment_record(actor=tenant_a, link=link, amount="10")
    link = _with_credit(account_a, link)
    for bad in ("0", "-5", "1.005", "abc"):
        with pytest.raises(ValidationError) as caught:
            services.credit_payment_record(actor=tenant_a, link=link, amount=bad)
        assert "amount" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.credit_adjust(actor=tenant_a, link=link, amount="5", description=" ")
    assert "description" in caught.value.message_dict
    with pytest.raises(services.ValidationError, match="in PLN but the trade credit is settled in EUR"):
        services.credit_charge(link=link, amount=Decimal("1"), currency="PLN")
    assert not CreditEntry.objects.filter(link=link).exists()


@pytest.mark.django_db
def test_the_settlement_currency_cannot_change_once_the_ledger_has_entries(pair, account_a, tenant_a):
    _provider, link = pair
    link = _with_credit(account_a, link)
    services.credit_payment_record(actor=tenant_a, link=link, amount="10")
    with pytest.raises(ValidationError) as caught:
        services.credit_settings_update(actor=tenant_a, link=link, credit_currency="PLN")
    assert "credit_currency" in caught.value.message_dict
    link.refresh_from_db()
    assert link.credit_currency == "EUR"


@pytest.mark.django_db
def test_only_the_provider_s_admins_touch_credit(pair, account_a, account_b, member_a, tenant_b):
    _provider, link = pair
    link = _with_credit(account_a, link)
    with pytest.raises(PermissionDenied):
        services.credit_payment_record(actor=member_a, link=link, amount="10")
    with pytest.raises(PermissionDenied):
        services.credit_limit_set(actor=member_a, link=link, new_limit=Decimal("5"))
    # The contractor's owner is not the provider: its own credit is not its to change.
    from django.http import Http404

    with pytest.raises(Http404):
        services.credit_payment_record(actor=tenant_b, link=link, amount="10")
    with pytest.raises(Http404):
        services.credit_limit_set(actor=tenant_b, link=link, new_limit=Decimal("99999"))
    link.refresh_from_db()
    assert link.credit_limit == Decimal("1000.00") and not CreditEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_and_adjustments_leave_the_sum_exact(account_a, account_b, user_a, user_b):
    _provider, link = connected_pair(account_a, account_b)
    actor = owner_tenant(account_a)
    link = _with_credit(account_a, link, limit="100.00")
    rounds = 25
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def run(write):
        try:
            barrier.wait(timeout=10)
            for _ in range(rounds):
                write()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)
        finally:
            connection.close()

    pay = threading.Thread(
        target=run,
        args=(
            lambda: services.credit_payment_record(actor=actor, link=link, amount="1.10", description="pay"),
        ),
    )
    adjust = threading.Thread(
        target=run,
        args=(lambda: services.credit_adjust(actor=actor, link=link, amount="-0.35", description="fee"),),
    )
    pay.start()
    adjust.start()
    pay.join(60)
    adjust.join(60)
    assert not failures, failures
    summary = selectors.credit_summary(link=link)
    assert CreditEntry.objects.filter(link=link).count() == 2 * rounds
    assert summary.payments == Decimal("27.50") and summary.adjustments == Decimal("-8.75")
    assert summary.available == Decimal("100.00") + Decimal("27.50") - Decimal("8.75")


@pytest.mark.django_db(transaction=True)
def test_concurrent_charges_never_overspend_the_credit(account_a, account_b, user_a, user_b):
    """Each charge checks the available amount under the link's row lock: 10 threads × 3 charges of 10
    against a limit of 100 → exactly 10 succeed."""
    _provider, link = connected_pair(account_a, account_b)
    link = _with_credit(account_a, link, limit="100.00")
    barrier = threading.Barrier(10)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run():
        try:
            barrier.wait(timeout=10)
            for _ in range(3):
                try:
                    services.credit_charge(link=link, amount=Decimal("10"), currency="EUR")
                    result = "ok"
                except services.CreditShort:
                    result = "short"
                with lock:
                    outcomes.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert outcomes.count("ok") == 10 and outcomes.count("short") == 20
    assert selectors.credit_summary(link=link).available == Decimal("0.00")
