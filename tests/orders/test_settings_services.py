"""The order settings are written by ``orders.services``, which asks the role matrix itself: a member
changes none of them, however it gets there; an admin changes them, with names unique per account."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from accounts.tenancy import Tenant
from orders import services
from orders.models import AutomationRule, CustomButton, OrderSource, OrderStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_a(account_a, user_a) -> Tenant:
    return Tenant(account=account_a, role=Role.ADMIN, user=user_a)


@pytest.fixture
def member_a(account_a, member_user) -> Tenant:
    return Tenant(account=account_a, role=Role.MEMBER, user=member_user)


def test_a_member_changes_no_order_setting(account_a, member_a):
    status = OrderStatus.objects.filter(account=account_a).first()
    rule = AutomationRule.objects.create(account=account_a, name="Nightly", event="order_created")
    attempts = (
        lambda: services.order_setting_save(actor=member_a, row=CustomButton(name="Pack", color="#000000")),
        lambda: services.order_setting_delete(actor=member_a, row=status),
        lambda: services.stock_reservation_set(actor=member_a, enabled=not account_a.stock_reservation),
        lambda: services.rule_save(actor=member_a, rule=AutomationRule(name="x", event="order_created")),
        lambda: services.rule_delete(actor=member_a, rule=rule),
    )
    before = account_a.stock_reservation
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    account_a.refresh_from_db()
    assert account_a.stock_reservation == before
    assert (
        OrderStatus.objects.filter(pk=status.pk).exists()
        and AutomationRule.objects.filter(pk=rule.pk).exists()
    )
    assert not CustomButton.objects.filter(account=account_a).exists()


def test_an_admin_saves_and_deletes_order_settings(account_a, admin_a):
    source = services.order_setting_save(actor=admin_a, row=OrderSource(name="Allegro", kind="shop"))
    assert source.account == account_a
    services.order_setting_save(actor=admin_a, row=CustomButton(name="Pack", color="#00ff00"))
    with pytest.raises(ValidationError) as clash:
        services.order_setting_save(actor=admin_a, row=CustomButton(name="Pack", color="#ff0000"))
    assert "name" in clash.value.message_dict
    services.order_setting_delete(actor=admin_a, row=source)
    assert not OrderSource.objects.filter(pk=source.pk).exists()
    services.stock_reservation_set(actor=admin_a, enabled=False)
    account_a.refresh_from_db()
    assert account_a.stock_reservation is False
