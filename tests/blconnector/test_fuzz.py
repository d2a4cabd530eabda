"""Every method with random parameters answers HTTP 200 with SUCCESS or ERROR — never a 500, and never
an internal error: whatever a client sends is either used or refused with a reason.

The suite runs the same 30 examples per method every time; ``FUZZ_EXAMPLES=500`` runs that many new
random ones (a longer hunt, by hand)."""

from __future__ import annotations

import json
import os
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blconnector.registry import METHODS
from blconnector.shared_catalogs import SHARED_INVENTORY_BASE
from orders.services import order_create
from shipments.services import package_create
from tests.blconnector.conftest import connector_for, make_product
from tests.connect.shared_setup import shared_catalog_setup
from tests.factories.accounts import AccountFactory
from tests.origins import TEST_ORIGIN

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "30")),
    deadline=None,
    derandomize=not os.environ.get("FUZZ_EXAMPLES"),
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Scalars as clients send them, with the ids of the rows made below among the small numbers.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=12),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(
        [
            "",
            "0",
            "1",
            "2",
            "bl_1",
            "bl_2",
            "shop_1",
            "true",
            "false",
            "id DESC",
            "url:http://x.test/a.jpg",
            "data:AAAA",
            "hurtlink",
            "manual",
            "dpd",
            "PLN",
            "name|en",
            "\x00",
        ]
    ),
)


def values_with(known: list) -> st.SearchStrategy:
    """Any JSON value, with ``known`` (ids and keys of the world's rows) among the scalars."""
    return st.recursive(
        st.one_of(scalars, st.sampled_from(known)),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.one_of(
                    st.text(max_size=6), st.sampled_from(["1", "2", "bl_1", "name", "0", *map(str, known)])
                ),
                children,
                max_size=4,
            )
        ),
        max_leaves=12,
    )


@pytest.fixture
def world(account_a):
    """Account A with a product, a variant, an order with lines and a labelled package, and a Connect
    supplier's shared catalog (an inventory and an external storage of A's), so that random ids often
    name real rows."""
    inventory = account_a.inventories.get(is_default=True)
    shirt = make_product(account_a, inventory, sku="SHIRT", name="Koszulka", stock=1000)
    make_product(account_a, inventory, sku="MUG", name="Kubek", stock=1000)
    order = order_create(
        account=account_a,
        lines=[
            {"product": shirt, "quantity": 1, "price_brutto": Decimal("10")},
            {"name": "Free", "quantity": 1, "price_brutto": Decimal("1")},
        ],
        confirmed=True,
        origin=TEST_ORIGIN,
    )
    package_create(order=order, courier_code="hurtlink", origin=TEST_ORIGIN)
    shared = shared_catalog_setup(AccountFactory(name="Fuzz Supplier"), account_a)
    pk = shared.contractor_integration.pk
    connector = connector_for(account_a, limit=1_000_000)
    connector.known = [
        f"warehouse_{pk}",
        SHARED_INVENTORY_BASE + pk,
        str(SHARED_INVENTORY_BASE + pk),
        shared.drill.pk,
        shared.kit.pk,
        shared.garden.pk,
        "name ASC",
        "price DESC",
        "warehouse",
    ]
    return connector


@pytest.mark.parametrize("name", sorted(METHODS))
def test_random_parameters_never_break_a_method(name, world):
    declared = [param.name for param in METHODS[name].params]
    parameters = st.dictionaries(
        st.sampled_from([*declared, "unknown"]), values_with(world.known), max_size=len(declared) + 1
    )

    @FUZZ
    @given(parameters=parameters)
    def run(parameters):
        body = world(name, json.dumps(parameters))
        assert body["status"] in ("SUCCESS", "ERROR")
        assert body.get("error_code") != "ERROR_INTERNAL", (parameters, body)
        if body["status"] == "SUCCESS":
            assert "error_code" not in body

    run()


@FUZZ
@given(
    method=st.one_of(st.sampled_from(sorted(METHODS)), st.text(max_size=30)),
    parameters=st.one_of(st.text(max_size=40), st.sampled_from(["", "[]", "{}", "null", "[1]", '"x"', "{"])),
)
def test_random_transport_fields_never_break_the_endpoint(world, method, parameters):
    body = world(method, parameters)
    assert body["status"] in ("SUCCESS", "ERROR")
    assert body.get("error_code") != "ERROR_INTERNAL", (method, parameters, body)
