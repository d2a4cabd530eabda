"""``manage.py run_wms_sandbox``: run the sandbox Ongoing WMS in the foreground (demo, manual tests)."""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand, CommandParser

from wmsbridge.sandbox import SandboxServer


class Command(BaseCommand):
    help = (
        "Run the sandbox Ongoing WMS (Goods Owner REST API at http://HOST:PORT/WAREHOUSE/api/v1/, demo page "
        "at /_sandbox/) until SIGTERM/SIGINT; the state file is saved periodically and on exit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8100)
        parser.add_argument("--warehouse", default="sandbox", help="name in the URL path")
        parser.add_argument("--state-file", default=None, help="JSON file to load at start and save to")
        parser.add_argument("--goods-owner-id", type=int, default=None, help="create this goods owner")
        parser.add_argument("--goods-owner-name", default=None)
        parser.add_argument("--user", default=None, help="create/replace an API user for the goods owner")
        parser.add_argument("--password", default=None)
        parser.add_argument(
            "--admin-token",
            default=None,
            help="require this token for /_sandbox/ (default: local clients only)",
        )
        parser.add_argument("--verbose", action="store_true", help="log every request")

    def handle(self, *args, **options) -> None:
        sandbox = SandboxServer(
            host=options["host"],
            port=options["port"],
            warehouse=options["warehouse"],
            state_file=options["state_file"],
            admin_token=options["admin_token"],
            verbose=options["verbose"],
        )
        goods_owner_id = options["goods_owner_id"]
        if goods_owner_id is not None or options["user"]:
            goods_owner_id = sandbox.add_goods_owner(goods_owner_id or 1, options["goods_owner_name"])
            if options["user"]:
                if not options["password"]:
                    self.stderr.write("--password is required with --user")
                    return
                known = sandbox.state.users.get(options["user"])
                owners = set(known.goods_owner_ids) if known else set()
                sandbox.add_user(options["user"], options["password"], owners | {goods_owner_id})
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        sandbox.start()
        self.stdout.write(f"Ongoing WMS sandbox: {sandbox.control_url}  (its API: {sandbox.api_url})")
        self.stdout.flush()
        try:
            while not stop.wait(0.5):
                pass
        finally:
            sandbox.stop()
            saved = f", state saved to {options['state_file']}" if options["state_file"] else ""
            self.stdout.write(f"Sandbox stopped{saved}.")
