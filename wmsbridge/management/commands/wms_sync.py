"""``manage.py wms_sync [--connection ID] [--kind articles|stock|orders|shipments]``: sync now, here.

Runs in this process (not through Celery), with a progress bar on stderr and one summary line per
run on stdout. Without ``--connection`` every enabled, unpaused connection is synced.
"""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wmsbridge.models import SyncKind, SyncRun, WmsConnection
from wmsbridge.sync import connection_sync


class ProgressBar:
    """``articles  [##########----------]  512/1024`` redrawn in place on a terminal, else a line every
    few seconds (logs stay readable)."""

    WIDTH = 30

    def __init__(self, stream) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self._last = 0.0
        self._kind = ""

    def __call__(self, kind: str, done: int, total: int) -> None:
        now = time.monotonic()
        finished = total and done >= total
        if kind != self._kind:
            self.end()
            self._kind = kind
        elif not finished and now - self._last < (0.1 if self.tty else 5.0):
            return
        self._last = now
        filled = int(self.WIDTH * done / total) if total else 0
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        line = f"{kind:<10} [{bar}] {done}/{total}"
        if self.tty:
            self.stream.write("\r" + line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def end(self) -> None:
        if self._kind and self.tty:
            self.stream.write("\n")
            self.stream.flush()
        self._kind = ""


class Command(BaseCommand):
    help = "Sync WMS connections now: articles, orders, stock and shipments (or one --kind)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--connection", type=int, help="connection id (default: all enabled ones)")
        parser.add_argument("--kind", choices=SyncKind.values, action="append", help="repeatable")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options) -> None:
        if options["connection"]:
            ids = list(WmsConnection.objects.filter(pk=options["connection"]).values_list("pk", flat=True))
            if not ids:
                raise CommandError(f"No WMS connection with id {options['connection']}.")
        else:
            ids = list(
                WmsConnection.objects.filter(enabled=True, paused_at__isnull=True)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        bar = None if options["no_progress"] else ProgressBar(sys.stderr)
        failed = False
        for connection_id in ids:
            runs = connection_sync(
                connection_id=connection_id, kinds=options["kind"], trigger="command", progress=bar
            )
            if bar:
                bar.end()
            for run in runs:
                failed |= run.status == SyncRun.Status.FAILED
                duration = f"{run.duration:.1f}s" if run.duration is not None else "-"
                self.stdout.write(
                    f"connection {connection_id} {run.kind}: {run.status} in {duration} — "
                    f"created {run.created}, updated {run.updated}, unchanged {run.unchanged}, "
                    f"skipped {run.skipped}, failed {run.failed}"
                )
                for message in run.messages[:20]:
                    self.stdout.write(f"    {message['item']}: {message['message']}".rstrip())
        if failed:
            raise CommandError("At least one run failed (see the messages above).")
