"""Lint-level tenancy guard: a query of account data says whose rows it reads.

The project's code is read with ``ast``. A query of an account-scoped model (one with an ``account``
foreign key, or a child reaching one through its parents — derived from the models, see
``tests/isolation/ownership.py``) must be scoped where it is written, in one of these ways:

- a keyword naming the account anywhere in the chain (``account=``, ``order__account=``,
  ``provider_account=``, ``**{self.account_field: ...}``), also inside ``Q(...)``;
- ``.none()``;
- a reload of an object in hand: ``pk=obj.pk``, ``pk=obj.<fk>_id``;
- a child filtered through a parent object in hand: ``order=order``, ``product_id=OuterRef("pk")``,
  ``inventory__in=[inventory]`` (a foreign key of the model to an account-scoped model, given an object
  or an expression rather than a literal);
- ``queryset = ...`` as the class attribute of a view built on ``AccountScopedMixin`` (which scopes
  ``get_queryset()``), ``queryset=`` given to a filter declared on an ``AccountFilterSet`` (which
  narrows every filter's choices to the account), or to ``AccountScopedRelatedField`` or ``Prefetch``
  (which only narrows rows of an already scoped parent);
- handed to ``get_object_or_404`` / ``scoped(...)`` with the account;
- ``bulk_create`` of objects built with their account or parent, ``bulk_update`` of objects in hand.

Not read: the test suite, migrations, ``admin.py`` (staff only), ``bench/``, the WMS sandbox (a fake
Ongoing server). Whatever else remains is either a leak to fix or listed in ``ALLOWED`` below with the
reason it may cross accounts; an entry no longer needed fails the test too, so the list stays honest.
"""

from __future__ import annotations

import ast
import functools
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Model

from tests.isolation.ownership import is_account_data, project_models

ROOT = Path(settings.BASE_DIR)
NOT_READ_DIRS = {"tests", "migrations", "bench", "sandbox", ".venv", "node_modules", "static", "templates"}
NOT_READ_FILES = {"admin.py"}
MANAGERS = {"objects", "_default_manager", "_base_manager"}
# Classes that scope what they declare: a view's get_queryset() filters its ``queryset``, a filter set
# narrows every filter's choices to the request's account.
SCOPING_BASES = {"AccountScopedMixin", "AccountFilterSet"}
NARROWING_CALLS = {"AccountScopedRelatedField", "Prefetch"}  # queryset= they take is scoped later
LOOKUP_WITH_ACCOUNT = {"get_object_or_404", "get_list_or_404", "scoped"}

# "path:function" → why a query there may read or write across accounts (or by an id our code made).
ALLOWED: dict[str, str] = {
    # Who is asking: the account comes out of these lookups.
    "accounts/authentication.py:api_token_find": "the token, by its secret's hash (REST and /connector.php)",
    "accounts/tenancy.py:session_membership": "the signed-in user's own memberships (how a session finds it)",
    "accounts/context_processors.py:active_account": "the signed-in user's own memberships (switcher)",
    "accounts/services.py:invitation_by_key": "an invitation, by the hash of the secret key in its link",
    "wmsbridge/views.py:webhook": "Ongoing's webhook: its connection, by the unguessable secret in the URL",
    "shipments/views.py:tracking_page": "the tracking link's number and secret key are the credentials",
    # The public partner directory: what providers published and staff verified, for every account.
    "connect/directory.py:_listed": "the directory lists the verified entries of every account, by design",
    "connect/directory.py:directory_logo": "a listed entry's verified logo, shown to every account",
    # Sweeps and operators' commands walk every account on purpose.
    "accounts/services.py:invitations_expire": "drops the expired invitations of every account",
    "changes/services.py:deliveries_sweep": "redelivers what a dead worker left, for every account",
    "changes/services.py:events_purge": "the retention sweep drops delivered events of every account",
    "wmsbridge/tasks.py:wms_dispatch": "the beat dispatcher walks every account's connections by design",
    "connect/imports.py:connect_imports_refresh_all": "the periodic pass runs every continuous import",
    "wmsbridge/management/commands/wms_sync.py:Command.handle": "an operator's command (all, or one by id)",
    "demo/management/commands/demo_data.py:Command.handle": "an operator's command names the owner",
    "accounts/demo.py:demo_memberships": "the demo's own users, by their fixed e-mail addresses",
    # Tasks load what our own code queued, by id (the request that queued it was scoped).
    "accounts/tasks.py:invitation_send": "a task loads the invitation our own code queued",
    "catalog/imports.py:import_job_run": "a task loads the import job our own code queued",
    "connect/imports.py:connect_import_job_run": "a task loads the Connect import job our own code queued",
    "connect/imports.py:connect_import_refresh": "a task or a change consumer loads the import by id",
    "orders/automation.py:rules_run": "a task loads the order our own code queued",
    "changes/services.py:event_deliver": "a task loads the deliveries of an event our own code recorded",
    "changes/services.py:delivery_run": "a task loads the delivery our own code queued",
    "wmsbridge/sync/runner.py:connection_sync": "a task loads the connection our own code queued",
    "wmsbridge/webhooks.py:webhook_event_process": "a task loads the webhook event the webhook stored",
    "connect/sync.py:link_resync_full": "a task loads the link our own code queued (settings saved...)",
    "connect/sync.py:link_check": "a task loads the link the reconciliation queued",
    # Connect's stock and price sync crosses from a provider to its contractors by design, only through
    # open links: the query is narrowed by its callers to the provider account whose change is carried
    # (or the link a task queued); the 15-minute reconciliation walks every account's links.
    "connect/sync.py:_links": "open links only, narrowed by the caller to the changing provider account",
    "connect/sync.py:_mark": "the sync state of the contractor integrations of links it has just written",
    # Ids that a scoped query or a check against the account produced just before.
    "catalog/services.py:stock_adjust_many": "its product and warehouse ids are checked against the account",
    "catalog/exports.py:export_csv": "the product ids come from the account's queryset it is given",
    "wmsbridge/sync/shipments.py:shipments_sync": "the export ids are the connection's own pending orders",
}


@dataclass(frozen=True)
class Hit:
    path: str
    line: int
    scope: str  # "Class.method", "function" or "<module>"
    model: str
    code: str

    @property
    def key(self) -> str:
        return f"{self.path}:{self.scope}"

    def __str__(self) -> str:
        return f"{self.path}:{self.line} ({self.scope}) {self.model}: {self.code}"


def scoped_models() -> dict[str, type[Model]]:
    return {
        model.__name__: model
        for model in project_models()
        if not model._meta.auto_created and is_account_data(model)
    }


def _related_scoped_fields(model: type[Model]) -> set[str]:
    """The model's foreign keys (and many-to-many fields) to account-scoped models."""
    names = set()
    for field in model._meta.get_fields():
        if (
            field.is_relation
            and field.concrete
            and field.related_model
            and is_account_data(field.related_model)
        ):
            names.add(field.name)
    return names


def _name_of(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _is_object_in_hand(value: ast.AST, in_hand: frozenset[str] = frozenset()) -> bool:
    """``obj.pk``, ``obj.id``, ``obj.<fk>_id`` (or a name given one of them): the id of a loaded row."""
    if isinstance(value, ast.Name):
        return value.id in in_hand
    return isinstance(value, ast.Attribute) and (value.attr in ("pk", "id") or value.attr.endswith("_id"))


def _names_in_hand(function: ast.AST) -> frozenset[str]:
    """Names a function sets from a loaded row's id (``package_id = package.pk``)."""
    return frozenset(
        target.id
        for node in ast.walk(function)
        if isinstance(node, ast.Assign) and _is_object_in_hand(node.value)
        for target in node.targets
        if isinstance(target, ast.Name)
    )


def _is_literal(value: ast.AST) -> bool:
    return isinstance(value, ast.Constant) or (
        isinstance(value, ast.List | ast.Tuple | ast.Set)
        and all(isinstance(e, ast.Constant) for e in value.elts)
    )


def _keyword_scopes(keyword: ast.keyword, parents: set[str], in_hand: frozenset[str] = frozenset()) -> bool:
    if keyword.arg is None:  # **{...}: scoped when what is unpacked names the account
        return "account" in ast.unparse(keyword.value)
    name = keyword.arg
    if "account" in name:
        return True
    first = name.split("__")[0]
    if first in ("pk", "id") and "__" not in name:
        return _is_object_in_hand(keyword.value, in_hand)
    base = first.removesuffix("_id")
    if base in parents and not _is_literal(keyword.value):
        if first.endswith("_id"):  # a bare id could be anyone's; an id read off a row or OuterRef is not
            value = keyword.value
            return _is_object_in_hand(value, in_hand) or (
                isinstance(value, ast.Call) and _name_of(value.func) == "OuterRef"
            )
        return True
    return False


def _call_scopes(call: ast.Call, parents: set[str], in_hand: frozenset[str] = frozenset()) -> bool:
    if any(_keyword_scopes(k, parents, in_hand) for k in call.keywords):
        return True
    # Q(account=...) and friends given positionally.
    return any(
        isinstance(inner, ast.Call)
        and _name_of(inner.func) == "Q"
        and any(_keyword_scopes(k, parents, in_hand) for k in inner.keywords)
        for arg in call.args
        for inner in ast.walk(arg)
    )


class _Scanner(ast.NodeVisitor):
    def __init__(self, path: str, tree: ast.Module, models: dict[str, type[Model]]):
        self.path = path
        self.tree = tree
        self.models = models
        self.hits: list[Hit] = []
        self.parent: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parent[child] = node
        self.scoping_classes = _scoping_classes(tree)
        self.stack: list[str] = []
        self.functions: list[ast.AST] = []

    # -- where we are --
    def visit_ClassDef(self, node: ast.ClassDef):
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()

    def visit_FunctionDef(self, node):
        self.stack.append(node.name)
        self.functions.append(node)
        self.generic_visit(node)
        self.functions.pop()
        self.stack.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    @property
    def scope(self) -> str:
        return ".".join(self.stack) or "<module>"

    # -- what we look for --
    def visit_Attribute(self, node: ast.Attribute):
        name = _name_of(node.value)
        if node.attr in MANAGERS and name is not None:
            model = self.models.get(name)
            # A model held in a variable (``self.model.objects``) may be any of them: it counts too.
            held = model is None and name[0].islower() and name.endswith("model")
            if (model is not None or held) and not self._scoped(node, model):
                label = model.__name__ if model else ast.unparse(node.value)
                self.hits.append(
                    Hit(self.path, node.lineno, self.scope, label, ast.unparse(self._top(node))[:120])
                )
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call):
        # get_object_or_404(Product, pk=pk): the model class itself as the queryset.
        if _name_of(node.func) in ("get_object_or_404", "get_list_or_404") and node.args:
            name = _name_of(node.args[0])
            if isinstance(node.args[0], ast.Name) and name in self.models:
                parents = _related_scoped_fields(self.models[name])
                if not _call_scopes(node, parents):
                    code = ast.unparse(node)[:120]
                    self.hits.append(Hit(self.path, node.lineno, self.scope, name, code))
        self.generic_visit(node)

    def _top(self, node: ast.AST) -> ast.AST:
        top = node
        while True:
            parent = self.parent.get(top)
            if (isinstance(parent, ast.Attribute | ast.Subscript) and parent.value is top) or (
                isinstance(parent, ast.Call) and parent.func is top
            ):
                top = parent
            else:
                return top

    def _scoped(self, node: ast.Attribute, model: type[Model] | None) -> bool:
        parents = _related_scoped_fields(model) if model else set()
        top = self._top(node)
        calls = [n for n in ast.walk(top) if isinstance(n, ast.Call) and self._in_chain(n, node)]
        if any(_name_of(c.func) == "none" for c in calls):
            return True
        in_hand = _names_in_hand(self.functions[-1]) if self.functions else frozenset()
        if any(_call_scopes(c, parents, in_hand) for c in calls):
            return True
        methods = {_name_of(c.func) for c in calls}
        if "bulk_update" in methods:
            return True  # rows already loaded (by a query that is itself checked)
        if "bulk_create" in methods:
            return model is not None and self._built_with_owner(model, parents)
        holder = self.parent.get(top)
        if isinstance(holder, ast.keyword) and holder.arg == "queryset":
            call = self.parent.get(holder)
            if isinstance(call, ast.Call) and _name_of(call.func) in NARROWING_CALLS:
                return True
            # A filter declared on a scoping filter set: ``order = ModelChoiceFilter(queryset=...)``.
            assign = self.parent.get(call)
            owner = self.parent.get(assign)
            if (
                isinstance(assign, ast.Assign)
                and isinstance(owner, ast.ClassDef)
                and owner.name in self.scoping_classes
            ):
                return True
        if (
            isinstance(holder, ast.Call)
            and top in holder.args
            and _name_of(holder.func) in LOOKUP_WITH_ACCOUNT
            and (_name_of(holder.func) == "scoped" or _call_scopes(holder, parents))
        ):
            return True
        if isinstance(holder, ast.Assign) and [_name_of(t) for t in holder.targets] == ["queryset"]:
            owner = self.parent.get(holder)
            if isinstance(owner, ast.ClassDef) and owner.name in self.scoping_classes:
                return True
        return False

    def _in_chain(self, call: ast.Call, node: ast.AST) -> bool:
        inner = call.func
        while True:
            if inner is node:
                return True
            if isinstance(inner, ast.Attribute | ast.Subscript):
                inner = inner.value
            elif isinstance(inner, ast.Call):
                inner = inner.func
            else:
                return False

    def _built_with_owner(self, model: type[Model], parents: set[str]) -> bool:
        """Every ``Model(...)`` built in the enclosing function (else the module, for builders such as
        ``_line_build``) carries its account or a parent object."""
        for where in [*self.functions[-1:], self.tree]:
            built = [
                n for n in ast.walk(where) if isinstance(n, ast.Call) and _name_of(n.func) == model.__name__
            ]
            if built:
                return all(_call_scopes(call, parents) for call in built)
        return False


@functools.cache
def _project_class_bases() -> dict[str, frozenset[str]]:
    bases: dict[str, set[str]] = {}
    for path in _source_files():
        for node in ast.walk(_parse(path)):
            if isinstance(node, ast.ClassDef):
                bases.setdefault(node.name, set()).update(filter(None, map(_name_of, node.bases)))
    return {name: frozenset(names) for name, names in bases.items()}


def _scoping_classes(tree: ast.Module) -> set[str]:
    """Classes built (through any chain of bases, by name) on a scoping mixin; the module read counts."""
    bases = {name: set(names) for name, names in _project_class_bases().items()}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            bases.setdefault(node.name, set()).update(filter(None, map(_name_of, node.bases)))
    scoping = set(SCOPING_BASES)
    grew = True
    while grew:
        grew = False
        for name, parents in bases.items():
            if name not in scoping and parents & scoping:
                scoping.add(name)
                grew = True
    return scoping


@functools.cache
def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@functools.cache
def _source_files() -> tuple[Path, ...]:
    files = []
    for directory, subdirectories, names in os.walk(ROOT):
        subdirectories[:] = sorted(
            d for d in subdirectories if d not in NOT_READ_DIRS and not d.startswith(".")
        )
        files += [
            Path(directory, name)
            for name in sorted(names)
            if name.endswith(".py") and name not in NOT_READ_FILES
        ]
    return tuple(files)


def scan_source(source: str, path: str = "<snippet>") -> list[Hit]:
    tree = ast.parse(source)
    scanner = _Scanner(path, tree, scoped_models())
    scanner.visit(tree)
    return scanner.hits


def scan_project() -> list[Hit]:
    models = scoped_models()
    hits = []
    for path in _source_files():
        tree = _parse(path)
        scanner = _Scanner(str(path.relative_to(ROOT)), tree, models)
        scanner.visit(tree)
        hits += scanner.hits
    return hits


# -- the guard -----------------------------------------------------------------------------------------


def test_every_query_of_account_data_is_scoped_or_allowed_with_a_reason():
    hits = [hit for hit in scan_project() if hit.key not in ALLOWED]
    assert not hits, (
        "Queries of account data without the account (filter by account, go through a scoped parent, "
        "or add 'path:function' to ALLOWED in tests/test_tenancy_guard.py with the reason):\n"
        + "\n".join(map(str, hits))
    )


def test_every_allowed_entry_is_still_needed():
    used = {hit.key for hit in scan_project()}
    stale = sorted(set(ALLOWED) - used)
    assert not stale, f"ALLOWED entries with no unscoped query any more (remove them): {stale}"


# -- the guard checks itself ---------------------------------------------------------------------------


def test_the_guard_catches_an_unscoped_filter_in_a_view():
    snippet = """
class ProductLookup(AccountViewMixin, View):
    def get(self, request):
        product = Product.objects.filter(sku=request.GET["sku"]).first()
        return render(request, "x.html", {"product": product})
"""
    [hit] = scan_source(snippet, "catalog/views.py")
    assert hit.key == "catalog/views.py:ProductLookup.get"
    assert hit.model == "Product"


def test_the_guard_fails_when_a_view_module_gains_an_unscoped_filter():
    views = ROOT / "catalog" / "views.py"
    source = views.read_text(encoding="utf-8") + (
        "\n\ndef product_by_sku(request, sku):\n    return Product.objects.filter(sku=sku).first()\n"
    )
    new = [hit for hit in scan_source(source, "catalog/views.py") if hit.key not in ALLOWED]
    assert [str(hit).split(" ", 1)[1] for hit in new] == [
        "(product_by_sku) Product: Product.objects.filter(sku=sku).first()"
    ]


def test_the_guard_reads_a_model_held_in_a_variable_as_account_data():
    snippet = """
class DictionaryView(AccountViewMixin, View):
    def get(self, request):
        mine = self.model.objects.filter(account=self.account)
        everyone = self.model.objects.all()
"""
    assert [hit.code for hit in scan_source(snippet)] == ["self.model.objects.all()"]


def test_the_guard_catches_unscoped_lookups_by_an_id_from_the_request():
    snippet = """
def order_detail(request, pk):
    order = Order.objects.get(pk=pk)
    line = get_object_or_404(OrderLine, pk=request.GET["line"])
    package = get_object_or_404(Package.objects.select_related("order"), pk=pk)
    lines = OrderLine.objects.filter(order_id=request.GET["order"])
    stock = Stock.objects.filter(warehouse=5)
"""
    assert [hit.model for hit in scan_source(snippet)] == [
        "Order",
        "OrderLine",
        "Package",
        "OrderLine",
        "Stock",
    ]


def test_the_guard_accepts_the_scoped_forms():
    snippet = """
class WarehouseViewSet(AccountScopedViewSet):
    queryset = Warehouse.objects.all()

class LineSerializer(serializers.Serializer):
    product = AccountScopedRelatedField(queryset=Product.objects.all())

def reads(account, order, line, request):
    Product.objects.filter(account=account, sku="x")
    Product.objects.filter(Q(account=account) | Q(sku="x"))
    Order.objects.filter(**{"account": account})
    OrderLine.objects.filter(order__account=account)
    Order.objects.select_for_update().get(pk=line.order_id)
    OrderLine.objects.filter(order=order)
    Stock.objects.filter(product_id=OuterRef("pk"))
    Warehouse.objects.none()
    get_object_or_404(Order.objects.select_related("status"), account=account, pk=request.GET["pk"])
    Order.objects.filter(account=account).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id"))
    )
    package_id = line.package_id
    Package.objects.filter(pk=package_id).delete()

def writes(account, order, rows):
    Tag.objects.bulk_create([Tag(account=account, name=n) for n in rows])
    built = [OrderLine(order=order, name=n) for n in rows]
    OrderLine.objects.bulk_create(built)
    Stock.objects.bulk_update(rows, ["quantity"])
"""
    assert scan_source(snippet) == []


def test_a_queryset_attribute_is_scoped_only_on_a_scoping_view_or_filter_set():
    snippet = """
class Leaky(generics.ListAPIView):
    queryset = Product.objects.all()

class LeakyFilter(filters.FilterSet):
    product = filters.ModelChoiceFilter(queryset=Product.objects.all())

class LineFilter(AccountFilterSet):
    product = filters.ModelChoiceFilter(queryset=Product.objects.all())
"""
    hits = [hit.key for hit in scan_source(snippet, "catalog/api.py")]
    assert hits == ["catalog/api.py:Leaky", "catalog/api.py:LeakyFilter"]
