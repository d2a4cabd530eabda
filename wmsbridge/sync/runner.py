"""Running a sync of one connection: the run lock, the history rows, failures, backoff and pausing.

One run per connection at a time. The lock is a row lock on the connection
(``SELECT … FOR NO KEY UPDATE SKIP LOCKED``) held by a second database connection for the whole run,
so the work itself commits batch by batch on the ordinary connection: a killed worker keeps what it
finished, and its lock disappears with its database session. (``NO KEY`` because the rows the run
inserts reference the connection, and their foreign-key checks take ``KEY SHARE`` on it — a plain
``FOR UPDATE`` would make the run wait for itself.) A run that finds the row locked records a
``skipped`` history row and returns at once.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django.utils.translation import gettext_noop

from config.crypto import SecretUnreadable
from config.stored_messages import (
    Joined,
    Message,
    Stored,
    message_encode,
    message_from_text,
    message_json,
)
from wmsbridge.client import OngoingClient, WmsAuthError, WmsError, WmsNotFound
from wmsbridge.models import SYNC_ORDER, SyncKind, SyncRun, WmsConnection

logger = logging.getLogger(__name__)

AUTH_FAILURES_BEFORE_PAUSE = 3
BACKOFF_BASE = timedelta(minutes=15)
BACKOFF_MAX = timedelta(hours=6)
PROGRESS_SAVE_INTERVAL = 1.0  # seconds between progress writes of a run

Progress = Callable[[str, int, int], None]


def connection_client(connection: WmsConnection, **overrides: Any) -> OngoingClient:
    """An :class:`OngoingClient` for ``connection`` (options from ``settings.WMSBRIDGE_CLIENT_OPTIONS``)."""
    options = {**getattr(settings, "WMSBRIDGE_CLIENT_OPTIONS", {}), **overrides}
    return OngoingClient(
        connection.base_url,
        connection.api_user,
        connection.password,
        connection.goods_owner_id,
        **options,
    )


class RunRecorder:
    """Counts and messages of one :class:`SyncRun`, written to its row as the run goes."""

    def __init__(self, run: SyncRun, client: OngoingClient, progress: Progress | None = None) -> None:
        self.run = run
        self.client = client
        self._progress = progress
        self._saved_at = 0.0
        self._more_messages = 0
        self._requests0 = client.stats.requests
        self._writes0 = client.stats.writes

    def message(self, item: str, message: Stored) -> None:
        """Note a message about ``item`` (kept untranslated: the history shows it in its reader's
        language)."""
        if len(self.run.messages) < SyncRun.MAX_MESSAGES:
            self.run.messages.append({"item": str(item), "message": message_json(message)})
        else:
            self._more_messages += 1

    def progress(self, done: int, total: int | None = None, *, force: bool = False) -> None:
        self.run.progress_done = done
        if total is not None:
            self.run.progress_total = total
        if self._progress is not None:
            self._progress(self.run.kind, done, self.run.progress_total)
        now = time.monotonic()
        if force or now - self._saved_at >= PROGRESS_SAVE_INTERVAL:
            self._saved_at = now
            self._sync_stats()
            self.run.save(
                update_fields=[
                    "progress_done",
                    "progress_total",
                    "created",
                    "updated",
                    "unchanged",
                    "skipped",
                    "failed",
                    "requests",
                    "writes",
                    "messages",
                ]
            )

    def _sync_stats(self) -> None:
        self.run.requests = self.client.stats.requests - self._requests0
        self.run.writes = self.client.stats.writes - self._writes0

    def finish(self, status: str, error: Stored | None = None) -> SyncRun:
        if error:
            self.message("", error)
        if self._more_messages:
            more = Message(gettext_noop("… and %(n)s more messages."), n=self._more_messages)
            self.run.messages.append({"item": "", "message": message_json(more)})
        self._sync_stats()
        self.run.status = status
        self.run.finished_at = timezone.now()
        self.run.save()
        return self.run


# ------------------------------------------------------------------------------------------- the lock


class RunLock:
    """The connection row, locked by a dedicated database session for the duration of a run."""

    def __init__(self, wrapper, connection_id: int) -> None:
        self._wrapper = wrapper
        self._connection_id = connection_id

    def connection_update(self, values: dict[str, Any]) -> None:
        """UPDATE the locked connection row through the session that holds the lock."""
        assignments, params = [], []
        for column, value in values.items():
            if column == "cursors":
                assignments.append("cursors = %s::jsonb")
                params.append(json.dumps(value))
            elif isinstance(value, Message | Joined):
                assignments.append(f"{column} = %s")
                params.append(message_encode(value))
            else:
                assignments.append(f"{column} = %s")
                params.append(value)
        with self._wrapper.cursor() as cursor:
            cursor.execute(
                f"UPDATE wmsbridge_wmsconnection SET {', '.join(assignments)}, updated_at = %s WHERE id = %s",  # noqa: S608 - fixed column names
                [*params, timezone.now(), self._connection_id],
            )


@contextmanager
def run_lock(connection_id: int) -> Iterator[RunLock | None]:
    """Yield a :class:`RunLock` when no other run holds this connection, else None (at once)."""
    wrapper = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        wrapper.ensure_connection()
        wrapper.set_autocommit(False)
        with wrapper.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM wmsbridge_wmsconnection WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED",
                [connection_id],
            )
            row = cursor.fetchone()
        if row is None:
            wrapper.rollback()
            yield None
            return
        lock = RunLock(wrapper, connection_id)
        try:
            yield lock
        except BaseException:
            wrapper.rollback()
            raise
        wrapper.commit()
    finally:
        wrapper.close()


# ------------------------------------------------------------------------------------------- running


def _ordered_kinds(kinds: Sequence[str] | None) -> list[str]:
    if not kinds:
        return [str(k) for k in SYNC_ORDER]
    unknown = set(kinds) - set(SyncKind.values)
    if unknown:
        raise ValueError(f"Unknown sync kind(s): {', '.join(sorted(unknown))}")
    return [str(k) for k in SYNC_ORDER if k in kinds]


def backoff_delay(failures: int) -> timedelta:
    """15 min after the first failure, doubling up to 6 h."""
    return min(BACKOFF_MAX, BACKOFF_BASE * (2 ** max(0, failures - 1)))


def _syncers() -> dict[str, Callable[..., None]]:
    from wmsbridge.sync.articles import articles_sync
    from wmsbridge.sync.orders import orders_sync
    from wmsbridge.sync.shipments import shipments_sync
    from wmsbridge.sync.stock import stock_sync

    return {
        SyncKind.ARTICLES: articles_sync,
        SyncKind.STOCK: stock_sync,
        SyncKind.ORDERS: orders_sync,
        SyncKind.SHIPMENTS: shipments_sync,
    }


def _error_text(exc: BaseException) -> Stored:
    """What the history and the notice say about a failure of the connection as a whole (the WMS's own
    words, in English, are a parameter)."""
    if isinstance(exc, WmsAuthError):
        if exc.status == 403:
            return Message(
                gettext_noop(
                    "The API user may not act for this goods owner (check the goods owner id): %(m)s"
                ),
                m=exc.message,
            )
        return Message(gettext_noop("Ongoing WMS rejected the API user or password: %(m)s"), m=exc.message)
    if isinstance(exc, WmsError) and exc.reason == "refused":
        from wmsbridge.services import REFUSED_ADDRESS

        return Message(REFUSED_ADDRESS)
    if isinstance(exc, WmsError) and exc.reason == "redirect":
        return Message(
            gettext_noop(
                "The WMS answered with a redirect, which is not followed: check the connection's address."
            )
        )
    if isinstance(exc, WmsNotFound) or (isinstance(exc, WmsError) and exc.reason == "url"):
        return Message(
            gettext_noop("No Ongoing WMS API answers at this address (check the URL): %(m)s"), m=exc.message
        )
    if isinstance(exc, WmsError):
        return exc.message
    if isinstance(exc, SecretUnreadable):
        return message_from_text(exc.args[0] if exc.args else str(exc))
    return str(exc)


def connection_sync(
    *,
    connection_id: int,
    kinds: Sequence[str] | None = None,
    trigger: str = "manual",
    progress: Progress | None = None,
) -> list[SyncRun]:
    """Run the given kinds (default: all, in :data:`SYNC_ORDER`) for one connection; return their runs.

    Guarantees: never two runs of one connection at once (the second records a ``skipped`` run and
    returns immediately); every item is idempotent on the WMS side (upserts by article/order number), so
    a run interrupted at any point is completed by the next one without duplicates. A failure of the
    connection itself (credentials, URL, WMS unreachable) fails the current kind, stops the rest, and
    backs the connection off; after :data:`AUTH_FAILURES_BEFORE_PAUSE` credential failures in a row it
    is paused with a notice. Item-level WMS refusals are reported in the run and the rest continue.
    """
    explicit = bool(kinds)
    kinds = _ordered_kinds(kinds)
    with run_lock(connection_id) as lock:
        if lock is None:
            connection = WmsConnection.objects.filter(pk=connection_id).first()
            if connection is None:
                return []
            now = timezone.now()
            names = Joined(", ", [message_from_text(SyncKind(k).label) for k in kinds])
            skipped = Message(
                gettext_noop(
                    "Another sync of this connection was running; this one (%(kinds)s) was skipped."
                ),
                kinds=names,
            )
            run = SyncRun.objects.create(
                connection=connection,
                kind=kinds[0],
                trigger=trigger,
                started_at=now,
                finished_at=now,
                status=SyncRun.Status.SKIPPED,
                messages=[{"item": "", "message": message_json(skipped)}],
            )
            return [run]
        connection = WmsConnection.objects.select_related("inventory", "account").get(pk=connection_id)
        _close_interrupted_runs(connection)
        if not explicit and not (connection.stock_push and connection.stock_warehouse_id):
            kinds = [k for k in kinds if k != SyncKind.STOCK]
        return _run_kinds(connection, lock, kinds, trigger, progress)


def _close_interrupted_runs(connection: WmsConnection) -> None:
    # We hold the lock, so a run still marked "running" belongs to a worker that died.
    for run in SyncRun.objects.filter(connection=connection, status=SyncRun.Status.RUNNING):
        interrupted = Message(
            gettext_noop("Interrupted (the worker stopped); the next run completed the work.")
        )
        run.messages.append({"item": "", "message": message_json(interrupted)})
        run.status = SyncRun.Status.FAILED
        run.finished_at = run.finished_at or timezone.now()
        run.save(update_fields=["messages", "status", "finished_at"])


def _run_kinds(
    connection: WmsConnection,
    lock: RunLock,
    kinds: list[str],
    trigger: str,
    progress: Progress | None,
) -> list[SyncRun]:
    syncers = _syncers()
    runs: list[SyncRun] = []
    cursors = dict(connection.cursors or {})
    failure: BaseException | None = None
    try:
        client = connection_client(connection)
    except SecretUnreadable as exc:
        client = None
        failure = exc
        run = SyncRun.objects.create(
            connection=connection, kind=kinds[0], trigger=trigger, started_at=timezone.now()
        )
        runs.append(_finish_failed(run, _error_text(exc)))
    if client is not None:
        try:
            for kind in kinds:
                run = SyncRun.objects.create(
                    connection=connection, kind=kind, trigger=trigger, started_at=timezone.now()
                )
                recorder = RunRecorder(run, client, progress)
                try:
                    syncers[kind](connection=connection, client=client, recorder=recorder)
                except (WmsError, SecretUnreadable) as exc:
                    # Failures of the connection as a whole; item refusals are handled inside.
                    failure = exc
                    logger.warning("WMS sync %s of connection %s failed: %s", kind, connection.pk, exc)
                    runs.append(recorder.finish(SyncRun.Status.FAILED, _error_text(exc)))
                    break
                except Exception as exc:
                    failure = exc
                    logger.exception("WMS sync %s of connection %s crashed", kind, connection.pk)
                    runs.append(
                        recorder.finish(
                            SyncRun.Status.FAILED,
                            Message(
                                gettext_noop("Internal error: %(error)s"),
                                error=f"{type(exc).__name__}: {exc}",
                            ),
                        )
                    )
                    break
                else:
                    runs.append(recorder.finish(SyncRun.Status.OK))
                    cursors[kind] = run.started_at.isoformat()
        finally:
            client.close()
    lock.connection_update(_connection_state_after(connection, failure, cursors, trigger))
    return runs


def _finish_failed(run: SyncRun, message: Stored) -> SyncRun:
    run.messages = [{"item": "", "message": message_json(message)}]
    run.status = SyncRun.Status.FAILED
    run.finished_at = timezone.now()
    run.save()
    return run


def _connection_state_after(
    connection: WmsConnection, failure: BaseException | None, cursors: dict, trigger: str
) -> dict[str, Any]:
    now = timezone.now()
    if failure is None:
        return {
            "consecutive_failures": 0,
            "auth_failures": 0,
            "next_attempt_at": None,
            "last_error": "",
            "paused_at": None,
            "paused_reason": "",
            "cursors": cursors,
        }
    failures = connection.consecutive_failures + 1
    auth = isinstance(failure, WmsAuthError | SecretUnreadable)
    auth_failures = connection.auth_failures + 1 if auth else connection.auth_failures
    values: dict[str, Any] = {
        "consecutive_failures": failures,
        "auth_failures": auth_failures,
        "next_attempt_at": now + backoff_delay(failures),
        "last_error": message_encode(_error_text(failure), 2000),
        "cursors": cursors,
    }
    if auth and auth_failures >= AUTH_FAILURES_BEFORE_PAUSE and connection.paused_at is None:
        values["paused_at"] = now
        values["paused_reason"] = Message(
            gettext_noop(
                "Paused after %(n)s failed logins in a row: %(error)s Check the API user, password and goods "
                "owner id, then save the connection or press Resume."
            ),
            n=auth_failures,
            error=_error_text(failure),
        )
    return values


def connection_is_due(connection: WmsConnection, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        connection.enabled
        and connection.paused_at is None
        and (connection.next_attempt_at is None or connection.next_attempt_at <= now)
    )
