"""HTTP client for the Ongoing WMS Goods Owner REST API (``…/{warehouse}/api/v1/``).

One :class:`OngoingClient` per connection (base URL, API user, goods owner), built on one keep-alive
``httpx.Client``. What it guarantees:

* **Retries** with exponential backoff and jitter on 5xx, 408, 429 (waiting exactly ``Retry-After``
  seconds when the header is present), timeouts, dropped connections and other transport errors.
  **No retry** on 400/401/403/404 or any other 4xx: those raise at once, because Ongoing's
  consecutive-failure limiter punishes tight loops of a broken request.
* **Idempotency**: every write this client offers is safe to repeat — PUT /articles and PUT /orders
  upsert by article/order number, files go through ``PUT …/files?fileName=`` (replace by name),
  tracking/parcels are create-or-update, cancel of a cancelled order succeeds. That is what makes the
  retry of a write whose answer was lost harmless. ``POST …/files`` always adds a file; it is offered
  only as :meth:`OngoingClient.post_order_file_once`, which looks for the file before every attempt.
* **Public addresses only** (``wmsbridge.outbound``): every connection is checked after DNS resolution
  and made to the checked address; a refused address raises :class:`WmsError` with reason "refused",
  never retried. Redirects are not followed (reason "redirect").
* **Sequential writes** per (base URL, goods owner) within the process: a shared lock is held for
  the whole write including its retries, because Ongoing executes writes of one goods owner one after
  another anyway and parallel writes only queue up and time out.
* Errors are exceptions carrying the HTTP status and the WMS's own message (see :class:`WmsError`).
  Messages are English; UIs should translate by exception class and :attr:`WmsError.reason`.
"""

from __future__ import annotations

import base64
import json
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from wmsbridge.outbound import GuardedTransport, OutboundAddressRefused

__all__ = [
    "ClientStats",
    "OngoingClient",
    "WmsAuthError",
    "WmsError",
    "WmsNotFound",
    "WmsOperationFailed",
    "WmsUnavailable",
    "WmsValidationError",
    "normalize_base_url",
]

# IIS refuses query strings over 2048 bytes by default; keep repeated-key lists below that.
MAX_QUERY_LENGTH = 1800
RETRYABLE_STATUSES = frozenset({408, 429})


# ------------------------------------------------------------------------------------------ errors


class WmsError(Exception):
    """Any failure talking to Ongoing WMS.

    ``status``: HTTP status or None (network). ``message``: the WMS's ``message``/``Message`` (or the raw
    body text, or what happened). ``reason``: a stable code for UIs — "url", "credentials",
    "goods_owner", "network", "validation", "not_found", "unavailable", "failed", "refused" (an address
    outgoing requests may not reach), "redirect" (the server answered with a redirect) or "error".
    """

    reason = "error"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        method: str | None = None,
        path: str | None = None,
        body: str | None = None,
        reason: str | None = None,
    ) -> None:
        self.message = message
        self.status = status
        self.method = method
        self.path = path
        self.body = body
        if reason:
            self.reason = reason
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.method} {self.path}" if self.method else ""
        details = ", ".join(p for p in (f"HTTP {self.status}" if self.status else "", where) if p)
        return f"{self.message} ({details})" if details else self.message


class WmsAuthError(WmsError):
    """401/403: wrong username/password, or the API user may not act for this goods owner/object."""

    reason = "credentials"


class WmsValidationError(WmsError):
    """400: the WMS refused the data or the operation (unknown article, order already being picked …)."""

    reason = "validation"


class WmsNotFound(WmsError):
    """404: unknown id — or, on :meth:`OngoingClient.test_connection`, a wrong URL/warehouse name."""

    reason = "not_found"


class WmsUnavailable(WmsError):
    """Retries exhausted (5xx, 429, timeouts, dropped connections); ``message`` says what happened last."""

    reason = "unavailable"


class WmsOperationFailed(WmsError):
    """HTTP 200 with ``"success": false`` (file, tracking and parcel endpoints)."""

    reason = "failed"


# ------------------------------------------------------------------------------------------ helpers


@dataclass
class ClientStats:
    """Counters for benchmarks and sync reports.

    requests: HTTP attempts sent (retries included); retries: attempts after the first of a call;
    writes: write attempts (PUT/POST/PATCH/DELETE, retries included); waited: seconds slept in backoff.
    """

    requests: int = 0
    retries: int = 0
    writes: int = 0
    failures: int = 0
    waited: float = 0.0


def normalize_base_url(base_url: str) -> str:
    """``https://host/wh``, ``https://host/wh/`` and ``https://host/wh/api/v1`` all become
    ``https://host/wh/api/v1/``."""
    url = base_url.strip()
    if not url.endswith("/"):
        url += "/"
    if not url.lower().endswith("/api/v1/"):
        url += "api/v1/"
    return url


def format_time(value: datetime) -> str:
    """Query-string time: UTC with an explicit offset (``2019-04-09T08:00:00.000+00:00``); naive = UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds")


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return format_time(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _wms_message(response: httpx.Response) -> str:
    """The human-readable error of a response: ``message``/``Message`` (+ ASP.NET ModelState), else text."""
    text = response.text
    try:
        data = json.loads(text) if text else None
    except ValueError:
        data = None
    if isinstance(data, dict):
        message = data.get("message") or data.get("Message")
        model_state = data.get("modelState") or data.get("ModelState")
        if isinstance(model_state, dict):
            details = [str(m) for messages in model_state.values() for m in (messages or [])]
            if details:
                message = f"{message or ''} {' '.join(details)}".strip()
        if message:
            return str(message)
    text = text.strip()
    return text[:500] if text else response.reason_phrase or "No message"


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _chunk_for_query(values: list[str], name: str, limit: int = MAX_QUERY_LENGTH) -> Iterator[list[str]]:
    """Split repeated-key values so each request's ``name=v&name=v…`` stays under ``limit`` bytes."""
    chunk: list[str] = []
    size = 0
    for value in values:
        cost = len(name) + 2 + len(quote(value, safe=""))
        if chunk and size + cost > limit:
            yield chunk
            chunk, size = [], 0
        chunk.append(value)
        size += cost
    if chunk:
        yield chunk


_WRITE_LOCKS: dict[tuple[str, int], threading.RLock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


def _write_lock(base_url: str, goods_owner_id: int) -> threading.RLock:
    parts = urlsplit(base_url)
    key = (f"{parts.scheme}://{parts.netloc.lower()}{parts.path.lower()}", goods_owner_id)
    with _WRITE_LOCKS_GUARD:
        lock = _WRITE_LOCKS.get(key)
        if lock is None:
            lock = _WRITE_LOCKS[key] = threading.RLock()
        return lock


# ------------------------------------------------------------------------------------------ client


class OngoingClient:
    """Client for one Ongoing connection (base URL, API user, goods owner).

    ``base_url``: the warehouse URL, with or without ``api/v1`` (``https://api.ongoingsystems.se/wh/``).
    ``timeout``: seconds per attempt (connect limited to 10 s). ``max_retries``: retries after the first
    attempt. Backoff before retry *n* (0-based) is ``min(backoff_max, backoff_base * 2**n)`` scaled by a
    random factor in [0.5, 1]; a ``Retry-After`` header replaces it (capped at ``retry_after_max``).
    ``sleep`` is called for every wait (inject a recorder in tests). ``transport``: defaults to
    :class:`~wmsbridge.outbound.GuardedTransport` (public addresses only, see ``wmsbridge.outbound``).

    Use one client per thread; writes of all clients of the same (base URL, goods owner) in the process
    are serialised.
    """

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        goods_owner_id: int,
        *,
        timeout: float = 60.0,
        max_retries: int = 5,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        retry_after_max: float = 600.0,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        self.goods_owner_id = int(goods_owner_id)
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.retry_after_max = retry_after_max
        self.stats = ClientStats()
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._write_lock = _write_lock(self.base_url, self.goods_owner_id)
        self._http = httpx.Client(
            base_url=self.base_url,
            auth=httpx.BasicAuth(username, password),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"Accept": "application/json", "User-Agent": "Hurtlink-wmsbridge/1"},
            # A redirect could lead anywhere; the transport would check the next hop too, but a WMS
            # API has no reason to redirect, so it is reported instead of followed.
            follow_redirects=False,
            transport=transport or GuardedTransport(),
        )

    # -------------------------------------------------------------------------------- lifecycle

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> OngoingClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -------------------------------------------------------------------------------- transport

    def _backoff(self, attempt: int) -> float:
        delay = min(self.backoff_max, self.backoff_base * (2**attempt))
        return delay * (0.5 + 0.5 * self._rng.random())

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        payload: Any = None,
        retries: int | None = None,
    ) -> Any:
        """Send one API call with the retry policy; return the decoded JSON body of the 2xx answer."""
        write = method != "GET"
        content = None
        headers = None
        if payload is not None:
            content = json.dumps(payload, default=_json_default, separators=(",", ":")).encode("utf-8")
            headers = {"Content-Type": "application/json"}
        max_retries = self.max_retries if retries is None else retries
        attempt = 0
        with self._write_lock if write else nullcontext():
            while True:
                self.stats.requests += 1
                if write:
                    self.stats.writes += 1
                if attempt:
                    self.stats.retries += 1
                retry_after = None
                status = None
                try:
                    response = self._http.request(
                        method, path, params=params, content=content, headers=headers
                    )
                except httpx.TimeoutException as exc:
                    last = f"no answer within {self.timeout:g} s ({type(exc).__name__})"
                except (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.InvalidURL) as exc:
                    self.stats.failures += 1
                    raise WmsError(f"Invalid request or URL: {exc}", method=method, path=path, reason="url")
                except OutboundAddressRefused as exc:
                    self.stats.failures += 1
                    raise WmsError(
                        f"The address of {exc.host} may not be reached from this server.",
                        method=method,
                        path=path,
                        reason="refused",
                    ) from None
                except httpx.TransportError as exc:
                    last = f"connection problem: {type(exc).__name__}: {exc}".rstrip(": ")
                else:
                    status = response.status_code
                    if 200 <= status < 300:
                        return self._decode(response, method, path)
                    if status < 500 and status not in RETRYABLE_STATUSES:
                        self.stats.failures += 1
                        raise self._error(response, method, path)
                    retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
                    last = f"HTTP {status}: {_wms_message(response)}"
                if attempt >= max_retries:
                    self.stats.failures += 1
                    unavailable = WmsUnavailable(
                        f"Ongoing WMS did not answer successfully after {attempt + 1} attempt(s); "
                        f"last: {last}",
                        status=status,
                        method=method,
                        path=path,
                        reason="unavailable" if status is not None else "network",
                    )
                    # What happened, without the sentence around it, for messages that say the rest.
                    unavailable.attempts, unavailable.last = attempt + 1, last
                    raise unavailable
                delay = (
                    min(retry_after, self.retry_after_max)
                    if retry_after is not None
                    else self._backoff(attempt)
                )
                self.stats.waited += delay
                self._sleep(delay)
                attempt += 1

    @staticmethod
    def _decode(response: httpx.Response, method: str, path: str) -> Any:
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise WmsError(
                "The answer is not JSON — is this an Ongoing WMS API URL?",
                status=response.status_code,
                method=method,
                path=path,
                body=response.text[:500],
                reason="url",
            )

    @staticmethod
    def _error(response: httpx.Response, method: str, path: str) -> WmsError:
        status = response.status_code
        message = _wms_message(response)
        body = response.text[:2000]
        cls: type[WmsError]
        if 300 <= status < 400:
            return WmsError(
                f"The server answered with a redirect (HTTP {status}); redirects are not followed.",
                status=status,
                method=method,
                path=path,
                body=body,
                reason="redirect",
            )
        if status in (401, 403):
            cls = WmsAuthError
        elif status == 404:
            cls = WmsNotFound
        elif status in (400, 409, 422):
            cls = WmsValidationError
        else:
            cls = WmsError
        return cls(message, status=status, method=method, path=path, body=body)

    @staticmethod
    def _check_success(result: Any, method: str, path: str) -> dict[str, Any]:
        if not isinstance(result, dict) or result.get("success") is not True:
            message = (result or {}).get("message") if isinstance(result, dict) else None
            raise WmsOperationFailed(
                message or "Ongoing WMS did not confirm the operation (success is not true).",
                status=200,
                method=method,
                path=path,
                body=json.dumps(result)[:2000],
            )
        return result

    def _with_goods_owner(self, payload: dict[str, Any]) -> dict[str, Any]:
        goods_owner_id = payload.get("goodsOwnerId", self.goods_owner_id)
        if int(goods_owner_id) != self.goods_owner_id:
            raise ValueError(f"payload is for goods owner {goods_owner_id}, client for {self.goods_owner_id}")
        return {**payload, "goodsOwnerId": self.goods_owner_id}

    def _paged(
        self,
        path: str,
        params: dict[str, Any],
        from_param: str,
        max_param: str,
        page_size: int,
        row_id: Callable,
    ) -> Iterator[dict[str, Any]]:
        """Keyset paging: ``from`` inclusive, next page from the greatest id + 1, stop on a short page."""
        if page_size < 1:
            raise ValueError("page_size must be >= 1")
        next_from: int | None = None
        while True:
            query = {**params, max_param: page_size}
            if next_from is not None:
                query[from_param] = next_from
            rows = self._request("GET", path, params=query)
            if not isinstance(rows, list):
                raise WmsError(f"Expected a JSON array from {path}", method="GET", path=path)
            if not rows:
                return
            yield from rows
            if len(rows) < page_size:
                return
            next_from = max(row_id(r) for r in rows) + 1

    # -------------------------------------------------------------------------------- connection check

    def test_connection(self) -> dict[str, Any]:
        """Check URL, credentials and goods owner with two cheap real calls, without retries.

        Raises, with distinct messages: :class:`WmsNotFound` / reason "url" (nothing Ongoing-like at the
        URL — wrong host path or warehouse name), :class:`WmsAuthError` / reason "credentials" (username or
        password rejected), :class:`WmsAuthError` / reason "goods_owner" (the user has no access to the
        goods owner id), :class:`WmsUnavailable` / reason "network" (host unreachable, timeout, 5xx).
        Returns ``{"orderStatuses": [...], "goodsOwnerId": …}`` on success.
        """
        try:
            statuses = self._request("GET", "orders/statuses", retries=0)
        except WmsNotFound as exc:
            raise WmsNotFound(
                f"No Ongoing WMS API answers at {self.base_url}: "
                "check the address and the warehouse name in it.",
                status=exc.status,
                method=exc.method,
                path=exc.path,
                reason="url",
            )
        except WmsAuthError as exc:
            raise WmsAuthError(
                "Ongoing WMS rejected the username or password of the API user.",
                status=exc.status,
                method=exc.method,
                path=exc.path,
                reason="credentials",
            )
        except WmsUnavailable as exc:
            unavailable = WmsUnavailable(
                f"Could not reach Ongoing WMS at {self.base_url}: {exc.message}",
                status=exc.status,
                method=exc.method,
                path=exc.path,
                reason="network",
            )
            unavailable.attempts = getattr(exc, "attempts", None)
            unavailable.last = getattr(exc, "last", exc.message)
            raise unavailable from exc
        if not isinstance(statuses, dict) or "orderStatuses" not in statuses:
            raise WmsError(
                f"The answer from {self.base_url} does not look like Ongoing WMS.", status=200, reason="url"
            )
        try:
            self._request(
                "GET",
                "articles",
                params={"goodsOwnerId": self.goods_owner_id, "maxArticlesToGet": 1},
                retries=0,
            )
        except (WmsAuthError, WmsNotFound, WmsValidationError) as exc:
            raise WmsAuthError(
                f"The API user has no access to goods owner {self.goods_owner_id}: check the goods owner id. "
                f"({exc.message})",
                status=exc.status,
                method=exc.method,
                path=exc.path,
                reason="goods_owner",
            )
        return {"goodsOwnerId": self.goods_owner_id, "orderStatuses": statuses["orderStatuses"]}

    # -------------------------------------------------------------------------------- articles

    def put_article(self, payload: dict[str, Any]) -> dict[str, Any]:
        """PUT /articles — create or update by ``articleNumber`` (idempotent, retried).
        Returns ``{"articleSystemId", "message"}``. ``goodsOwnerId`` is filled in."""
        return self._request("PUT", "articles", payload=self._with_goods_owner(payload))

    def update_article(self, article_system_id: int, payload: dict[str, Any]) -> dict[str, Any]:
        """PUT /articles/{id} — update by internal id (idempotent, retried)."""
        return self._request(
            "PUT", f"articles/{int(article_system_id)}", payload=self._with_goods_owner(payload)
        )

    def get_article(self, article_system_id: int) -> dict[str, Any]:
        """GET /articles/{id} incl. ``inventoryInfo``; :class:`WmsNotFound` when unknown."""
        return self._request("GET", f"articles/{int(article_system_id)}")

    def find_article_by_number(self, article_number: str) -> dict[str, Any] | None:
        rows = self._request(
            "GET", "articles", params={"goodsOwnerId": self.goods_owner_id, "articleNumber": article_number}
        )
        return next((r for r in rows if r.get("articleNumber") == article_number), None)

    def iter_articles(
        self,
        article_numbers: Iterable[str] | None = None,
        page_size: int = 1000,
        *,
        stock_info_changed_from: datetime | None = None,
        article_data_last_updated_from: datetime | None = None,
        only_in_stock: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """All matching articles (GET /articles, keyset-paged by articleSystemId, ascending per request).

        ``article_numbers`` are sent as repeated ``articleNumbers`` keys, split over several requests to
        keep URLs short. ``stock_info_changed_from`` must be within 24 h (Ongoing rule).
        """
        params: dict[str, Any] = {"goodsOwnerId": self.goods_owner_id}
        if stock_info_changed_from is not None:
            params["stockInfoChangedFrom"] = format_time(stock_info_changed_from)
        if article_data_last_updated_from is not None:
            params["articleDataLastUpdatedFrom"] = format_time(article_data_last_updated_from)
        if only_in_stock:
            params["onlyArticlesInStock"] = "true"
        yield from self._iter_with_numbers(
            "articles",
            params,
            "articleNumbers",
            article_numbers,
            "articleSystemIdFrom",
            "maxArticlesToGet",
            page_size,
            lambda r: r["articleSystemId"],
        )

    def iter_inventory_per_warehouse(
        self, article_numbers: Iterable[str] | None = None, page_size: int = 1000
    ) -> Iterator[dict[str, Any]]:
        """GET /articles/inventoryPerWarehouse, keyset-paged like :meth:`iter_articles`."""
        params: dict[str, Any] = {"goodsOwnerId": self.goods_owner_id}
        yield from self._iter_with_numbers(
            "articles/inventoryPerWarehouse",
            params,
            "articleNumbers",
            article_numbers,
            "articleSystemIdFrom",
            "maxArticlesToGet",
            page_size,
            lambda r: r["articleSystemId"],
        )

    def _iter_with_numbers(
        self,
        path: str,
        params: dict[str, Any],
        list_param: str,
        values: Iterable[str] | None,
        from_param: str,
        max_param: str,
        page_size: int,
        row_id: Callable,
    ) -> Iterator[dict[str, Any]]:
        if values is None:
            yield from self._paged(path, params, from_param, max_param, page_size, row_id)
            return
        unique = list(dict.fromkeys(str(v) for v in values))
        for chunk in _chunk_for_query(unique, list_param):
            yield from self._paged(
                path, {**params, list_param: chunk}, from_param, max_param, page_size, row_id
            )

    # -------------------------------------------------------------------------------- orders

    def put_order(self, payload: dict[str, Any]) -> dict[str, Any]:
        """PUT /orders — create or update by ``orderNumber`` (idempotent, retried; 200 or 201).
        Returns ``{"orderId", "message"}``. Raises :class:`WmsValidationError` when the WMS refuses
        (unknown article, order already started …). Send the complete order: lines are replaced."""
        return self._request("PUT", "orders", payload=self._with_goods_owner(payload))

    def update_order(self, order_id: int, payload: dict[str, Any]) -> dict[str, Any]:
        """PUT /orders/{id} — update by internal id (idempotent, retried)."""
        return self._request("PUT", f"orders/{int(order_id)}", payload=self._with_goods_owner(payload))

    def get_order(self, order_id: int) -> dict[str, Any]:
        """GET /orders/{id}; :class:`WmsNotFound` when unknown. Use ``orderInfo.orderStatus.number`` only."""
        return self._request("GET", f"orders/{int(order_id)}")

    def find_order_by_number(self, order_number: str) -> dict[str, Any] | None:
        """GET /orders?orderNumber= — the order with exactly this number, or None."""
        rows = self._request(
            "GET", "orders", params={"goodsOwnerId": self.goods_owner_id, "orderNumber": order_number}
        )
        return next((r for r in rows if r.get("orderInfo", {}).get("orderNumber") == order_number), None)

    def iter_orders(
        self,
        *,
        order_numbers: Iterable[str] | None = None,
        status_from: int | None = None,
        status_to: int | None = None,
        status_changed_from: datetime | None = None,
        created_from: datetime | None = None,
        updated_from: datetime | None = None,
        shipped_from: datetime | None = None,
        page_size: int = 1000,
    ) -> Iterator[dict[str, Any]]:
        """All matching orders (GET /orders, keyset-paged by orderId). ``updated_from`` ≤ 2 days old."""
        params: dict[str, Any] = {"goodsOwnerId": self.goods_owner_id}
        for name, value in (
            ("orderStatusFrom", status_from),
            ("orderStatusTo", status_to),
        ):
            if value is not None:
                params[name] = int(value)
        for name, value in (
            ("orderStatusChangedTimeFrom", status_changed_from),
            ("orderCreatedTimeFrom", created_from),
            ("orderUpdatedTimeFrom", updated_from),
            ("shippedTimeFrom", shipped_from),
        ):
            if value is not None:
                params[name] = format_time(value)
        yield from self._iter_with_numbers(
            "orders",
            params,
            "orderNumbers",
            order_numbers,
            "orderIdFrom",
            "maxOrdersToGet",
            page_size,
            lambda r: r["orderInfo"]["orderId"],
        )

    def cancel_order(self, order_id: int) -> dict[str, Any]:
        """DELETE /orders/{id} — status 1000 (idempotent: cancelling a cancelled order succeeds).
        :class:`WmsValidationError` once the warehouse has started on the order."""
        return self._request("DELETE", f"orders/{int(order_id)}")

    def cancel_order_by_number(self, order_number: str) -> dict[str, Any]:
        """DELETE /orders?goodsOwnerId=&orderNumber= — as :meth:`cancel_order`."""
        return self._request(
            "DELETE", "orders", params={"goodsOwnerId": self.goods_owner_id, "orderNumber": order_number}
        )

    def get_order_statuses(self) -> list[dict[str, Any]]:
        """GET /orders/statuses → ``[{"number", "text"}, …]`` (texts are localised; map by number)."""
        return self._request("GET", "orders/statuses")["orderStatuses"]

    def set_order_waybill(self, order_id: int, waybill: str) -> dict[str, Any]:
        """PATCH /orders/{id}/waybill — fills ``orderInfo.wayBill`` (idempotent, retried)."""
        return self._request("PATCH", f"orders/{int(order_id)}/waybill", payload={"waybill": waybill})

    def put_order_tracking(
        self, order_id: int, tracking_number: str, tracking_url: str, *, is_return: bool = False
    ) -> dict[str, Any]:
        """PUT /orders/{id}/orderTracking — create or update the entry for this waybill (idempotent,
        retried); :class:`WmsOperationFailed` unless ``success`` is true.

        Ongoing requires a non-empty ``trackingUrl`` (and refuses ``""``): without a URL, do not call
        this — :meth:`set_order_waybill` alone records the number."""
        if not tracking_number or not tracking_url:
            raise ValueError("orderTracking needs both a waybill and a tracking URL")
        path = f"orders/{int(order_id)}/orderTracking"
        payload = {
            "waybill": tracking_number,
            "trackingUrl": tracking_url,
            "isReturnTracking": is_return,
        }
        return self._check_success(self._request("PUT", path, payload=payload), "PUT", path)

    def put_order_parcel(
        self, order_id: int, parcel_number: str, transport_administration_type: str
    ) -> dict[str, Any]:
        """PUT /orders/{id}/parcels — create or update a parcel (idempotent by parcel number, retried)."""
        path = f"orders/{int(order_id)}/parcels"
        payload = {
            "parcelNumber": parcel_number,
            "transportAdministrationType": transport_administration_type,
        }
        return self._check_success(self._request("PUT", path, payload=payload), "PUT", path)

    def put_order_file(
        self, order_id: int, file_name: str, content: bytes, mime: str = "application/pdf"
    ) -> dict[str, Any]:
        """PUT /orders/{id}/files?fileName= — create or replace the file with this name (idempotent,
        retried; base64 body). Returns ``{"fileId", "success", "message"}``."""
        path = f"orders/{int(order_id)}/files"
        payload = {"mimeType": mime, "fileDataBase64": base64.b64encode(content).decode("ascii")}
        result = self._request("PUT", path, params={"fileName": file_name}, payload=payload)
        return self._check_success(result, "PUT", path)

    def list_order_files(self, order_id: int) -> list[dict[str, Any]]:
        """GET /orders/{id}/files (with ``fileDataBase64``)."""
        return self._request("GET", f"orders/{int(order_id)}/files")

    def post_order_file_once(
        self,
        order_id: int,
        file_name: str,
        content: bytes,
        mime: str = "application/pdf",
        *,
        printing_info: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """POST /orders/{id}/files with ``advanced.printingInfo`` (the WMS prints the file on arrival),
        exactly once: only the POST form of the upload carries printing instructions, and a POST always
        adds a file, so before every attempt the order's files are listed and an existing file of this
        name is taken as the earlier attempt that arrived. The POST itself is never repeated blindly;
        a failed attempt is retried (same backoff as other calls) only after that look.

        Returns ``{"fileId", "success", "message"}`` (``message`` says "already uploaded" when found).
        """
        path = f"orders/{int(order_id)}/files"
        payload: dict[str, Any] = {
            "fileName": file_name,
            "mimeType": mime,
            "fileDataBase64": base64.b64encode(content).decode("ascii"),
        }
        if printing_info:
            payload["advanced"] = {"printingInfo": printing_info}
        attempt = 0
        while True:
            existing = next(
                (f for f in self.list_order_files(order_id) or [] if f.get("fileName") == file_name), None
            )
            if existing is not None:
                return {"fileId": existing.get("fileId"), "success": True, "message": "already uploaded"}
            try:
                return self._check_success(
                    self._request("POST", path, payload=payload, retries=0), "POST", path
                )
            except WmsUnavailable:
                if attempt >= self.max_retries:
                    raise
                delay = self._backoff(attempt)
                self.stats.waited += delay
                self._sleep(delay)
                attempt += 1

    # -------------------------------------------------------------------------------- reference data

    def get_warehouses(self) -> list[dict[str, Any]]:
        return self._request("GET", "warehouses")

    def get_transporter_contracts(self) -> list[dict[str, Any]]:
        return self._request("GET", "transporterContracts", params={"goodsOwnerId": self.goods_owner_id})
