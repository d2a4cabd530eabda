"""HTTP front of the sandbox Ongoing WMS: stdlib ``ThreadingHTTPServer`` (HTTP/1.1, keep-alive).

URL space:

* ``/{warehouse}/api/v1/…`` — the Goods Owner REST API (see ``api.py``), Basic auth on every call;
  unknown warehouse names and unknown paths answer 404.
* ``/_sandbox/…`` — control endpoints and the demo page (see :data:`CONTROL_HELP`). They are open to
  loopback clients only, unless the server has an ``admin_token``: then any client presenting it (header
  ``X-Sandbox-Token``, query or form field ``token``) is allowed, and nobody without it.

Nothing is logged per request unless ``verbose=True``.
"""

from __future__ import annotations

import base64
import contextlib
import ipaddress
import json
import socket
import sys
import threading
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

from . import api
from .faults import Fault, FaultConfig, FaultInjector
from .page import render_page
from .state import SandboxError, SandboxSettings, SandboxState, bad_request, not_found, parse_int
from .webhooks import WebhookDispatcher

WRITE_METHODS = frozenset({"PUT", "POST", "PATCH", "DELETE"})
SUCCESS_FLAG_SHAPES = frozenset({"orders/{id}/orderTracking", "orders/{id}/parcels", "orders/{id}/files"})
_REASONS = {status.value: status.phrase for status in HTTPStatus}
_SERVER_ERROR_BODY = b'{"Message":"An error has occurred."}'

CONTROL_HELP = {
    "GET /_sandbox/": "demo page (HTML)",
    "GET /_sandbox/state": "summary: goods owners, users, counts, settings, faults",
    "POST /_sandbox/reset": "forget all data",
    "GET|POST /_sandbox/goodsOwners": "list / create {id?, name?}",
    "POST /_sandbox/users": "create or replace {username, password, goodsOwnerIds: [..]}",
    "GET|POST|DELETE /_sandbox/goodsOwners/{id}/webhooks": (
        "list / add {url, kind: order|shipment, events: [created|picked|status], statuses: [..]|null, "
        "headers: {}, basicAuth: [user, password], duplicate: bool, retry: bool} / remove all"
    ),
    "POST /_sandbox/orders/{id}/status": "{status: 200|300|320|400|450|500|800, waybill?, trackingUrl?}",
    "POST /_sandbox/orders/{id}/send": "{waybill?, trackingUrl?}: status 450 (no waybill = shop books it)",
    "POST /_sandbox/orders/{id}/webhooks": "fire the status webhooks again (new event ids)",
    "GET /_sandbox/orders/{id}/files/{fileId}": "download an uploaded file",
    "POST /_sandbox/stock": "{goodsOwnerId, articleNumber, numberOfItems, numberOfLockedItems?}",
    "GET|PUT|PATCH|DELETE /_sandbox/faults": "fault config: PUT replaces, PATCH changes, DELETE clears",
    "GET|PATCH /_sandbox/settings": "behaviour switches (SandboxSettings)",
    "GET|DELETE /_sandbox/counters": "request counters / reset them",
    "GET /_sandbox/webhookLog": "webhook delivery attempts",
}


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], sandbox: SandboxServer) -> None:
        self.sandbox = sandbox
        self.open_sockets: set[socket.socket] = set()
        self._sockets_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request, client_address):
        with self._sockets_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def close_open_connections(self) -> None:
        with self._sockets_lock:
            sockets = list(self.open_sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Headers(dict):
    """Request headers with lower-cased names; ``get`` is case-insensitive like ``email.message``."""

    def get(self, key: str, default: Any = None) -> Any:
        return dict.get(self, key.lower(), default)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "OngoingSandbox/1.0"
    sys_version = ""
    disable_nagle_algorithm = True
    timeout = 120  # idle keep-alive connections are dropped after this many seconds
    server: _HTTPServer

    def handle_one_request(self) -> None:
        """Parse one request by hand: the stdlib's email-based header parser costs more than the whole
        API call, and the sandbox has to sustain thousands of sequential requests per second."""
        try:
            line = self.rfile.readline(65537)
            if not line:
                self.close_connection = True
                return
            self.raw_requestline = line
            self.requestline = line.decode("latin-1").rstrip("\r\n")
            words = self.requestline.split()
            if len(line) > 65536 or len(words) != 3 or not words[2].startswith("HTTP/1."):
                self.close_connection = True
                self.request_version = "HTTP/1.1"
                self._send(400, {"message": "Bad request line."})
                return
            self.command, self.path, self.request_version = words
            headers = _Headers()
            for _ in range(200):
                header = self.rfile.readline(65537)
                if header in (b"\r\n", b"\n", b""):
                    break
                name, _, value = header.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            else:
                self.close_connection = True
                self._send(431, {"message": "Too many headers."})
                return
            self.headers = headers  # type: ignore[assignment]
            connection = headers.get("connection", "").lower()
            self.close_connection = connection == "close" or (
                self.request_version == "HTTP/1.0" and connection != "keep-alive"
            )
            if headers.get("expect", "").lower() == "100-continue":
                self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            method = getattr(self, "do_" + self.command, None)
            if method is None:
                self._send(501, {"message": f"Unsupported method {self.command!r}."})
                return
            method()
            self.wfile.flush()
        except TimeoutError:
            self.close_connection = True
        except OSError:
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if self.server.sandbox.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    # ------------------------------------------------------------------------------------ plumbing

    def _send(
        self,
        status: int,
        payload: Any = None,
        *,
        raw: bytes | None = None,
        content_type: str = "application/json; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        body = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
        head = [
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}",
            f"Server: {self.server_version}",
            f"Content-Type: {content_type}",
            f"Content-Length: {len(body)}",
        ]
        for name, value in (headers or {}).items():
            head.append(f"{name}: {value}")
        if self.close_connection:
            head.append("Connection: close")
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        try:
            self.wfile.write(data)
        except OSError:
            self.close_connection = True

    def _read_body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        try:
            return self.rfile.read(int(length))
        except ValueError:
            self.close_connection = True
            return b""

    def _handle(self, method: str) -> None:
        path, _, query_string = self.path.partition("?")
        body = self._read_body()
        if path == "/_sandbox" or path.startswith("/_sandbox/"):
            self._control(method, path, query_string, body)
            return
        sandbox = self.server.sandbox
        state = sandbox.state
        state.count("received")  # every request outside /_sandbox, answered 404 or not
        segments = [unquote(s) for s in path.split("/")]
        while segments and segments[-1] == "":
            segments.pop()
        if (
            len(segments) < 5
            or segments[1].lower() != state.warehouse.lower()
            or segments[2].lower() != "api"
            or segments[3].lower() != "v1"
        ):
            self._send(404, {"message": "No HTTP resource was found that matches the request URI."})
            return
        handler, shape, ids, shape_exists = api.resolve(method, segments[4:])
        if handler is None:
            status = 405 if shape_exists else 404
            message = (
                "The requested resource does not support this HTTP method."
                if shape_exists
                else ("No HTTP resource was found that matches the request URI.")
            )
            self._send(status, {"message": message})
            return
        is_write = method in WRITE_METHODS
        state.count("requests", "writes" if is_write else "reads", f"{method} {shape}")
        user = state.authenticate(self.headers.get("Authorization"))
        if user is None:
            state.count("unauthorized")
            self._send(
                401,
                {"message": "Authorization has been denied for this request."},
                headers={"WWW-Authenticate": f'Basic realm="{state.warehouse}"'},
            )
            return
        fault = sandbox.faults.decide(is_write=is_write, route=f"{method} {shape}")
        if fault is not None and fault.kind == "success_false":
            if shape in SUCCESS_FLAG_SHAPES and method == "PUT":
                state.count("faults", "faults:success_false")
                self._send(200, {"success": False, "message": "The operation could not be completed."})
                return
            fault = None
        if fault is not None:
            state.count("faults", f"faults:{fault.kind}")
            if fault.phase == "before" and self._apply_fault(fault, before=True):
                return
        query: dict[str, list[str]] = {}
        if query_string:
            for key, values in parse_qs(query_string, keep_blank_values=True).items():
                query.setdefault(key.lower(), []).extend(values)
        try:
            payload = None
            if body and method in WRITE_METHODS:
                try:
                    payload = json.loads(body)
                except ValueError:
                    raise bad_request("The request is invalid: the body is not valid JSON.")
            status, result = handler(state, user, ids, query, payload)
        except SandboxError as exc:
            status, result = exc.status, {"message": exc.message}
        except Exception:
            traceback.print_exc(file=sys.stderr)
            self._send(500, raw=_SERVER_ERROR_BODY)
            return
        if fault is not None and fault.phase == "after" and self._apply_fault(fault, before=False):
            return
        self._send(status, result)

    def _apply_fault(self, fault: Fault, *, before: bool) -> bool:
        """Carry out a fault; True when the answer has been sent (or the connection dropped)."""
        kind = fault.kind
        if kind == "slow":
            time.sleep(fault.slow_seconds)
            return False  # then answer normally (late)
        if kind == "drop":
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return True
        if kind in ("429", "429_retry_after"):
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else None
            self._send(
                429, {"message": "Too many requests. The rate limit has been exceeded."}, headers=headers
            )
            return True
        self._send(int(kind), raw=_SERVER_ERROR_BODY)
        return True

    # ------------------------------------------------------------------------------------ control

    def _control_allowed(self, query: dict[str, list[str]], form: dict[str, list[str]]) -> bool:
        token = self.server.sandbox.admin_token
        if token:
            given = (
                self.headers.get("X-Sandbox-Token")
                or (query.get("token") or [""])[0]
                or (form.get("token") or [""])[0]
            )
            return given == token
        try:
            return ipaddress.ip_address(self.client_address[0]).is_loopback
        except ValueError:
            return False

    def _control(self, method: str, path: str, query_string: str, body: bytes) -> None:
        query = parse_qs(query_string, keep_blank_values=True)
        is_form = (self.headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded")
        form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True) if is_form else {}
        if not self._control_allowed(query, form):
            self._send(403, {"message": "Sandbox control endpoints need the admin token or a local client."})
            return
        sandbox = self.server.sandbox
        parts = [unquote(p) for p in path.split("/")[2:] if p]
        try:
            payload: Any = {}
            if body and not is_form:
                try:
                    payload = json.loads(body)
                except ValueError:
                    raise bad_request("Body is not valid JSON.")
            result = control(sandbox, method, parts, payload, form, query)
        except SandboxError as exc:
            self._send(exc.status, {"message": exc.message})
            return
        except (ValueError, TypeError, KeyError) as exc:
            self._send(400, {"message": f"{type(exc).__name__}: {exc}"})
            return
        if isinstance(result, _Redirect):
            token = sandbox.admin_token
            location = "/_sandbox/" + (f"?token={token}" if token else "")
            self._send(303, raw=b"", headers={"Location": location}, content_type="text/plain")
        elif isinstance(result, _Raw):
            self._send(200, raw=result.data, content_type=result.content_type, headers=result.headers)
        else:
            self._send(200, result)


class _Redirect:
    pass


class _Raw:
    def __init__(self, data: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.data, self.content_type, self.headers = data, content_type, headers


def _payload(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise bad_request("A JSON object is required.")
    return payload


def control(
    sandbox: SandboxServer,
    method: str,
    parts: list[str],
    payload: Any,
    form: dict[str, list[str]],
    query: dict[str, list[str]],
) -> Any:
    """Dispatch one control request (``parts`` = path segments after ``/_sandbox``)."""
    state = sandbox.state
    route = (method, tuple("{id}" if p.isdigit() else p for p in parts))
    ids = [int(p) for p in parts if p.isdigit()]
    match route:
        case ("GET", ()):
            return _Raw(render_page(state, token=sandbox.admin_token).encode(), "text/html; charset=utf-8")
        case ("GET", ("help",)):
            return CONTROL_HELP
        case ("GET", ("state",)):
            return sandbox.summary()
        case ("POST", ("reset",)):
            sandbox.reset()
            return {"reset": True}
        case ("GET", ("goodsOwners",)):
            return [{"id": o.id, "name": o.name} for o in state.goods_owners.values()]
        case ("POST", ("goodsOwners",)):
            data = _payload(payload)
            owner = state.add_goods_owner(parse_int(data.get("id"), "id"), data.get("name"))
            return {"id": owner.id, "name": owner.name}
        case ("POST", ("users",)):
            data = _payload(payload)
            if not data.get("username") or not data.get("password"):
                raise bad_request("username and password are required.")
            user = state.add_user(data["username"], data["password"], data.get("goodsOwnerIds") or [])
            return {"username": user.username, "goodsOwnerIds": sorted(user.goods_owner_ids)}
        case ("GET", ("goodsOwners", "{id}", "webhooks")):
            owner = state.goods_owners.get(ids[0])
            if owner is None:
                raise not_found(f"Goods owner {ids[0]} does not exist.")
            return owner.webhooks
        case ("POST", ("goodsOwners", "{id}", "webhooks")):
            data = _payload(payload)
            return state.add_webhook(
                ids[0],
                data.get("url"),
                kind=data.get("kind", "order"),
                events=data.get("events", ["status"]),
                statuses=data.get("statuses"),
                headers=data.get("headers"),
                basic_auth=data.get("basicAuth"),
                duplicate=bool(data.get("duplicate")),
                retry=data.get("retry", True) is not False,
            )
        case ("DELETE", ("goodsOwners", "{id}", "webhooks")):
            state.clear_webhooks(ids[0])
            return {"cleared": True}
        case ("POST", ("orders", "{id}", "status")):
            data = _payload(payload)
            return state.set_order_status(
                ids[0], data.get("status"), waybill=data.get("waybill"), tracking_url=data.get("trackingUrl")
            )
        case ("POST", ("orders", "{id}", "send")):
            data = _payload(payload or {})
            return state.set_order_status(
                ids[0], 450, waybill=data.get("waybill"), tracking_url=data.get("trackingUrl")
            )
        case ("POST", ("orders", "{id}", "webhooks")):
            return {"eventIds": state.refire_webhooks(ids[0])}
        case ("GET", ("orders", "{id}", "files", "{id}")):
            order = state.orders_by_id.get(ids[0])
            entry = next((f for f in (order.files if order else []) if f["fileId"] == ids[1]), None)
            if entry is None:
                raise not_found("File not found.")
            disposition = f'inline; filename="{entry["fileName"]}"'
            return _Raw(
                base64.b64decode(entry["fileDataBase64"]),
                entry["mimeType"],
                {"Content-Disposition": disposition},
            )
        case ("POST", ("stock",)):
            data = _payload(payload)
            return state.set_stock(
                parse_int(data.get("goodsOwnerId"), "goodsOwnerId"),
                data.get("articleNumber"),
                data.get("numberOfItems"),
                locked=data.get("numberOfLockedItems"),
            )
        case ("GET", ("faults",)):
            return _fault_dict(sandbox.faults.config)
        case ("PUT", ("faults",)):
            return _fault_dict(sandbox.faults.configure(FaultConfig(**_payload(payload))))
        case ("PATCH", ("faults",)):
            return _fault_dict(sandbox.faults.configure(**_payload(payload)))
        case ("DELETE", ("faults",)):
            sandbox.faults.reset()
            return _fault_dict(sandbox.faults.config)
        case ("GET", ("settings",)):
            return vars(state.settings)
        case ("PATCH", ("settings",)):
            return vars(sandbox.configure(**_payload(payload)))
        case ("GET", ("counters",)):
            return dict(state.counters)
        case ("DELETE", ("counters",)):
            state.counters.clear()
            return {}
        case ("GET", ("webhookLog",)):
            return list(state.webhook_log)
        # Form posts from the demo page: act, then go back to the page.
        case ("POST", ("ui", "orders", "{id}", "status")):
            waybill = (form.get("waybill") or [""])[0].strip() or None
            state.set_order_status(ids[0], int(form["status"][0]), waybill=waybill)
            return _Redirect()
        case ("POST", ("ui", "stock")):
            state.set_stock(
                int(form["goodsOwnerId"][0]), form["articleNumber"][0], form["numberOfItems"][0].strip()
            )
            return _Redirect()
    raise not_found(
        f"Unknown sandbox control endpoint {method} /_sandbox/{'/'.join(parts)}; see /_sandbox/help."
    )


def _fault_dict(config: FaultConfig) -> dict[str, Any]:
    return dict(vars(config))


class SandboxServer:
    """A sandbox Ongoing WMS on ``http://host:port/{warehouse}/api/v1/``.

    >>> with SandboxServer() as sandbox:                      # doctest: +SKIP
    ...     sandbox.add_user("demo", "demo", [1])
    ...     client = OngoingClient(sandbox.base_url, "demo", "demo", 1)

    ``state_file``: loaded at construction, saved atomically every ``save_interval`` seconds when
    something changed and on :meth:`stop`.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        warehouse: str = "sandbox",
        state_file: str | None = None,
        *,
        admin_token: str | None = None,
        save_interval: float = 5.0,
        settings: SandboxSettings | None = None,
        verbose: bool = False,
    ) -> None:
        if not warehouse or "/" in warehouse:
            raise ValueError("warehouse must be a non-empty path segment")
        self.host = host
        self.port = port
        self.warehouse = warehouse
        self.state_file = state_file
        self.admin_token = admin_token
        self.save_interval = save_interval
        self.verbose = verbose
        self.state = SandboxState(warehouse=warehouse, settings=settings)
        if state_file:
            self.state.load(state_file)
            self.state.warehouse = warehouse
        self.faults = FaultInjector()
        self._httpd: _HTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._stopped = threading.Event()
        self.webhooks = WebhookDispatcher(self.state)
        self.state.on_events = self.webhooks.submit

    # ------------------------------------------------------------------------------ lifecycle

    def start(self) -> str:
        """Bind, serve in a background thread and return the base URL (``http://host:port/warehouse/``)."""
        if self._httpd is not None:
            return self.base_url
        self._stopped.clear()
        self._httpd = _HTTPServer((self.host, self.port), self)
        self.port = self._httpd.server_address[1]
        serve = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="wms-sandbox-http",
            daemon=True,
        )
        serve.start()
        self.webhooks.start()
        self._threads = [serve]
        if self.state_file:
            saver = threading.Thread(target=self._save_loop, name="wms-sandbox-saver", daemon=True)
            saver.start()
            self._threads.append(saver)
        return self.base_url

    def stop(self) -> None:
        """Stop serving, close open keep-alive connections, stop webhooks and save the state file."""
        if self._httpd is None:
            return
        self._stopped.set()
        self._httpd.shutdown()
        self._httpd.close_open_connections()
        self._httpd.server_close()
        self.webhooks.stop()
        for thread in self._threads:
            thread.join(timeout=5)
        self._httpd = None
        if self.state_file:
            self.state.save(self.state_file)

    def __enter__(self) -> SandboxServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _save_loop(self) -> None:
        while not self._stopped.wait(self.save_interval):
            if self.state.dirty and self.state_file:
                try:
                    self.state.save(self.state_file)
                except OSError:
                    traceback.print_exc(file=sys.stderr)

    # ------------------------------------------------------------------------------ addresses

    @property
    def root_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """``http://host:port/{warehouse}/`` — what a user enters as the Ongoing URL."""
        return f"{self.root_url}/{self.warehouse}/"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}api/v1/"

    @property
    def control_url(self) -> str:
        return f"{self.root_url}/_sandbox/"

    # ------------------------------------------------------------------------------ Python control API

    def add_goods_owner(self, goods_owner_id: int | None = None, name: str | None = None) -> int:
        return self.state.add_goods_owner(goods_owner_id, name).id

    def add_user(self, username: str, password: str, goods_owner_ids: list[int] | set[int]) -> None:
        self.state.add_user(username, password, goods_owner_ids)

    def add_webhook(self, goods_owner_id: int, url: str, **options: Any) -> dict[str, Any]:
        """See :meth:`SandboxState.add_webhook` for the options."""
        return self.state.add_webhook(goods_owner_id, url, **options)

    def set_faults(self, config: FaultConfig | None = None, **changes: Any) -> FaultConfig:
        """Change fault injection at runtime: ``set_faults(rate=0.2, phase="after", seed=1)``; fields not
        named keep their current value (``config=`` replaces everything). See :class:`FaultConfig`."""
        return self.faults.configure(config, **changes)

    def clear_faults(self) -> None:
        self.faults.reset()

    def set_order_status(
        self, order_id: int, status: int, waybill: str | None = None, tracking_url: str | None = None
    ) -> dict[str, Any]:
        """Move an order as the warehouse would (see :meth:`SandboxState.set_order_status`)."""
        return self.state.set_order_status(order_id, status, waybill=waybill, tracking_url=tracking_url)

    def send_order(self, order_id: int, waybill: str | None = None, tracking_url: str | None = None) -> dict:
        """Status 450 ("Send"): with ``waybill`` the warehouse booked the transport, else the shop must."""
        return self.set_order_status(order_id, 450, waybill=waybill, tracking_url=tracking_url)

    def set_stock(self, goods_owner_id: int, article_number: str, number_of_items: float) -> dict[str, Any]:
        return self.state.set_stock(goods_owner_id, article_number, number_of_items)

    def configure(self, **changes: Any) -> SandboxSettings:
        """Change behaviour switches (:class:`SandboxSettings` fields)."""
        settings = self.state.settings
        for key, value in changes.items():
            if not hasattr(settings, key):
                raise bad_request(f"Unknown setting {key!r}.")
            setattr(settings, key, type(getattr(settings, key))(value))
        self.state.dirty = True
        return settings

    def reset(self) -> None:
        self.state.reset()
        self.faults.reset()

    def wait_for_webhooks(self, timeout: float = 10.0) -> bool:
        """Block until no webhook delivery is queued (retries included); False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.webhooks.pending() == 0:
                return True
            time.sleep(0.02)
        return False

    def summary(self) -> dict[str, Any]:
        state = self.state
        return {
            "warehouse": state.warehouse,
            "baseUrl": self.base_url,
            "goodsOwners": [
                {
                    "id": o.id,
                    "name": o.name,
                    "articles": len(o.article_ids),
                    "orders": len(o.order_ids),
                    "webhooks": len(o.webhooks),
                }
                for o in state.goods_owners.values()
            ],
            "users": [
                {"username": u.username, "goodsOwnerIds": sorted(u.goods_owner_ids)}
                for u in state.users.values()
            ],
            "settings": vars(state.settings),
            "faults": _fault_dict(self.faults.config),
            "counters": dict(state.counters),
        }
