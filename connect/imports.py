"""Importing a supplier's shared catalog into one of the contractor's catalogs, once or continuously.

A :class:`~connect.models.ConnectImport` says what to import (all shared products, the products of
chosen categories, or a list of product ids) into which catalog. A run:

1. opens the shared catalog (:mod:`connect.shared_catalog`) — nothing happens unless the link is open;
2. collects the supplier's product ids in scope into a temporary table (with the main products of
   chosen variants, the variants of chosen main products and the components of bundles, as far as
   they are shared);
3. copies what the sharing settings let through into the staging table of ``catalog.bulk`` in batches
   (the progress bar moves with them), each batch read again through the shared catalog, so a product
   deleted or unshared meanwhile is reported and left out;
4. checks the rows (``catalog.bulk.linked_products_check``) and, when there is no problem or the valid
   rows are wanted, writes them in one transaction (``catalog.bulk.linked_products_write``): create or
   update by link, SKU as fallback; prices and stock through the contractor's Products settings
   (``connect.transform``) into its Prices / Stock targets (else the catalog's defaults);
5. marks the contractor's products whose supplier product is no longer shared (stock 0, never deleted).

With *keep importing*, the supplier's product changes (``changes`` topics product created / changed /
deleted) run step 2–5 for the products concerned, and a periodic pass runs the whole import.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.tenancy import Tenant
from catalog.bulk import (
    LinkedResult,
    LinkedStaging,
    category_paths_ensure,
    linked_products_check,
    linked_products_unshare,
    linked_products_write,
)
from catalog.models import Category, ImportJob, Inventory
from changes.origin import Origin
from config.fields import ID_MAX
from config.stored_messages import Joined, Message, Stored, message_json, plural_message
from connect import transform
from connect.models import ConnectImport, ConnectIntegration
from connect.shared_catalog import (
    SharedCatalog,
    shared_catalog_get,
    shared_catalog_open,
    shared_categories,
    shared_product_ids_sql,
)

logger = logging.getLogger(__name__)

STORAGE = "connect"
BATCH = 10_000
PRODUCT_IDS_MAX = 100_000


class ImportClosed(Exception):
    """The shared catalog is not open (link blocked, disconnected, integration deleted)."""


@dataclass
class RunReport:
    """What a run did. ``total`` counts every supplier product the run looked at once — those it read
    and the asked-for ids it found not shared — and each is created, updated, unchanged or one of
    ``problem_rows`` (or, when problems stopped the run writing, left out)."""

    total: int = 0
    result: LinkedResult = field(default_factory=LinkedResult)
    problems: list[tuple[int, str, Message]] = field(default_factory=list)  # untranslated
    unshared: int = 0
    written: bool = False

    @property
    def problem_rows(self) -> int:
        """Products with at least one problem (a product can have several)."""
        return len({pk for pk, _field, _message in self.problems})


# ------------------------------------------------------------------------------------------- create


def product_ids_parse(text: str) -> list[int]:
    """Product ids from pasted text or an uploaded file: numbers separated by commas, semicolons,
    spaces or new lines. Raises ValidationError naming what is not an id."""
    ids: list[int] = []
    bad: list[str] = []
    for token in text.replace(",", " ").replace(";", " ").split():
        if token.isdigit() and token.isascii() and 0 < int(token) <= ID_MAX:
            ids.append(int(token))
        else:
            bad.append(token[:20])
    if bad:
        raise ValidationError(
            _("These are not product ids: %(list)s.") % {"list": ", ".join(bad[:10])}, code="invalid"
        )
    ids = list(dict.fromkeys(ids))
    if len(ids) > PRODUCT_IDS_MAX:
        raise ValidationError(_("At most %(n)s product ids at once.") % {"n": PRODUCT_IDS_MAX})
    return ids


@transaction.atomic
def connect_import_create(
    *,
    actor: Tenant,
    integration: ConnectIntegration,
    inventory: Inventory,
    scope: str = ConnectImport.Scope.ALL,
    category_ids: list[int] | None = None,
    product_ids: list[int] | None = None,
    keep_importing: bool = False,
    valid_rows_only: bool = False,
) -> ConnectImport:
    """Save an import from ``integration``'s shared catalog into ``inventory`` and start its first run
    (a queued ``ImportJob``, run by Celery after commit). Refused with field errors when the supplier
    shares nothing now, the catalog is not the account's, or the scope names nothing shared."""
    account = actor.account
    errors: dict[str, list[str]] = {}
    catalog = None
    if integration is None or integration.account_id != account.pk:
        errors["integration"] = [_("Choose one of your Connect suppliers.")]
    else:
        catalog = shared_catalog_open(account=account, integration=integration)
        if catalog is None:
            errors["integration"] = [
                _("This supplier shares no products with you now (the link is blocked or disconnected).")
            ]
    if inventory is None or inventory.account_id != account.pk:
        errors["inventory"] = [_("Choose one of your catalogs.")]
    if scope not in ConnectImport.Scope.values:
        errors["scope"] = [_("Choose what to import.")]
    category_ids = list(dict.fromkeys(category_ids or []))
    product_ids = list(dict.fromkeys(product_ids or []))
    if scope == ConnectImport.Scope.CATEGORIES:
        if not category_ids:
            errors["categories"] = [_("Choose at least one category.")]
        elif catalog is not None:
            known = set(shared_categories(catalog).values_list("pk", flat=True))
            if set(category_ids) - known:
                errors["categories"] = [_("Choose categories of the supplier's shared products.")]
    if scope == ConnectImport.Scope.PRODUCTS and not product_ids:
        errors["product_ids"] = [_("Give at least one product id.")]
    if len(product_ids) > PRODUCT_IDS_MAX:
        errors["product_ids"] = [_("At most %(n)s product ids at once.") % {"n": PRODUCT_IDS_MAX}]
    if errors:
        raise ValidationError(errors)
    user = actor.user if isinstance(actor.user, get_user_model()) else None
    saved = ConnectImport.objects.create(
        account=account,
        integration=integration,
        inventory=inventory,
        scope=scope,
        category_ids=category_ids if scope == ConnectImport.Scope.CATEGORIES else [],
        product_ids=product_ids if scope == ConnectImport.Scope.PRODUCTS else [],
        keep_importing=bool(keep_importing),
        valid_rows_only=bool(valid_rows_only),
        created_by=user,
    )
    connect_import_start(actor=actor, saved=saved)
    return saved


@transaction.atomic
def connect_import_start(*, actor: Tenant, saved: ConnectImport) -> ImportJob:
    """Queue a run of a saved import with live progress (an ``ImportJob``)."""
    from connect.tasks import connect_import_job_run

    if saved.account_id != actor.account.pk:
        raise ValidationError(_("No such import."))
    user = actor.user if isinstance(actor.user, get_user_model()) else None
    job = ImportJob.objects.create(
        account=saved.account,
        inventory=saved.inventory,
        user=user,
        source=STORAGE,
        source_id=saved.pk,
        source_label=Message(gettext_noop("%(name)s (Connect)"), name=saved.integration.display_name),
        valid_rows_only=saved.valid_rows_only,
        **Origin.of_tenant(actor).as_fields(),
    )
    ConnectImport.objects.filter(pk=saved.pk).update(last_job=job)
    saved.last_job = job
    connect_import_job_run.delay_on_commit(job.pk)
    return job


@transaction.atomic
def connect_import_update(*, actor: Tenant, saved: ConnectImport, keep_importing: bool) -> ConnectImport:
    """Turn continuous import on or off."""
    if saved.account_id != actor.account.pk:
        raise ValidationError(_("No such import."))
    ConnectImport.objects.filter(pk=saved.pk).update(keep_importing=bool(keep_importing))
    saved.refresh_from_db()
    return saved


@transaction.atomic
def connect_import_delete(*, actor: Tenant, saved: ConnectImport) -> None:
    """Forget a saved import (the products it imported and their links stay)."""
    if saved.account_id != actor.account.pk:
        raise ValidationError(_("No such import."))
    ConnectImport.objects.filter(pk=saved.pk).delete()


# ---------------------------------------------------------------------------------------------- run


def _target_language(catalog: SharedCatalog, inventory: Inventory) -> str:
    return catalog.language if catalog.language in (inventory.languages or []) else inventory.default_language


def _targets(catalog: SharedCatalog, inventory: Inventory) -> tuple[int | None, int | None]:
    """Where imported stock and prices go: the Stock / Prices tabs' targets when their sync is on, else
    the catalog's defaults; no prices when the supplier shares none."""
    settings = catalog.integration.contractor_settings
    warehouse = settings.warehouse_id if settings.stock_sync and settings.warehouse_id else None
    price_group = settings.price_group_id if settings.price_sync and settings.price_group_id else None
    warehouse = warehouse or inventory.default_warehouse_id
    price_group = price_group or inventory.default_price_group_id
    return warehouse, (price_group if catalog.shows_prices else None)


def _collect_ids(cursor, table: str, saved: ConnectImport, catalog: SharedCatalog, only_ids) -> list:
    """Fill ``table`` with the supplier product ids in scope; returns problems for asked-for ids that
    are not shared."""
    shared_sql, shared_params = shared_product_ids_sql(catalog)
    shared = f"SELECT s.id FROM ({shared_sql}) s"  # noqa: S608 - a queryset's SQL; values are parameters
    cursor.execute(f"CREATE TEMPORARY TABLE {table} (id bigint PRIMARY KEY)")
    problems = []
    if saved.scope == ConnectImport.Scope.ALL:
        cursor.execute(f"INSERT INTO {table} {shared}", shared_params)  # noqa: S608 - generated table names; values are parameters
    elif saved.scope == ConnectImport.Scope.CATEGORIES:
        from connect.shared_catalog import _descendants

        categories = sorted(_descendants(catalog.provider_account_id, saved.category_ids))
        cursor.execute(
            f"""INSERT INTO {table} SELECT p.id FROM catalog_product p
                 WHERE p.id IN ({shared})
                   AND (p.category_id = ANY(%s) OR p.parent_id IN (
                        SELECT q.id FROM catalog_product q WHERE q.category_id = ANY(%s)))""",  # noqa: S608 - generated table names; values are parameters
            [*shared_params, categories, categories],
        )
    else:
        cursor.execute(
            f"INSERT INTO {table} SELECT s.id FROM ({shared_sql}) s WHERE s.id = ANY(%s)",  # noqa: S608 - generated table names; values are parameters
            [*shared_params, list(saved.product_ids)],
        )
        cursor.execute(f"SELECT array_agg(id) FROM {table}")  # noqa: S608 - generated table names
        found = set(cursor.fetchone()[0] or [])
        for pk in saved.product_ids:
            if pk not in found:
                problems.append(
                    (
                        pk,
                        "id",
                        Message(gettext_noop("This product is not shared with you (or does not exist).")),
                    )
                )
        # Chosen main products bring their variants; chosen variants their main product.
        cursor.execute(
            f"""INSERT INTO {table} SELECT s.id FROM ({shared_sql}) s JOIN catalog_product p ON p.id = s.id
                 WHERE p.parent_id IN (SELECT id FROM {table}) OR p.id IN (
                       SELECT v.parent_id FROM catalog_product v JOIN {table} t ON t.id = v.id)
                ON CONFLICT DO NOTHING""",  # noqa: S608 - generated table names; values are parameters
            shared_params,
        )
    if only_ids is not None:
        cursor.execute(
            f"""DELETE FROM {table} t WHERE NOT (t.id = ANY(%s)) AND NOT EXISTS (
                  SELECT 1 FROM catalog_product v WHERE v.parent_id = t.id AND v.id = ANY(%s))""",  # noqa: S608 - generated table names; values are parameters
            [list(only_ids), list(only_ids)],
        )
    # Bundles bring their shared components (and a component variant its main product).
    for _round in range(2):
        cursor.execute(
            f"""INSERT INTO {table}
                SELECT s.id FROM ({shared_sql}) s WHERE s.id IN (
                    SELECT bc.component_id FROM catalog_bundlecomponent bc
                      JOIN {table} t ON t.id = bc.bundle_id
                    UNION
                    SELECT p.parent_id FROM catalog_product p JOIN {table} t ON t.id = p.id
                     WHERE p.parent_id IS NOT NULL)
                ON CONFLICT DO NOTHING""",  # noqa: S608 - generated table names; values are parameters
            shared_params,
        )
        if not cursor.rowcount:
            break
    return problems


def _fill_sql(staging: LinkedStaging, catalog: SharedCatalog, shared_sql: str) -> str:
    """The INSERT … SELECT copying one batch of shared products into the staging table, with exactly
    what the sharing settings let through (the shared language, descriptions and parameters if shared,
    the passed extra fields by the contractor's ids, images first / all / none, stock of the source
    warehouse — 0 when blocked — and the contractor's price group's price, both transformed)."""
    quantity = transform.quantity_sql("COALESCE(st.quantity, 0)", "%(subtract)s", "%(keep)s")
    price = transform.price_sql("pr.amount", "%(multiplier)s")
    images = {
        "none": "NULL",
        "first": """ARRAY(SELECT i.url FROM catalog_productimage i WHERE i.product_id = p.id
                          ORDER BY i.position, i.id LIMIT 1)""",
        "all": """ARRAY(SELECT i.url FROM catalog_productimage i WHERE i.product_id = p.id
                        ORDER BY i.position, i.id)""",
    }[catalog.images]
    extra = "NULL"
    if catalog.extra_fields:
        extra = """(SELECT jsonb_object_agg(f.cid::text, e.value)
                      FROM jsonb_each(CASE WHEN jsonb_typeof(tx.extra_fields) = 'object'
                                           THEN tx.extra_fields ELSE '{}'::jsonb END) e
                      JOIN unnest(%(ef_from)s::text[], %(ef_to)s::bigint[]) AS f(pid, cid)
                        ON f.pid = e.key)"""
    stock = "0" if catalog.stock_blocked else quantity
    return f"""
        INSERT INTO {staging.rows} (ext_id, ext_parent, sku, ean, tax_rate, weight, height, width, length,
                                    is_bundle, category_id, manufacturer, tags, name, description, features,
                                    extra_fields, images, stock, price)
        SELECT p.id, p.parent_id, p.sku, p.ean, p.tax_rate, p.weight, p.height, p.width, p.length,
               p.is_bundle, p.category_id, mf.name,
               ARRAY(SELECT t.name FROM catalog_product_tags pt JOIN catalog_tag t ON t.id = pt.tag_id
                      WHERE pt.product_id = p.id ORDER BY t.name),
               COALESCE(NULLIF(tx.name, ''), NULLIF(p.sku, ''), '#' || p.id),
               {"COALESCE(tx.description, '')" if catalog.descriptions else "NULL"},
               {"COALESCE(tx.features, '[]'::jsonb)" if catalog.parameters else "NULL"},
               {extra}, {images}, {stock},
               {price if catalog.price_group_id else "NULL"}
          FROM catalog_product p
          LEFT JOIN catalog_producttext tx ON tx.product_id = p.id AND tx.language = %(language)s
          LEFT JOIN catalog_manufacturer mf ON mf.id = p.manufacturer_id
          LEFT JOIN catalog_stock st ON st.product_id = p.id AND st.warehouse_id = %(warehouse)s
          LEFT JOIN catalog_price pr ON pr.product_id = p.id AND pr.price_group_id = %(price_group)s
         WHERE p.id = ANY(%(batch)s) AND p.id IN ({shared_sql})
    """  # noqa: S608 - generated table names; values are parameters


def _named_params(sql: str, params) -> tuple[str, dict]:
    """A queryset's %s SQL with its parameters turned into named ones, to sit inside a %(name)s query."""
    named = {}
    parts = sql.split("%s")
    out = parts[0]
    for index, part in enumerate(parts[1:]):
        key = f"shared_{index}"
        named[key] = params[index]
        out += f"%({key})s" + part
    return out, named


def _category_map(cursor, staging: LinkedStaging, catalog: SharedCatalog, account, inventory) -> None:
    """Give the staged rows the contractor's categories of the same path (created where missing)."""
    cursor.execute(f"SELECT DISTINCT category_id FROM {staging.rows} WHERE category_id IS NOT NULL")  # noqa: S608 - generated table names
    used = [row[0] for row in cursor.fetchall()]
    if not used:
        return
    provider_categories = Category.objects.filter(account_id=catalog.provider_account_id)
    tree = {
        pk: (parent, name) for pk, parent, name in provider_categories.values_list("pk", "parent_id", "name")
    }
    paths: dict[int, str] = {}
    for pk in used:
        parts, node, hops = [], pk, 0
        while node is not None and node in tree and hops < 100:
            parent, name = tree[node]
            parts.append(name.strip().replace("/", "-"))
            node, hops = parent, hops + 1
        paths[pk] = "/".join(reversed(parts))
    mine = category_paths_ensure(account=account, inventory=inventory, paths=sorted(set(paths.values())))
    pairs = [(pk, mine[path]) for pk, path in paths.items() if path in mine]
    cursor.execute(
        f"""UPDATE {staging.rows} r SET category_id = m.mine
              FROM unnest(%s::bigint[], %s::bigint[]) AS m(theirs, mine) WHERE r.category_id = m.theirs""",  # noqa: S608 - generated table names; values are parameters
        [[a for a, _b in pairs], [b for _a, b in pairs]],
    )
    cursor.execute(
        f"UPDATE {staging.rows} SET category_id = NULL WHERE category_id <> ALL(%s::bigint[])",  # noqa: S608 - generated table names; values are parameters
        [[b for _a, b in pairs]],
    )


def connect_import_execute(
    saved: ConnectImport,
    *,
    origin: Origin,
    valid_rows_only: bool,
    progress=None,
    only_ids: list[int] | None = None,
) -> RunReport:
    """Run a saved import now (steps in the module docstring); ``only_ids`` limits it to those supplier
    products (continuous import). Raises ImportClosed when the shared catalog is not open. Safe to run
    again: matching is by link, and unchanged rows are not written."""
    account = saved.account
    integration = ConnectIntegration.objects.select_related("contractor_settings").get(
        pk=saved.integration_id
    )
    catalog = shared_catalog_open(account=account, integration=integration)
    if catalog is None:
        raise ImportClosed
    inventory = Inventory.objects.get(pk=saved.inventory_id, account=account)
    settings = integration.contractor_settings
    warehouse_id, price_group_id = _targets(catalog, inventory)
    report = RunReport()
    staging = LinkedStaging()
    ids_table = f"{staging.rows}_ids"
    try:
        with connection.cursor() as cursor:
            staging.create(cursor)
            report.problems += _collect_ids(cursor, ids_table, saved, catalog, only_ids)
            cursor.execute(f"SELECT array_agg(id ORDER BY id) FROM {ids_table}")  # noqa: S608 - generated table names
            ids = cursor.fetchone()[0] or []
            # The asked-for ids found not shared are looked at already (each is a problem).
            looked_at = report.problem_rows
            report.total = looked_at + len(ids)
            if progress is not None:
                progress(looked_at, report.total)
            shared_sql, shared_params = _named_params(*shared_product_ids_sql(catalog))
            fill = _fill_sql(staging, catalog, shared_sql)
            params = {
                **shared_params,
                "language": catalog.language,
                "warehouse": catalog.warehouse_id,
                "price_group": catalog.price_group_id,
                "subtract": settings.quantity_subtract,
                "keep": settings.quantity_keep_percent,
                "multiplier": settings.price_multiplier,
                "ef_from": list(catalog.extra_fields),
                "ef_to": list(catalog.extra_fields.values()),
            }
            for start in range(0, len(ids), BATCH):
                batch = ids[start : start + BATCH]
                cursor.execute(fill, {**params, "batch": batch})
                cursor.execute(
                    f"""INSERT INTO {staging.components} (ext_bundle, ext_component, quantity)
                        SELECT bc.bundle_id, bc.component_id, bc.quantity FROM catalog_bundlecomponent bc
                          JOIN {staging.rows} r ON r.ext_id = bc.bundle_id AND r.is_bundle
                         WHERE bc.bundle_id = ANY(%s)""",  # noqa: S608 - generated table names; values are parameters
                    [batch],
                )
                if progress is not None:
                    progress(looked_at + min(start + BATCH, len(ids)), report.total)
            cursor.execute(
                f"""SELECT t.id FROM {ids_table} t
                     WHERE NOT EXISTS (SELECT 1 FROM {staging.rows} r WHERE r.ext_id = t.id) ORDER BY t.id"""  # noqa: S608 - generated table names
            )
            for (pk,) in cursor.fetchall():
                report.problems.append(
                    (
                        pk,
                        "id",
                        Message(
                            gettext_noop(
                                "The supplier stopped sharing this product (or deleted it) during the import."
                            )
                        ),
                    )
                )
            report.problems += linked_products_check(
                cursor,
                staging=staging,
                account=account,
                inventory=inventory,
                storage=STORAGE,
                storage_id=catalog.pk,
            )
            report.problems.sort(key=lambda problem: problem[:2])
            if report.problems and not valid_rows_only:
                return report
            with transaction.atomic():
                _category_map(cursor, staging, catalog, account, inventory)
                report.result = linked_products_write(
                    cursor,
                    staging=staging,
                    account=account,
                    inventory=inventory,
                    storage=STORAGE,
                    storage_id=catalog.pk,
                    language=_target_language(catalog, inventory),
                    warehouse_id=warehouse_id,
                    price_group_id=price_group_id,
                    origin=origin,
                    leave_out=sorted({pk for pk, _f, _m in report.problems}),
                )
                report.written = True
                sql, sql_params = shared_product_ids_sql(catalog)
                report.unshared = linked_products_unshare(
                    account=account,
                    storage=STORAGE,
                    storage_id=catalog.pk,
                    shared_sql=sql,
                    shared_params=sql_params,
                    warehouse_id=warehouse_id,
                    origin=origin,
                    external_ids=list(only_ids) if only_ids is not None else None,
                )
    finally:
        staging.drop()
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {ids_table}")
        except DatabaseError:
            logger.debug("Staging table %s goes with the failed transaction", ids_table)
    return report


# The wording of runs stored before "Nothing imported: …": kept in the catalogue, so that those rows
# still read in the reader's language.
_FORMER_SUMMARIES = (
    plural_message("Nothing was imported: %(n)s problem.", "Nothing was imported: %(n)s problems.", 0),
)


def _summary(report: RunReport) -> Stored:
    """What a run did, untranslated: "3 products created; 1 updated; 0 unchanged."."""
    result = report.result
    problems = report.problem_rows
    if not report.written:
        return plural_message(
            "Nothing imported: %(n)s problem.", "Nothing imported: %(n)s problems.", problems, n=problems
        )
    parts = [
        plural_message("%(n)s product created", "%(n)s products created", result.created, n=result.created),
        plural_message("%(n)s updated", "%(n)s updated", result.updated, n=result.updated),
        plural_message("%(n)s unchanged", "%(n)s unchanged", result.unchanged, n=result.unchanged),
    ]
    if report.unshared:
        parts.append(
            plural_message(
                "%(n)s no longer shared", "%(n)s no longer shared", report.unshared, n=report.unshared
            )
        )
    if problems:
        parts.append(
            plural_message(
                "%(n)s left out with a problem", "%(n)s left out with problems", problems, n=problems
            )
        )
    return Joined("", [Joined("; ", parts), "."])


def _remember(saved: ConnectImport, report: RunReport, trigger: str) -> None:
    ConnectImport.objects.filter(pk=saved.pk).update(
        last_run_at=timezone.now(),
        last_trigger=trigger,
        last_created=report.result.created,
        last_updated=report.result.updated,
        last_unshared=report.unshared,
        last_problems=report.problem_rows,
        last_message=_summary(report),
    )


def _job_origin(job: ImportJob) -> Origin:
    if job.origin_kind:
        return Origin(job.origin_kind, job.origin_id, job.origin_label)
    return Origin.system()


def connect_import_job_run(*, job_id: int) -> ImportJob | None:
    """Run a queued (or interrupted) Connect import job with live progress; finished jobs are left
    alone. Running it again is safe (matching by link; unchanged rows are not written)."""
    claimed = ImportJob.objects.filter(
        pk=job_id, source=STORAGE, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
    ).update(status=ImportJob.Status.RUNNING, started_at=timezone.now(), processed_rows=0)
    if not claimed:
        return None
    job = ImportJob.objects.get(pk=job_id)
    saved = (
        ConnectImport.objects.select_related("account")
        .filter(pk=job.source_id, account_id=job.account_id)
        .first()
    )

    def fail(message: Stored) -> ImportJob:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, message=message, finished_at=timezone.now()
        )
        job.refresh_from_db()
        return job

    if saved is None:
        return fail(Message(gettext_noop("The import was deleted before it ran.")))

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=done, total_rows=total)

    try:
        report = connect_import_execute(
            saved, origin=_job_origin(job), valid_rows_only=job.valid_rows_only, progress=progress
        )
    except ImportClosed:
        return fail(
            Message(
                gettext_noop(
                    "The supplier shares no products with you now (the link is blocked or disconnected)."
                )
            )
        )
    except Exception:
        logger.exception("Connect import job %s failed", job.pk)
        fail(
            Message(gettext_noop("The import stopped because of an error on our side; nothing was written."))
        )
        raise
    _remember(saved, report, "manual")
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE,
        total_rows=report.total,
        processed_rows=report.total,
        created_count=report.result.created,
        updated_count=report.result.updated,
        unchanged_count=report.result.unchanged,
        error_count=report.problem_rows,
        errors=[
            [ext_id, column, message_json(message)]
            for ext_id, column, message in report.problems[: ImportJob.ERRORS_KEPT]
        ],
        message=_summary(report),
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


def connect_import_refresh(
    *,
    import_id: int,
    only_ids: list[int] | None = None,
    origin: Origin | None = None,
    trigger: str = "periodic",
) -> RunReport | None:
    """A continuous run of a saved import (the valid rows are imported, problems are counted in its
    summary); None when the import is gone, not continuous or its link is not open."""
    saved = (
        ConnectImport.objects.select_related("account", "integration")
        .filter(pk=import_id, keep_importing=True)
        .first()
    )
    if saved is None:
        return None
    link_id = getattr(getattr(saved.integration, "provider_link", None), "pk", None)
    origin = origin or Origin.connect(link_id or 0, saved.integration.display_name)
    try:
        report = connect_import_execute(saved, origin=origin, valid_rows_only=True, only_ids=only_ids)
    except ImportClosed:
        return None
    _remember(saved, report, trigger)
    return report


def connect_imports_refresh_all() -> int:
    """The periodic pass: every continuous import whose link is open runs in full. Returns how many ran."""
    ran = 0
    for pk in ConnectImport.objects.filter(
        keep_importing=True, integration__deleted_at__isnull=True
    ).values_list("pk", flat=True):
        if connect_import_refresh(import_id=pk) is not None:
            ran += 1
    return ran


def shared_catalog_for_import(*, account, pk: int) -> SharedCatalog:
    return shared_catalog_get(account=account, pk=pk)
