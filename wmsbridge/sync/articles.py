"""Articles: the connection's catalog → ``PUT /articles``, only what changed since the last write."""

from __future__ import annotations

from django.db import connection as db
from django.utils import timezone
from django.utils.translation import gettext_noop

from config.stored_messages import Message
from wmsbridge.client import OngoingClient, WmsNotFound, WmsValidationError
from wmsbridge.mapping import (
    SKIPPED_QUERY,
    WINDOW_END_QUERY,
    ArticleRow,
    article_payload,
    articles_query,
)
from wmsbridge.models import ArticleState, SyncRun, WmsConnection
from wmsbridge.sync.runner import RunRecorder

PAGE_SIZE = 500  # items written between two saves of their states
WINDOW = 2000  # products hashed per query
LAST_ID = 2**63 - 1


def _params(connection: WmsConnection, **extra) -> dict:
    return {
        "connection": connection.pk,
        "account": connection.account_id,
        "inventory": connection.inventory_id,
        "language": connection.inventory.default_language,
        **extra,
    }


def articles_sync(*, connection: WmsConnection, client: OngoingClient, recorder: RunRecorder) -> None:
    """Write every changed article of the connection's catalog to the WMS.

    Change detection is set-based: one query counts what changed, hashing the mapped payload of every
    item in SQL; then, only if something did, windows of product ids are hashed again and only the
    items whose hash differs from the last successful write come back to be written. Unchanged items
    cost no request. A successful write stores the new hash; a WMS refusal of one item is reported
    with the WMS's message, leaves its old hash (so the next run tries again) and the run goes on.
    Items without a SKU are counted as skipped and listed. Idempotent: PUT /articles upserts by
    article number.
    """
    run = recorder.run
    with db.cursor() as cursor:
        cursor.execute(articles_query(counts=True), _params(connection))
        total, skipped, changed = cursor.fetchone()
        run.skipped = skipped
        run.unchanged = total - skipped - changed
        if skipped:
            cursor.execute(SKIPPED_QUERY, _params(connection, limit=SyncRun.MAX_MESSAGES))
            for product_id, name in cursor.fetchall():
                recorder.message(
                    f"#{product_id} {name}".strip(),
                    Message(gettext_noop("No SKU: a product needs a SKU to become an article in the WMS.")),
                )
    recorder.progress(0, changed, force=True)
    page_query = articles_query()
    after, done = 0, 0
    while done < changed:
        with db.cursor() as cursor:
            cursor.execute(WINDOW_END_QUERY, _params(connection, after=after, window=WINDOW))
            end = cursor.fetchone()
            upto = end[0] if end else LAST_ID
            cursor.execute(page_query, _params(connection, after=after, upto=upto))
            rows = [ArticleRow(*row) for row in cursor.fetchall()]
        for start in range(0, len(rows), PAGE_SIZE):
            page = rows[start : start + PAGE_SIZE]
            _write_page(connection, client, recorder, page)
            done += len(page)
            recorder.progress(done)
        if end is None:
            break
        after = upto
    recorder.progress(done, force=True)


def _write_page(
    connection: WmsConnection, client: OngoingClient, recorder: RunRecorder, rows: list[ArticleRow]
) -> None:
    run = recorder.run
    known = {
        s["product_id"]: s
        for s in ArticleState.objects.filter(
            connection=connection, product_id__in=[r.product_id for r in rows]
        ).values("product_id", "article_number", "wms_article_id")
    }
    written: list[ArticleState] = []
    refused: list[ArticleState] = []
    try:
        for row in rows:
            previous = known.get(row.product_id)
            payload = article_payload(row)
            try:
                result = _put(client, payload, previous, row.article_number)
            except WmsValidationError as exc:
                run.failed += 1
                recorder.message(row.article_number, exc.message)
                refused.append(
                    ArticleState(
                        connection=connection, product_id=row.product_id, last_error=exc.message[:2000]
                    )
                )
                continue
            if previous and previous["wms_article_id"]:
                run.updated += 1
            else:
                run.created += 1
            written.append(
                ArticleState(
                    connection=connection,
                    product_id=row.product_id,
                    payload_hash=row.payload_hash,
                    article_number=row.article_number,
                    wms_article_id=result.get("articleSystemId"),
                    last_written_at=timezone.now(),
                    last_error="",
                )
            )
    finally:
        # Keep what was written even when the connection fails halfway through a page.
        if written:
            ArticleState.objects.bulk_create(
                written,
                update_conflicts=True,
                unique_fields=["connection", "product"],
                update_fields=[
                    "payload_hash",
                    "article_number",
                    "wms_article_id",
                    "last_written_at",
                    "last_error",
                ],
            )
        if refused:
            ArticleState.objects.bulk_create(
                refused,
                update_conflicts=True,
                unique_fields=["connection", "product"],
                update_fields=["last_error"],
            )


def _put(client: OngoingClient, payload: dict, previous: dict | None, number: str) -> dict:
    # A SKU that changed renames the existing article (by its id) instead of creating a second one.
    if previous and previous["wms_article_id"] and previous["article_number"] not in ("", number):
        try:
            return client.update_article(previous["wms_article_id"], payload)
        except WmsNotFound:
            pass  # deleted in the WMS meanwhile: create it again by number
    return client.put_article(payload)
