"""Which rows belong to an account, read from the models themselves (nothing listed by hand).

- ``owner_lookups(model)``: how a model reaches its account — its own ``account`` foreign key(s), or
  (for child rows such as order lines and stock) its parents' (``order__account``). A model with no
  way to an account (users, Django's own tables) is not account data.
- ``DataState``: one query that counts the rows of every table of the project and fingerprints every
  row that touches a watched account (its own rows, and any row pointing at one of them). Taken before
  and after account B's requests, it shows that B changed nothing of A's and, for refused requests,
  nothing at all — without each case saying what to look at.
- ``row_of(model, account)``: one of the account's rows of a model, made when there is none, for
  request bodies that name account A's objects by id.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import Model, Q

from accounts.models import Account
from tests.origins import TEST_ORIGIN


def project_models() -> list[type[Model]]:
    """The models of the project's own apps (with their many-to-many tables), not Django's."""
    base = str(settings.BASE_DIR)
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_config.path.startswith(base) and model._meta.managed and not model._meta.proxy
    ]


def _foreign_keys(model: type[Model]):
    return [f for f in model._meta.concrete_fields if (f.many_to_one or f.one_to_one) and f.related_model]


@functools.cache
def owner_lookups(model: type[Model], depth: int = 3) -> tuple[str, ...]:
    """Lookups from ``model`` to the Account that owns a row (any of them may hold), or ()."""
    if model is Account:
        return ("pk",)
    direct = tuple(f.name for f in _foreign_keys(model) if f.related_model is Account)
    if direct or depth == 0:
        return direct
    through: list[str] = []
    for field in _foreign_keys(model):
        if field.related_model is model:
            continue
        through += [f"{field.name}__{lookup}" for lookup in owner_lookups(field.related_model, depth - 1)]
    return tuple(lookup.removesuffix("__pk") for lookup in through)


def is_account_data(model: type[Model]) -> bool:
    return model is not Account and bool(owner_lookups(model))


def owned_by(model: type[Model], account: Account) -> Q:
    """Rows of ``model`` owned by ``account``."""
    query = Q()
    for lookup in owner_lookups(model):
        query |= Q(**{lookup: account.pk})
    return query


def touching(model: type[Model], account: Account) -> Q | None:
    """Rows owned by ``account`` or pointing at one of its rows (a line of B's order naming A's product
    touches A). None when the model has nothing to do with accounts."""
    lookups = set(owner_lookups(model))
    for field in _foreign_keys(model):
        lookups |= {f"{field.name}__{lookup}" for lookup in owner_lookups(field.related_model)}
    if not lookups:
        return None
    query = Q()
    for lookup in sorted(lookups):
        query |= Q(**{lookup.removesuffix("__pk"): account.pk})
    return query


_PLACEHOLDER_ACCOUNT = -7_654_321  # stands for the watched account while the query is built
_STATEMENT = "isolation_data_state"


@functools.cache
def _state_sql() -> str:
    """The snapshot query, with ``$1`` for the watched account."""
    placeholder = Account(pk=_PLACEHOLDER_ACCOUNT)
    parts = []
    quote = connection.ops.quote_name
    for model in project_models():
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        label = "'" + model._meta.label.replace("'", "''") + "'"
        query = touching(model, placeholder)
        if query is None:
            parts.append(f"SELECT {label}::text, (SELECT count(*) FROM {table}), ''")
            continue
        ids_sql, ids_params = model._base_manager.filter(query).values("pk").query.sql_with_params()
        assert set(ids_params) == {_PLACEHOLDER_ACCOUNT}, ids_params
        ids_sql = ids_sql.replace("%s", "$1")
        parts.append(
            f"SELECT {label}::text, (SELECT count(*) FROM {table}), (SELECT md5(coalesce(string_agg("
            f"x::text, '|' ORDER BY x.{pk}), '')) FROM {table} x WHERE x.{pk} IN ({ids_sql}))"
        )
    return " UNION ALL ".join(parts)


@dataclass(frozen=True)
class DataState:
    """Row counts of every project table, and a fingerprint of the rows touching the watched account."""

    counts: dict[str, int]
    watched: dict[str, str]

    @classmethod
    def take(cls, account: Account) -> DataState:
        # Prepared once per connection with a generic plan: planning the union of every table's joins
        # costs several times what running it does on a test database.
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [_STATEMENT])
            if cursor.fetchone() is None:
                cursor.execute(f"PREPARE {_STATEMENT}(bigint) AS {_state_sql()}")
            cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            cursor.execute(f"EXECUTE {_STATEMENT}(%s)", [account.pk])
            rows = cursor.fetchall()
        return cls(counts={r[0]: r[1] for r in rows}, watched={r[0]: r[2] for r in rows if r[2]})

    def changes_of_watched(self, later: DataState) -> list[str]:
        """Tables whose rows touching the watched account differ in ``later``."""
        return sorted(label for label in self.watched if later.watched.get(label) != self.watched[label])

    def count_changes(self, later: DataState) -> list[str]:
        return sorted(
            f"{label} {self.counts[label]}→{later.counts.get(label)}"
            for label in self.counts
            if later.counts.get(label) != self.counts[label]
        )


# -- one of an account's rows, for bodies that name it -------------------------------------------------


def _inventory(account):
    from catalog.models import Inventory

    return Inventory.objects.filter(account=account, is_default=True).first()


def _product(account):
    from catalog.models import Product

    return Product.objects.create(account=account, inventory=_inventory(account), sku="ALPHA-REF-SKU")


def _category(account):
    from catalog.models import Category

    return Category.objects.create(account=account, inventory=_inventory(account), name="Alpha ref category")


def _order(account):
    from orders.services import order_create

    return order_create(
        account=account,
        lines=[{"name": "Alpha ref line", "quantity": 1, "price_brutto": Decimal("1")}],
        origin=TEST_ORIGIN,
    )


def _package(account):
    from shipments.services import package_create

    order = row_of(_model("orders.Order"), account)
    return package_create(
        order=order, courier_code="manual", tracking_number="ALPHA-REF-NR", weight=1, origin=TEST_ORIGIN
    )


def _connection(account):
    from wmsbridge.services import connection_create

    return connection_create(
        account=account,
        name="Alpha ref link",
        base_url="http://127.0.0.1:9/alpha-ref/",
        api_user="alpha",
        password="alpha",
        goods_owner_id=1,
        inventory=_inventory(account),
    )


def _publication(account):
    """An entry of a provider integration of the account's, private and unverified (a draft)."""
    from connect import directory
    from tests.factories.connect import owner_tenant, provider_create

    integration, _code = provider_create(account, name="Alpha ref provider")
    return directory.publication_save(
        actor=owner_tenant(account), integration=integration, company_name="Alpha ref entry"
    )


def _named(label: str, **fields):
    def make(account):
        return _model(label).objects.create(account=account, **fields)

    return make


def _model(label: str) -> type[Model]:
    return apps.get_model(label)


# Rows an account does not get when it is created. Models missing here fail loudly (see ``row_of``).
MAKERS: dict[str, Callable[[Account], Model]] = {
    "catalog.Product": _product,
    "catalog.Category": _category,
    "catalog.Manufacturer": _named("catalog.Manufacturer", name="Alpha ref maker"),
    "catalog.Tag": _named("catalog.Tag", name="Alpha ref tag"),
    "catalog.ExtraField": _named("catalog.ExtraField", name="Alpha ref field"),
    "orders.Order": _order,
    "orders.CustomButton": _named("orders.CustomButton", name="Alpha ref button"),
    "orders.OrderExtraField": _named("orders.OrderExtraField", name="Alpha ref field"),
    "shipments.Package": _package,
    "wmsbridge.WmsConnection": _connection,
    "connect.Publication": _publication,
}


def row_of(model: type[Model], account: Account) -> Model:
    """One of ``account``'s rows of ``model`` (the oldest), made if it has none."""
    if model is Account:
        return account
    existing = model._base_manager.filter(owned_by(model, account)).order_by("pk").first()
    if existing is not None:
        return existing
    make = MAKERS.get(model._meta.label)
    if make is None:
        raise LookupError(
            f"A request body names a {model._meta.label} and account A has none: add a maker for it to "
            "MAKERS in tests/isolation/ownership.py"
        )
    return make(account)
