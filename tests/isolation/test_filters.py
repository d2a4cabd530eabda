"""List filters keep accounts apart: their choice lists name only the account's own rows, and a filter
given another account's id answers exactly as for an id that does not exist (no existence oracle)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIRequestFactory

from accounts.filters import AccountFilterBackend, AccountFilterSet
from catalog.models import Category, Inventory, Manufacturer, Product, Tag
from orders.models import OrderSource, OrderStatus
from orders.services import order_create
from tests.origins import TEST_ORIGIN
from wmsbridge.services import connection_create


def _rows_of(account, prefix: str) -> dict:
    """One row of every kind a filter can pick, named ``<prefix> secret ...``; returns their ids."""
    inventory = Inventory.objects.get(account=account, is_default=True)
    Inventory.objects.filter(pk=inventory.pk).update(name=f"{prefix} secret catalog")
    category = Category.objects.create(account=account, inventory=inventory, name=f"{prefix} secret category")
    maker = Manufacturer.objects.create(account=account, name=f"{prefix} secret maker")
    tag = Tag.objects.create(account=account, name=f"{prefix} secret tag")
    product = Product.objects.create(
        account=account,
        inventory=inventory,
        sku=f"{prefix.upper()}-SECRET-SKU",
        category=category,
        manufacturer=maker,
    )
    product.tags.add(tag)
    status = OrderStatus.objects.create(account=account, name=f"{prefix} secret status")
    source = OrderSource.objects.create(account=account, name=f"{prefix} secret source")
    order = order_create(
        account=account,
        lines=[{"name": f"{prefix} secret line", "quantity": 1, "price_brutto": Decimal("10")}],
        email=f"{prefix.lower()}-buyer@example.test",
        origin=TEST_ORIGIN,
    )
    connection = connection_create(
        account=account,
        name=f"{prefix} secret warehouse link",
        base_url="http://127.0.0.1:9/secret/",
        api_user="api-user",
        password="password",
        goods_owner_id=41,
        inventory=inventory,
    )
    return {
        "inventory": inventory.pk,
        "category": category.pk,
        "manufacturer": maker.pk,
        "tag": tag.pk,
        "product": product.pk,
        "status": status.pk,
        "source": source.pk,
        "order": order.pk,
        "connection": connection.pk,
    }


MARKERS_OF_B = [
    "Beta secret catalog",
    "Beta secret category",
    "Beta secret maker",
    "Beta secret tag",
    "BETA-SECRET-SKU",
    "Beta secret status",
    "Beta secret source",
    "Beta secret warehouse link",
]


def _api_list_views():
    """(route name, view callback) of every REST list route."""

    def walk(resolver, namespace=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = entry.namespace or namespace
                yield from walk(entry, inner)
            elif isinstance(entry, URLPattern) and namespace == "api":
                actions = getattr(entry.callback, "actions", None) or {}
                # A nested list (a supplier's shared catalog under its integration id) is not the
                # account's own rows: its grant cases in routes_connect.py cover what it shows.
                if actions.get("get") == "list" and not entry.pattern.converters:
                    yield f"api:{entry.name}", entry.callback

    return sorted(walk(get_resolver()), key=lambda item: item[0])


def _filter_forms(route: str, callback, user) -> list[str]:
    """The filter forms the browsable API shows a signed-in user above a list (what ``to_html``
    renders), as HTML."""
    django_request = APIRequestFactory().get(reverse(route))
    django_request.user = user
    django_request.session = {}
    view = callback.cls(**callback.initkwargs)
    view.action_map = callback.actions
    view.setup(django_request)
    view.action = "list"
    view.format_kwarg = None
    request = view.initialize_request(django_request)
    view.request = request
    request.user  # noqa: B018 - authenticates: the user's account becomes the request's
    queryset = view.get_queryset()
    return [
        backend().to_html(request, queryset, view) or ""
        for backend in view.filter_backends
        if hasattr(backend, "get_filterset_class")
    ]


def test_every_api_list_filters_through_the_account_base(account_a):
    """A list's filters (declared or from ``filterset_fields``) are AccountFilterSets: none can forget
    to scope its choices."""
    checked = []
    for route, callback in _api_list_views():
        view = callback.cls(**callback.initkwargs)
        backends = [b for b in view.filter_backends if hasattr(b, "get_filterset_class")]
        assert all(issubclass(b, AccountFilterBackend) for b in backends), route
        queryset = callback.cls.queryset
        for backend in backends:
            filterset = backend().get_filterset_class(view, queryset)
            if filterset is not None:
                assert issubclass(filterset, AccountFilterSet), route
                checked.append(route)
    assert {"api:product-list", "api:order-list", "api:wmssyncrun-list", "api:importjob-list"} <= set(checked)


@pytest.mark.parametrize(("route", "callback"), _api_list_views(), ids=[r for r, _c in _api_list_views()])
def test_api_filter_forms_list_only_the_accounts_own_names(route, callback, user_a, account_a, account_b):
    _rows_of(account_a, "Alpha")
    _rows_of(account_b, "Beta")
    html = "\n".join(_filter_forms(route, callback, user_a))
    for marker in MARKERS_OF_B:
        assert marker not in html, f"{route}: the filter form names {marker!r} of another account"


def test_api_filter_forms_offer_the_accounts_own_names(user_a, account_a, account_b):
    _rows_of(account_a, "Alpha")
    _rows_of(account_b, "Beta")
    views = dict(_api_list_views())
    products = "\n".join(_filter_forms("api:product-list", views["api:product-list"], user_a))
    for marker in ("Alpha secret catalog", "Alpha secret category", "Alpha secret maker", "Alpha secret tag"):
        assert marker in products
    orders = "\n".join(_filter_forms("api:order-list", views["api:order-list"], user_a))
    assert "Alpha secret status" in orders and "Alpha secret source" in orders
    runs = "\n".join(_filter_forms("api:wmssyncrun-list", views["api:wmssyncrun-list"], user_a))
    assert "Alpha secret warehouse link" in runs


@pytest.mark.parametrize("route", ["catalog:product-list", "orders:order-list"])
def test_list_pages_offer_only_the_accounts_own_names(route, client_a, account_a, account_b):
    _rows_of(account_a, "Alpha")
    _rows_of(account_b, "Beta")
    page = client_a.get(reverse(route)).content.decode()
    assert "Alpha secret" in page
    for marker in MARKERS_OF_B:
        assert marker not in page


# --- another account's id looks like a missing one ---------------------------------------------------------

# (route, parameter, which of account B's rows it names)
ORACLE_CASES = [
    ("api:product-list", "inventory", "inventory"),
    ("api:product-list", "category", "category"),
    ("api:product-list", "manufacturer", "manufacturer"),
    ("api:product-list", "tags", "tag"),
    ("api:product-list", "parent", "product"),
    ("api:category-list", "inventory", "inventory"),
    ("api:category-list", "parent", "category"),
    ("api:order-list", "status", "status"),
    ("api:order-list", "source", "source"),
    ("api:journal-list", "order", "order"),
    ("api:orderline-list", "order", "order"),
    ("api:orderline-list", "product", "product"),
    ("api:wmsconnection-list", "inventory", "inventory"),
    ("api:wmssyncrun-list", "connection", "connection"),
    ("api:importjob-list", "inventory", "inventory"),
    ("api:package-list", "order", "order"),
    ("catalog:product-list", "category", "category"),
    ("catalog:product-list", "inventory", "inventory"),
    ("catalog:product-list", "tags", "tag"),
    ("catalog:product-export", "inventory", "inventory"),
    ("catalog:product-export", "category", "category"),
    ("orders:order-list", "status", "status"),
    ("orders:order-list", "source", "source"),
]

MISSING_ID = 987654321

_CSRF = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


def _answer(client, route: str, parameter: str, value) -> tuple[int, str]:
    response = client.get(reverse(route), {parameter: value})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode()
    # A page echoes its query (links, hidden fields) and carries a fresh CSRF token.
    text = text.replace(f"{parameter}={value}", f"{parameter}=ID")
    text = text.replace(f'name="{parameter}" value="{value}"', f'name="{parameter}" value="ID"')
    return response.status_code, _CSRF.sub(r"\1…", text)


def _client_for(route, api_a, client_a):
    return api_a if route.startswith("api:") else client_a


@pytest.mark.parametrize(
    ("route", "parameter", "kind"), ORACLE_CASES, ids=[f"{r}?{p}" for r, p, _k in ORACLE_CASES]
)
def test_another_accounts_id_answers_like_a_missing_id(
    route, parameter, kind, api_a, client_a, account_a, account_b
):
    _rows_of(account_a, "Alpha")
    of_b = _rows_of(account_b, "Beta")
    client = _client_for(route, api_a, client_a)
    missing = _answer(client, route, parameter, MISSING_ID)
    foreign = _answer(client, route, parameter, of_b[kind])
    assert missing[0] < 500
    assert foreign == missing


@pytest.mark.parametrize("value", ["abc", str(10**25), "-1", "²", "1.5"])
@pytest.mark.parametrize(
    ("route", "parameter", "kind"), ORACLE_CASES, ids=[f"{r}?{p}" for r, p, _k in ORACLE_CASES]
)
def test_ids_that_are_no_ids_get_a_field_message_not_a_server_error(
    route, parameter, kind, value, api_a, client_a, account_a
):
    _rows_of(account_a, "Alpha")
    response = _client_for(route, api_a, client_a).get(reverse(route), {parameter: value})
    if route.startswith("api:"):
        body = response.json()
        if response.status_code == 200:  # a plain number filter: nothing has that id
            assert body["results"] == []
        else:
            assert response.status_code == 400 and parameter in body["errors"]
    elif route == "catalog:product-export":
        assert response.status_code == 400 and parameter in response.content.decode()
    else:  # a list page shows the message above the list, naming the filter by its label
        assert response.status_code == 200
        label = response.context["filter"].form[parameter].label
        assert f"{label}: " in response.content.decode()
        assert f"{parameter}: " not in response.content.decode()
