"""Connection codes: secrecy, verifying, joining, regenerating, wrong codes and their rate limit."""

from __future__ import annotations

import logging
import math

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from connect import codes, selectors, services
from connect.models import ConnectIntegration, ConnectionCode, ContractorLink
from tests.factories.connect import contractor_join, owner_tenant, provider_create

pytestmark = pytest.mark.django_db

NO_SUCH_CODE = "There is no such connection code"


def messages_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def test_a_code_carries_at_least_128_random_bits_and_reads_in_groups(account_a, user_a):
    integration, code = provider_create(account_a)
    assert len(code) * math.log2(len(codes.ALPHABET)) >= 128
    shown = selectors.provider_code(integration=integration)
    assert shown == codes.code_display(code)
    assert all(len(group) == 4 for group in shown.split("-"))
    # Typing is forgiving: lower case, spaces instead of dashes, O for 0 and l for 1.
    typed = shown.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert codes.code_normalize(typed) == code


def test_the_database_does_not_hold_the_code_in_clear(account_a, user_a):
    integration, code = provider_create(account_a)
    row = ConnectionCode.objects.get(integration=integration)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM connect_connectioncode WHERE id = %s", [row.pk])
        dumped = " ".join(str(value) for value in cursor.fetchone())
    assert code not in dumped and codes.code_display(code) not in dumped
    assert code.lower() not in dumped.lower()
    # The lookup hash is keyed: a plain SHA-256 of the code is not what is stored.
    import hashlib

    assert hashlib.sha256(code.encode()).hexdigest() != row.code_hash


def test_verify_shows_the_provider_and_what_it_offers(account_a, account_b, user_a, user_b):
    _integration, code = provider_create(account_a, name="Alpha dropshipping", orders=True, products=False)
    offer = services.code_verify(actor=owner_tenant(account_b), code=code, client_ip="10.0.0.2")
    assert offer.provider_name == "Alpha Wholesale"
    assert offer.display_name == "Alpha dropshipping"
    assert (offer.orders, offer.products) == (True, False)


def test_joining_creates_the_contractor_integration_and_an_active_link(account_a, account_b, user_a, user_b):
    provider, code = provider_create(account_a)
    link = contractor_join(account_b, code, name="Alpha as my supplier")
    assert link.state == ContractorLink.State.ACTIVE and link.is_open
    assert link.provider_integration == provider
    assert link.contractor_account == account_b and link.name == "Beta Shop"
    assert link.contractor_integration.role == ConnectIntegration.Role.CONTRACTOR
    assert link.contractor_integration.display_name == "Alpha as my supplier"
    found = selectors.provider_integration_for_contractor(contractor_integration=link.contractor_integration)
    assert found == (provider, link)


def test_wrong_codes_all_answer_the_same(account_a, account_b, account_c, user_a, user_b):
    old_integration, old_code = provider_create(account_a, name="Regenerated")
    services.code_regenerate(actor=owner_tenant(account_a), integration=old_integration)
    deleted_integration, deleted_code = provider_create(account_a, name="Deleted")
    services.integration_delete(actor=owner_tenant(account_a), integration=deleted_integration)
    never = codes.code_generate()
    answers = set()
    for code in (never, old_code, deleted_code, "not a code at all"):
        with pytest.raises(ValidationError) as caught:
            services.code_verify(actor=owner_tenant(account_b), code=code, client_ip=None)
        answers.add(messages_of(caught.value))
    assert len(answers) == 1 and NO_SUCH_CODE in answers.pop()


def test_regenerating_stops_the_old_code_but_keeps_existing_contractors(
    account_a, account_b, account_c, user_a, user_b
):
    provider, old_code = provider_create(account_a)
    link = contractor_join(account_b, old_code)
    new_code = services.code_regenerate(actor=owner_tenant(account_a), integration=provider)
    assert new_code != old_code
    with pytest.raises(ValidationError, match=NO_SUCH_CODE):
        contractor_join(account_c, old_code)
    link.refresh_from_db()
    assert link.is_open
    assert contractor_join(account_c, new_code).provider_integration == provider


def test_own_code_is_refused_with_a_clear_message(account_a, user_a):
    _provider, code = provider_create(account_a)
    with pytest.raises(ValidationError, match="code of your own account"):
        services.code_verify(actor=owner_tenant(account_a), code=code, client_ip=None)


def test_joining_twice_is_already_connected(account_a, account_b, user_a, user_b):
    _provider, code = provider_create(account_a)
    contractor_join(account_b, code)
    with pytest.raises(ValidationError, match="already connected"):
        contractor_join(account_b, code)
    assert ContractorLink.objects.filter(contractor_account=account_b).count() == 1


def test_after_disconnecting_a_contractor_may_join_again(account_a, account_b, user_a, user_b):
    _provider, code = provider_create(account_a)
    link = contractor_join(account_b, code)
    services.integration_disconnect(actor=owner_tenant(account_b), integration=link.contractor_integration)
    link.refresh_from_db()
    assert link.disconnected_at is not None and not link.is_open
    assert (
        selectors.provider_integration_for_contractor(contractor_integration=link.contractor_integration)
        is None
    )
    again = contractor_join(account_b, code)
    assert again.pk != link.pk and again.is_open


def test_wrong_codes_are_rate_limited_per_user(account_a, account_b, user_a, user_b, caplog):
    _provider, good_code = provider_create(account_a)
    actor = owner_tenant(account_b)
    with caplog.at_level(logging.WARNING, logger="connect.codes"):
        for i in range(services.CODE_FAILURE_LIMIT):
            with pytest.raises(ValidationError, match=NO_SUCH_CODE):
                services.code_verify(actor=actor, code=codes.code_generate(), client_ip=f"10.1.0.{i}")
    assert len([r for r in caplog.records if "wrong connection code" in r.getMessage()]) == 10
    # The 11th attempt is refused unread, even with the right code and from a fresh address.
    with pytest.raises(services.TooManyCodeAttempts, match="Too many wrong codes"):
        services.code_verify(actor=actor, code=good_code, client_ip="10.9.9.9")
    # Another user of another account is not affected.
    from tests.factories.accounts import AccountFactory

    other = AccountFactory(name="Delta")
    assert services.code_verify(actor=owner_tenant(other), code=good_code, client_ip="10.9.9.9")


def test_wrong_codes_are_rate_limited_per_address(account_a, user_a, db):
    from tests.factories.accounts import AccountFactory

    _provider, good_code = provider_create(account_a)
    for i in range(services.CODE_ADDRESS_FAILURE_LIMIT):
        stranger = owner_tenant(AccountFactory(name=f"Stranger {i}"))
        with pytest.raises(ValidationError):
            services.code_verify(actor=stranger, code=codes.code_generate(), client_ip="192.0.2.7")
    newcomer = owner_tenant(AccountFactory(name="Newcomer"))
    with pytest.raises(services.TooManyCodeAttempts):
        services.code_verify(actor=newcomer, code=good_code, client_ip="192.0.2.7")
    assert services.code_verify(actor=newcomer, code=good_code, client_ip="192.0.2.8")


def test_members_may_not_join_create_or_regenerate(account_a, account_b, user_a, member_a):
    provider, code = provider_create(account_b)
    with pytest.raises(PermissionDenied):
        services.code_verify(actor=member_a, code=code, client_ip=None)
    with pytest.raises(PermissionDenied):
        services.integration_join(actor=member_a, code=code, client_ip=None, display_name="x")
    with pytest.raises(PermissionDenied):
        services.provider_create(
            actor=member_a, display_name="x", orders_enabled=True, products_enabled=False
        )
    own, _code = provider_create(account_a)
    with pytest.raises(PermissionDenied):
        services.code_regenerate(actor=member_a, integration=own)
    assert not ConnectIntegration.objects.filter(account=account_a).exclude(pk=own.pk).exists()


def test_deleting_a_provider_integration_disconnects_its_contractors(account_a, account_b, user_a, user_b):
    provider, code = provider_create(account_a)
    link = contractor_join(account_b, code)
    services.integration_delete(actor=owner_tenant(account_a), integration=provider)
    link.refresh_from_db()
    assert link.disconnected_at is not None
    summary = selectors.provider_summary_for_contractor(contractor_integration=link.contractor_integration)
    assert summary.disconnected and not summary.is_open
