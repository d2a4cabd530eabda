"""In-memory state of the sandbox Ongoing WMS: goods owners, API users, articles, orders, stock.

Everything here is plain Python (no Django) so the sandbox can run inside a test process or alone.

Concurrency model: every write takes the lock of its goods owner (Ongoing runs create/update calls
sequentially per goods owner); reads take no lock. Writers never mutate a container a reader may be
iterating: they build a new dict/list and assign it, so a concurrent GET sees the old or the new
value, never a half-built one.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import os
import re
import tempfile
import threading
import time
from bisect import bisect_left
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any

# --------------------------------------------------------------------------------------------------
# Errors and small parsers
# --------------------------------------------------------------------------------------------------


class SandboxError(Exception):
    """A request the sandbox refuses; becomes an HTTP answer ``{"message": ...}`` with ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def bad_request(message: str) -> SandboxError:
    return SandboxError(400, message)


def not_found(message: str = "Not found.") -> SandboxError:
    return SandboxError(404, message)


_NUMBER_RE = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")


def parse_decimal(value: Any, path: str) -> float | None:
    """Decimal field: a JSON number or a numeric string (the official examples send ``"1.5"``)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise bad_request(f"Could not convert {value!r} to decimal. Path '{path}'.")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and _NUMBER_RE.match(value):
        return float(value)
    raise bad_request(f"Could not convert string to decimal: {value!r}. Path '{path}'.")


def parse_int(value: Any, path: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise bad_request(f"Could not convert {value!r} to integer. Path '{path}'.")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        return int(value.strip())
    raise bad_request(f"Could not convert {value!r} to integer. Path '{path}'.")


def parse_string(value: Any, path: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # Json.NET coerces numbers into string properties
    raise bad_request(f"Unexpected value for '{path}': expected a string.")


def parse_bool(value: Any, path: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise bad_request(f"Could not convert {value!r} to boolean. Path '{path}'.")


def parse_datetime(value: Any, path: str) -> float | None:
    """ISO 8601 date or date-time, with ``Z``/offset or naive (taken as UTC) → POSIX timestamp."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise bad_request(f"Could not convert {value!r} to DateTime. Path '{path}'.")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise bad_request(f"The value '{value}' is not a valid date-time for '{path}'.")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def iso_utc(ts: float | None) -> str | None:
    """Response time format: UTC with ``Z`` and milliseconds, e.g. ``2019-10-10T09:03:49.437Z``."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def webhook_timestamp(ts: float) -> str:
    """Webhook time format as in Ongoing's docs: seven fraction digits and no zone suffix."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0"


# --------------------------------------------------------------------------------------------------
# Order statuses
# --------------------------------------------------------------------------------------------------

STATUS_ERROR = 150
STATUS_OPEN = 200
STATUS_RELEASED = 300
STATUS_ALLOCATED = 320
STATUS_PICKED = 400
STATUS_SENT = 450
STATUS_COLLECTED = 500
STATUS_RETURNED = 800
STATUS_CANCELLED = 1000

ORDER_STATUS_TEXTS: dict[str, dict[int, str]] = {
    "en": {
        150: "Error",
        200: "Open",
        300: "Released",
        320: "Allocated",
        400: "Picked",
        450: "Sent",
        500: "Collected",
        800: "Returned",
        1000: "Cancelled",
    },
    "sv": {
        150: "Fel",
        200: "Öppen",
        300: "Frisläppt",
        320: "Allokerad",
        400: "Plockad",
        450: "Skickad",
        500: "Hämtad",
        800: "Returnerad",
        1000: "Makulerad",
    },
}
SETTABLE_STATUSES = (200, 300, 320, 400, 450, 500, 800)


# --------------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------------


@dataclass
class SandboxSettings:
    """Behaviour switches for points the reference marks as inferred ([INF])."""

    locked_from_status: int = STATUS_RELEASED  # PUT/DELETE of an order refused from this status on
    shipped_status: int = STATUS_SENT  # physical stock leaves and shippedTime is set at this status
    initial_order_status: int = STATUS_OPEN
    order_create_status_code: int = 200  # PUT /orders on create: 200 (default) or 201
    reject_unknown_articles: bool = True  # order line with an unknown articleNumber → 400
    merge_absent_fields: bool = True  # repeated PUT keeps scalar fields the body leaves out
    status_text_language: str = "sv"  # orderStatus.text in GET order (GET /orders/statuses is English)
    new_article_stock: float = 0.0  # physical stock of a newly created article
    webhook_retry_delays: list[float] = field(default_factory=lambda: [0.5, 1.0, 2.0, 4.0, 8.0])
    webhook_timeout: float = 5.0


@dataclass
class GoodsOwner:
    id: int
    name: str
    article_ids: list[int] = field(default_factory=list)  # ascending (ids come from one counter)
    article_by_number: dict[str, int] = field(default_factory=dict)
    order_ids: list[int] = field(default_factory=list)
    order_by_number: dict[str, int] = field(default_factory=dict)
    webhooks: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ApiUser:
    username: str
    password: str
    goods_owner_ids: set[int]


@dataclass
class Article:
    system_id: int
    goods_owner_id: int
    article_number: str
    data: dict[str, Any]
    created: float
    data_updated: float
    stock_changed: float
    physical: float = 0.0  # numberOfItems
    booked: float = 0.0  # on orders below 320, not picked
    allocated: float = 0.0  # on orders 320..399
    picked: float = 0.0  # picked, not yet gone (status 400 .. shipped_status-1)
    locked: float = 0.0


@dataclass
class Order:
    order_id: int
    goods_owner_id: int
    order_number: str
    data: dict[str, Any]
    lines: list[dict[str, Any]]  # {id, rowNumber, articleNumber, articleSystemId, numberOfItems, data}
    status: int
    created: float
    updated: float
    status_changed: float
    shipped_time: float | None = None
    returned_time: float | None = None
    way_bill: str | None = None
    return_way_bill: str | None = None
    tracking: list[dict[str, Any]] = field(default_factory=list)
    parcels: list[dict[str, Any]] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    shipment_id: int | None = None
    # Printing asked for by file uploads (POST …/files with advanced.printingInfo).
    print_jobs: list[dict[str, Any]] = field(default_factory=list)


# Fields of PostArticleModel, grouped by how the sandbox normalises them.
ARTICLE_STRING_FIELDS = (
    "articleName",
    "productCode",
    "unitCode",
    "description",
    "purcaseCurrencyCode",  # sic — Ongoing's spelling
    "countryOfOriginCode",
    "statisticsNumber",
    "customsDescription",
    "linkToPicture",
)
ARTICLE_DECIMAL_FIELDS = (
    "weight",
    "length",
    "width",
    "height",
    "volume",
    "netWeight",
    "purchasePrice",
    "stockValuationPrice",
    "customerPrice",
    "minimumReorderQuantity",
    "subQuantityPerItem",
)
ARTICLE_INT_FIELDS = (
    "quantityPerPackage",
    "quantityPerPallet",
    "stockLimit",
    "quantityPerLayerOnPallet",
    "minDaysToExpiryDateAllowedOnDelivery",
)
ARTICLE_BOOL_FIELDS = ("isStockArticle", "isActive")
ARTICLE_OBJECT_FIELDS = (
    "supplierInfo",
    "barCodeInfo",
    "articleGroup",
    "articleCategory",
    "articleColor",
    "articleSize",
    "freeValues",
    "storageProperties",
    "articleNameTranslations",
    "structureDefinition",
)

ORDER_LINE_DECIMAL_FIELDS = ("numberOfItems", "lineTotalCustomsValue", "weight", "minWeight", "maxWeight")
ORDER_DECIMAL_FIELDS = ("freightPrice", "customerPrice")

WAREHOUSE = {"id": 1, "code": "SBX", "name": "Sandbox warehouse"}
TRANSPORTER_CONTRACTS = [
    {
        "transporterCode": "POSTNORD",
        "transporterName": "PostNord",
        "transporterServiceCode": "19",
        "transporterServiceName": "MyPack Collect",
        "comment": None,
    },
    {
        "transporterCode": "DHL",
        "transporterName": "DHL Freight",
        "transporterServiceCode": "PAKET",
        "transporterServiceName": "DHL Paket",
        "comment": None,
    },
]


# --------------------------------------------------------------------------------------------------
# The state
# --------------------------------------------------------------------------------------------------


class SandboxState:
    """All data of one sandbox warehouse instance plus its domain operations.

    Public read helpers for tests: :meth:`articles`, :meth:`orders`, :meth:`article`, :meth:`order`,
    :attr:`counters`, :attr:`webhook_log`. Domain writes raise :class:`SandboxError` with the HTTP status
    and message the API answers with.
    """

    def __init__(self, *, warehouse: str = "sandbox", settings: SandboxSettings | None = None) -> None:
        self.warehouse = warehouse
        self.settings = settings or SandboxSettings()
        self.goods_owners: dict[int, GoodsOwner] = {}
        self.users: dict[str, ApiUser] = {}
        self.articles_by_id: dict[int, Article] = {}
        self.orders_by_id: dict[int, Order] = {}
        self.counters: Counter[str] = Counter()
        self.webhook_log: deque[dict[str, Any]] = deque(maxlen=2000)
        self.dirty = False
        # Called with a list of webhook deliveries after a write released its lock (set by the server).
        self.on_events: Callable[[list[dict[str, Any]]], None] | None = None
        self._locks: dict[int, threading.Lock] = {}
        self._meta_lock = threading.Lock()
        self._counter_lock = threading.Lock()
        self._auth_cache: dict[str, ApiUser | None] = {}
        self._init_sequences()

    def _init_sequences(self, start: dict[str, int] | None = None) -> None:
        start = start or {}
        self._article_ids = itertools.count(start.get("article", 1001))
        self._order_ids = itertools.count(start.get("order", 50001))
        self._line_ids = itertools.count(start.get("line", 300001))
        self._file_ids = itertools.count(start.get("file", 101))
        self._parcel_ids = itertools.count(start.get("parcel", 201))
        self._event_ids = itertools.count(start.get("event", 90001))
        self._webhook_ids = itertools.count(start.get("webhook", 1))
        self._shipment_ids = itertools.count(start.get("shipment", 7001))

    # ---------------------------------------------------------------- goods owners, users, auth

    def add_goods_owner(self, goods_owner_id: int | None = None, name: str | None = None) -> GoodsOwner:
        """Create a goods owner (idempotent for an existing id: renames it when ``name`` is given)."""
        with self._meta_lock:
            if goods_owner_id is None:
                goods_owner_id = max(self.goods_owners, default=0) + 1
            owner = self.goods_owners.get(goods_owner_id)
            if owner is None:
                owner = GoodsOwner(id=goods_owner_id, name=name or f"Goods owner {goods_owner_id}")
                self._locks[goods_owner_id] = threading.Lock()
                self.goods_owners = {**self.goods_owners, goods_owner_id: owner}
            elif name:
                owner.name = name
            self.dirty = True
            return owner

    def add_user(self, username: str, password: str, goods_owner_ids: Iterable[int]) -> ApiUser:
        """Create or replace an API user allowed to act for ``goods_owner_ids`` (created if missing)."""
        ids = {int(i) for i in goods_owner_ids}
        for goods_owner_id in ids:
            if goods_owner_id not in self.goods_owners:
                self.add_goods_owner(goods_owner_id)
        with self._meta_lock:
            user = ApiUser(username=username, password=password, goods_owner_ids=ids)
            self.users = {**self.users, username: user}
            self._auth_cache = {}
            self.dirty = True
            return user

    def authenticate(self, authorization: str | None) -> ApiUser | None:
        """The API user of a ``Basic`` Authorization header, or None (cached per header value)."""
        if not authorization:
            return None
        try:
            return self._auth_cache[authorization]
        except KeyError:
            pass
        user = None
        scheme, _, encoded = authorization.partition(" ")
        if scheme.lower() == "basic":
            try:
                username, _, password = base64.b64decode(encoded.strip()).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                username, password = "", ""
            candidate = self.users.get(username)
            if candidate is not None and candidate.password == password:
                user = candidate
        if len(self._auth_cache) < 1000:
            self._auth_cache[authorization] = user
        return user

    def owner_for(self, user: ApiUser, goods_owner_id: Any) -> GoodsOwner:
        """The goods owner named in a query/body, checked against the user's rights.

        A goods owner the user may not use answers 403 whether or not it exists (no existence leak).
        """
        if goods_owner_id is None or goods_owner_id == "":
            raise bad_request("goodsOwnerId is required.")
        goods_owner_id = parse_int(goods_owner_id, "goodsOwnerId")
        if goods_owner_id not in user.goods_owner_ids or goods_owner_id not in self.goods_owners:
            raise SandboxError(403, f"The user has no access to goods owner {goods_owner_id}.")
        return self.goods_owners[goods_owner_id]

    def lock(self, goods_owner_id: int) -> threading.Lock:
        return self._locks[goods_owner_id]

    def count(self, *keys: str) -> None:
        with self._counter_lock:
            for key in keys:
                self.counters[key] += 1

    # ---------------------------------------------------------------- read helpers (tests, page)

    def articles(self, goods_owner_id: int) -> list[dict[str, Any]]:
        """All articles of a goods owner as the API renders them, ascending articleSystemId."""
        owner = self.goods_owners[goods_owner_id]
        return [self.render_article(self.articles_by_id[i]) for i in list(owner.article_ids)]

    def orders(self, goods_owner_id: int) -> list[dict[str, Any]]:
        """All orders of a goods owner as the API renders them, ascending orderId."""
        owner = self.goods_owners[goods_owner_id]
        return [self.render_order(self.orders_by_id[i]) for i in list(owner.order_ids)]

    def article(self, article_system_id: int) -> dict[str, Any]:
        return self.render_article(self.articles_by_id[article_system_id])

    def order(self, order_id: int) -> dict[str, Any]:
        return self.render_order(self.orders_by_id[order_id])

    def article_by_number(self, goods_owner_id: int, article_number: str) -> dict[str, Any] | None:
        system_id = self.goods_owners[goods_owner_id].article_by_number.get(article_number)
        return None if system_id is None else self.article(system_id)

    def order_by_number(self, goods_owner_id: int, order_number: str) -> dict[str, Any] | None:
        order_id = self.goods_owners[goods_owner_id].order_by_number.get(order_number)
        return None if order_id is None else self.order(order_id)

    def get_article_for(self, user: ApiUser, article_system_id: int) -> Article:
        """An article the user may see; a foreign one answers 404 exactly like a missing one."""
        article = self.articles_by_id.get(article_system_id)
        if article is None or article.goods_owner_id not in user.goods_owner_ids:
            raise not_found(f"Article {article_system_id} was not found.")
        return article

    def get_order_for(self, user: ApiUser, order_id: int) -> Order:
        """An order the user may see; a foreign one answers 404 exactly like a missing one."""
        order = self.orders_by_id.get(order_id)
        if order is None or order.goods_owner_id not in user.goods_owner_ids:
            raise not_found(f"Order {order_id} was not found.")
        return order

    # ---------------------------------------------------------------- articles

    def _clean_article(self, payload: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for key, value in payload.items():
            if key in ("goodsOwnerId", "articleNumber"):
                continue
            if key in ARTICLE_DECIMAL_FIELDS:
                data[key] = parse_decimal(value, key)
            elif key in ARTICLE_INT_FIELDS:
                data[key] = parse_int(value, key)
            elif key in ARTICLE_STRING_FIELDS:
                value = parse_string(value, key)
                # Ongoing normalises some codes (the docs' example sent "St" and read back "st").
                data[key] = value.lower() if key == "unitCode" and value else value
            elif key in ARTICLE_BOOL_FIELDS:
                data[key] = parse_bool(value, key)
            elif key in ARTICLE_OBJECT_FIELDS:
                if value is not None and not isinstance(value, dict | list):
                    raise bad_request(f"Unexpected value for '{key}': expected an object.")
                data[key] = value
            else:
                data[key] = value  # newer-spec fields: accepted and stored, not echoed
        return data

    def put_article(
        self, user: ApiUser, payload: Any, *, article_system_id: int | None = None
    ) -> dict[str, Any]:
        """PUT /articles (upsert by goodsOwnerId+articleNumber) or PUT /articles/{id}."""
        if not isinstance(payload, dict):
            raise bad_request("The request body must be a JSON object.")
        owner = self.owner_for(user, payload.get("goodsOwnerId"))
        number = parse_string(payload.get("articleNumber"), "articleNumber")
        if not number:
            raise bad_request("The ArticleNumber field is required.")
        data = self._clean_article(payload)
        now = time.time()
        with self._locks[owner.id]:
            if article_system_id is not None:
                article = self.get_article_for(user, article_system_id)
                if article.goods_owner_id != owner.id:
                    raise bad_request("goodsOwnerId does not match the article.")
                other = owner.article_by_number.get(number)
                if other is not None and other != article.system_id:
                    raise bad_request(f"Article number {number} is already used by another article.")
            else:
                existing = owner.article_by_number.get(number)
                article = self.articles_by_id[existing] if existing is not None else None
            if article is None:
                article = Article(
                    system_id=next(self._article_ids),
                    goods_owner_id=owner.id,
                    article_number=number,
                    data=data,
                    created=now,
                    data_updated=now,
                    stock_changed=now,
                    physical=float(self.settings.new_article_stock),
                )
                self.articles_by_id[article.system_id] = article
                owner.article_ids.append(article.system_id)
                owner.article_by_number[number] = article.system_id
            else:
                merged = {**article.data, **data} if self.settings.merge_absent_fields else data
                if merged != article.data or number != article.article_number:
                    if number != article.article_number:
                        owner.article_by_number.pop(article.article_number, None)
                        owner.article_by_number[number] = article.system_id
                        article.article_number = number
                    article.data = merged
                    article.data_updated = now
            self.dirty = True
        name = article.data.get("articleName") or ""
        return {"articleSystemId": article.system_id, "message": f"Article {number} {name} Updated/Created"}

    def set_stock(
        self, goods_owner_id: int, article_number: str, number_of_items: Any, *, locked: Any = None
    ) -> dict[str, Any]:
        """Set the physical stock (numberOfItems) of an article, as a stock count in the warehouse would."""
        owner = self.goods_owners.get(goods_owner_id)
        if owner is None:
            raise not_found(f"Goods owner {goods_owner_id} does not exist.")
        quantity = parse_decimal(number_of_items, "numberOfItems")
        if quantity is None or quantity < 0:
            raise bad_request("numberOfItems must be a number >= 0.")
        with self._locks[owner.id]:
            system_id = owner.article_by_number.get(article_number)
            if system_id is None:
                raise not_found(f"Article {article_number} does not exist.")
            article = self.articles_by_id[system_id]
            article.physical = quantity
            if locked is not None:
                article.locked = parse_decimal(locked, "numberOfLockedItems") or 0.0
            article.stock_changed = time.time()
            self.dirty = True
        return self.render_article(article)

    # ---------------------------------------------------------------- orders

    def _bucket(self, status: int) -> str | None:
        """Which stock bucket the lines of an order in ``status`` occupy."""
        if status == STATUS_CANCELLED:
            return None
        if status >= self.settings.shipped_status:
            return "out"
        if status >= STATUS_PICKED:
            return "picked"
        if status >= STATUS_ALLOCATED:
            return "allocated"
        return "booked"

    def _apply_stock(self, lines: list[dict[str, Any]], bucket: str | None, sign: float, now: float) -> None:
        if bucket is None or bucket == "out":
            return
        for line in lines:
            article = self.articles_by_id.get(line["articleSystemId"]) if line["articleSystemId"] else None
            if article is None:
                continue
            setattr(article, bucket, getattr(article, bucket) + sign * line["numberOfItems"])
            article.stock_changed = now

    def _move_stock(self, order: Order, old_status: int, new_status: int, now: float) -> None:
        old_bucket, new_bucket = self._bucket(old_status), self._bucket(new_status)
        if old_bucket == new_bucket:
            return
        self._apply_stock(order.lines, old_bucket, -1.0, now)
        self._apply_stock(order.lines, new_bucket, +1.0, now)
        if new_bucket == "out" and old_bucket not in ("out", None):
            for line in order.lines:
                article = (
                    self.articles_by_id.get(line["articleSystemId"]) if line["articleSystemId"] else None
                )
                if article is not None:
                    # Physical stock never goes negative; the sandbox lets the demo ship without stock.
                    article.physical = max(0.0, article.physical - line["numberOfItems"])
                    article.stock_changed = now

    def _clean_order(self, owner: GoodsOwner, payload: dict[str, Any]) -> tuple[dict[str, Any], list]:
        errors: list[str] = []
        number = parse_string(payload.get("orderNumber"), "orderNumber")
        if not number:
            errors.append("The OrderNumber field is required.")
        if payload.get("deliveryDate") in (None, ""):
            errors.append("The DeliveryDate field is required.")
        else:
            parse_datetime(payload.get("deliveryDate"), "deliveryDate")
        if not isinstance(payload.get("consignee"), dict):
            errors.append("The Consignee field is required.")
        data: dict[str, Any] = {}
        for key, value in payload.items():
            if key in ("goodsOwnerId", "orderLines"):
                continue
            data[key] = parse_decimal(value, key) if key in ORDER_DECIMAL_FIELDS else value
        data["orderNumber"] = number
        raw_lines = payload.get("orderLines") or []
        if not isinstance(raw_lines, list):
            raise bad_request("orderLines must be an array.")
        lines: list[dict[str, Any]] = []
        seen_rows: set[str] = set()
        for index, raw in enumerate(raw_lines):
            where = f"orderLines[{index}]"
            if not isinstance(raw, dict):
                errors.append(f"{where} must be an object.")
                continue
            row = parse_string(raw.get("rowNumber"), f"{where}.rowNumber")
            article_number = parse_string(raw.get("articleNumber"), f"{where}.articleNumber")
            if not row:
                errors.append(f"The RowNumber field is required ({where}).")
            elif row in seen_rows:
                errors.append(f"Row number {row} occurs more than once on the order.")
            seen_rows.add(row or "")
            if not article_number:
                errors.append(f"The ArticleNumber field is required ({where}).")
            system_id = owner.article_by_number.get(article_number or "")
            if article_number and system_id is None and self.settings.reject_unknown_articles:
                errors.append(f"Article {article_number} does not exist (row {row}).")
            line_data = {
                k: parse_decimal(v, f"{where}.{k}") if k in ORDER_LINE_DECIMAL_FIELDS else v
                for k, v in raw.items()
            }
            if isinstance(line_data.get("prices"), dict):
                prices = line_data["prices"]
                line_data["prices"] = {
                    k: parse_decimal(v, f"{where}.prices.{k}") if k != "currencyCode" else v
                    for k, v in prices.items()
                }
            quantity = line_data.get("numberOfItems")
            if quantity is not None and quantity < 0:
                errors.append(f"numberOfItems must not be negative (row {row}).")
            lines.append(
                {
                    "id": None,
                    "rowNumber": row,
                    "articleNumber": article_number,
                    "articleSystemId": system_id,
                    "numberOfItems": quantity or 0.0,
                    "data": line_data,
                }
            )
        if errors:
            raise bad_request(" ".join(errors))
        return data, lines

    def _refuse_edit(self, order: Order, what: str) -> None:
        if order.status == STATUS_CANCELLED:
            raise bad_request(f"Order {order.order_number} is cancelled and can not be {what}.")
        if order.status >= self.settings.locked_from_status:
            raise bad_request(
                f"Order {order.order_number} can not be {what}: the warehouse has started working on it "
                f"(status {order.status})."
            )

    def put_order(self, user: ApiUser, payload: Any, *, order_id: int | None = None) -> tuple[int, dict]:
        """PUT /orders (upsert by goodsOwnerId+orderNumber) or PUT /orders/{id}; returns (status, body).

        Lines are replaced as a whole, matched by rowNumber so a line keeps its id across updates.
        """
        if not isinstance(payload, dict):
            raise bad_request("The request body must be a JSON object.")
        owner = self.owner_for(user, payload.get("goodsOwnerId"))
        events: list[dict[str, Any]] = []
        with self._locks[owner.id]:
            data, lines = self._clean_order(owner, payload)
            number = data["orderNumber"]
            now = time.time()
            if order_id is not None:
                order = self.get_order_for(user, order_id)
                if order.goods_owner_id != owner.id:
                    raise bad_request("goodsOwnerId does not match the order.")
                other = owner.order_by_number.get(number)
                if other is not None and other != order.order_id:
                    raise bad_request(f"Order number {number} is already used by another order.")
            else:
                existing = owner.order_by_number.get(number)
                order = self.orders_by_id[existing] if existing is not None else None
            created = order is None
            if order is None:
                for line in lines:
                    line["id"] = next(self._line_ids)
                status = self.settings.initial_order_status
                order = Order(
                    order_id=next(self._order_ids),
                    goods_owner_id=owner.id,
                    order_number=number,
                    data=data,
                    lines=lines,
                    status=status,
                    created=now,
                    updated=now,
                    status_changed=now,
                )
                self._apply_stock(lines, self._bucket(status), +1.0, now)
                self.orders_by_id[order.order_id] = order
                owner.order_ids.append(order.order_id)
                owner.order_by_number[number] = order.order_id
                events += self._webhook_events(order, "created", previous_status=None)
            else:
                self._refuse_edit(order, "updated")
                old_ids = {line["rowNumber"]: line["id"] for line in order.lines}
                for line in lines:
                    line["id"] = old_ids.get(line["rowNumber"]) or next(self._line_ids)
                bucket = self._bucket(order.status)
                self._apply_stock(order.lines, bucket, -1.0, now)
                self._apply_stock(lines, bucket, +1.0, now)
                if number != order.order_number:
                    owner.order_by_number.pop(order.order_number, None)
                    owner.order_by_number[number] = order.order_id
                    order.order_number = number
                order.data = {**order.data, **data} if self.settings.merge_absent_fields else data
                order.lines = lines
                order.updated = now
            self.dirty = True
        self._emit(events)
        customer = (data.get("consignee") or {}).get("customerNumber")
        message = f"Order number {number} created/updated"
        if customer:
            message = f"Customer {customer} created/updated. <br/> <br/>" + message
        code = self.settings.order_create_status_code if created else 200
        return code, {"orderId": order.order_id, "message": message}

    def cancel_order(self, user: ApiUser, order: Order) -> dict[str, Any]:
        """DELETE /orders/{id}: status 1000, booked stock released. Repeating it on a cancelled order is
        answered 200 (so a client retry after a lost answer succeeds)."""
        events: list[dict[str, Any]] = []
        with self._locks[order.goods_owner_id]:
            if order.status != STATUS_CANCELLED:
                self._refuse_edit(order, "cancelled")
                events = self._change_status(order, STATUS_CANCELLED, time.time())
                message = f"Order {order.order_number} cancelled."
            else:
                message = f"Order {order.order_number} was already cancelled."
            self.dirty = True
        self._emit(events)
        return {"orderId": order.order_id, "message": message}

    def set_order_status(
        self,
        order_id: int,
        status: int,
        *,
        waybill: str | None = None,
        tracking_url: str | None = None,
    ) -> dict[str, Any]:
        """Warehouse side: move an order forward (200/300/320/400/450/500/800) and fire webhooks.

        ``waybill`` (optional) is a transport the warehouse booked itself: it fills orderInfo.wayBill and
        adds a tracking entry. Without it the order is "sent" with no tracking, and the shop must upload
        label and tracking. Moving backwards, or moving a cancelled order, is refused (400).
        """
        order = self.orders_by_id.get(order_id)
        if order is None:
            raise not_found(f"Order {order_id} was not found.")
        status = parse_int(status, "status")
        if status not in SETTABLE_STATUSES:
            raise bad_request(f"Status {status} can not be set here; use one of {list(SETTABLE_STATUSES)}.")
        events: list[dict[str, Any]] = []
        with self._locks[order.goods_owner_id]:
            if order.status == STATUS_CANCELLED:
                raise bad_request(f"Order {order.order_number} is cancelled.")
            if status < order.status:
                raise bad_request(f"Order {order.order_number} is already at status {order.status}.")
            now = time.time()
            if waybill:
                order.way_bill = waybill
                order.tracking = [t for t in order.tracking if t["waybill"] != waybill] + [
                    {"trackingUrl": tracking_url or "", "waybill": waybill, "created": now, "isReturn": False}
                ]
            if status != order.status:
                events = self._change_status(order, status, now)
            self.dirty = True
        self._emit(events)
        return self.render_order(order)

    def _change_status(self, order: Order, status: int, now: float) -> list[dict[str, Any]]:
        previous = order.status
        self._move_stock(order, previous, status, now)
        order.status = status
        order.status_changed = now
        order.updated = now
        if (
            status >= self.settings.shipped_status
            and status != STATUS_CANCELLED
            and order.shipped_time is None
        ):
            order.shipped_time = now
        if status == STATUS_RETURNED:
            order.returned_time = now
        if status >= STATUS_COLLECTED and status != STATUS_CANCELLED and order.shipment_id is None:
            order.shipment_id = next(self._shipment_ids)
        return self._webhook_events(order, "status", previous_status=previous)

    # ---------------------------------------------------------------- waybill, tracking, parcels, files

    def _writable_after_send(self, order: Order) -> None:
        if order.status == STATUS_CANCELLED:
            raise bad_request(f"Order {order.order_number} is cancelled.")

    def patch_waybill(self, order: Order, payload: Any, *, key: str = "waybill") -> dict[str, Any]:
        if not isinstance(payload, dict) or not parse_string(payload.get(key), key):
            raise bad_request(f"The {key[0].upper() + key[1:]} field is required.")
        with self._locks[order.goods_owner_id]:
            self._writable_after_send(order)
            if key == "waybill":
                order.way_bill = payload[key]
            else:
                order.return_way_bill = payload[key]
            order.updated = time.time()
            self.dirty = True
        return {"orderId": order.order_id, "message": f"Order {order.order_number} updated."}

    def put_tracking(self, order: Order, payload: Any) -> dict[str, Any]:
        """PUT /orders/{id}/orderTracking: create or update the entry with this waybill."""
        if not isinstance(payload, dict):
            raise bad_request("The request body must be a JSON object.")
        missing = [k for k in ("waybill", "trackingUrl", "isReturnTracking") if k not in payload]
        if missing:
            raise bad_request("The Waybill, TrackingUrl and IsReturnTracking fields are required.")
        # Both strings are [Required] in PostOrderTrackingModel: ASP.NET refuses null and "" alike.
        for key in ("waybill", "trackingUrl"):
            if not (parse_string(payload.get(key), key) or "").strip():
                raise bad_request(f"The {key[0].upper() + key[1:]} field is required.")
        waybill = str(payload["waybill"])
        entry = {
            "trackingUrl": parse_string(payload.get("trackingUrl"), "trackingUrl"),
            "waybill": waybill,
            "created": time.time(),
            "isReturn": bool(parse_bool(payload.get("isReturnTracking"), "isReturnTracking")),
        }
        with self._locks[order.goods_owner_id]:
            self._writable_after_send(order)
            old = next((t for t in order.tracking if t["waybill"] == waybill), None)
            if old is not None:
                entry["created"] = old["created"]
            order.tracking = [t for t in order.tracking if t["waybill"] != waybill] + [entry]
            order.updated = time.time()
            self.dirty = True
        verb = "updated" if old is not None else "created"
        return {"success": True, "message": f"Tracking {waybill} {verb} on order {order.order_number}."}

    def put_parcel(self, order: Order, payload: Any) -> dict[str, Any]:
        """PUT /orders/{id}/parcels: create or update the parcel with this parcelNumber [INF key]."""
        if not isinstance(payload, dict):
            raise bad_request("The request body must be a JSON object.")
        number = parse_string(payload.get("parcelNumber"), "parcelNumber")
        kind = parse_string(payload.get("transportAdministrationType"), "transportAdministrationType")
        if not number or not kind:
            raise bad_request("The ParcelNumber and TransportAdministrationType fields are required.")
        with self._locks[order.goods_owner_id]:
            self._writable_after_send(order)
            old = next((p for p in order.parcels if p["parcelNumber"] == number), None)
            parcel = {
                "id": old["id"] if old else next(self._parcel_ids),
                "parcelNumber": number,
                "isReturnParcel": False,
                "tracking": {"trackingUrl": (old or {}).get("tracking", {}).get("trackingUrl")},
                "advanced": {"parcelSerialNumber": None},
                "transportAdministrationType": kind,
            }
            order.parcels = [p for p in order.parcels if p["parcelNumber"] != number] + [parcel]
            order.updated = time.time()
            self.dirty = True
        return {"parcelId": parcel["id"], "success": True, "message": f"Parcel {number} saved."}

    def put_file(self, order: Order, payload: Any, *, file_name: str | None, replace: bool) -> dict[str, Any]:
        """POST /orders/{id}/files (always adds) or PUT ?fileName= (create or replace by name)."""
        if not isinstance(payload, dict):
            raise bad_request("The request body must be a JSON object.")
        name = file_name if file_name is not None else parse_string(payload.get("fileName"), "fileName")
        mime = parse_string(payload.get("mimeType"), "mimeType")
        data = payload.get("fileDataBase64")
        if not name or not mime or not isinstance(data, str) or not data:
            raise bad_request("The FileName, MimeType and FileDataBase64 fields are required.")
        try:
            size = len(base64.b64decode(data, validate=True))
        except (binascii.Error, ValueError):
            raise bad_request("fileDataBase64 is not valid base64.")
        # Only PostFileModel (POST, PUT by file id) has ``advanced``; PUT ?fileName= takes
        # PostFileNoFilenameModel, whose binder ignores the property.
        printing = self._printing_info(payload) if file_name is None else None
        with self._locks[order.goods_owner_id]:
            self._writable_after_send(order)
            old = next((f for f in order.files if f["fileName"] == name), None) if replace else None
            entry = {
                "fileId": old["fileId"] if old else next(self._file_ids),
                "fileName": name,
                "mimeType": mime,
                "fileDataBase64": data,
                "size": size,
                "created": time.time(),
                "advanced": payload.get("advanced") if file_name is None else None,
            }
            order.files = [f for f in order.files if f is not old] + [entry]
            if printing is not None:
                job = {"fileId": entry["fileId"], "fileName": name, "created": entry["created"], **printing}
                order.print_jobs = [*order.print_jobs, job]
            order.updated = time.time()
            self.dirty = True
        verb = "updated" if old else "created"
        return {"fileId": entry["fileId"], "success": True, "message": f"FileId {entry['fileId']} {verb}"}

    @staticmethod
    def _printing_info(payload: dict[str, Any]) -> dict[str, Any] | None:
        """``advanced.printingInfo`` of PostFileModel → a print job, or None when absent.

        ``{reportId, printAsUser: {userId}, printAsWorkstation: {workstationId}}``, all integers [SPEC];
        the sandbox needs a workstation or a user to print on [INF].
        """
        advanced = payload.get("advanced")
        if advanced is None:
            return None
        if not isinstance(advanced, dict):
            raise bad_request("Unexpected value for 'advanced': expected an object.")
        info = advanced.get("printingInfo")
        if info is None:
            return None
        if not isinstance(info, dict):
            raise bad_request("Unexpected value for 'advanced.printingInfo': expected an object.")
        job: dict[str, Any] = {"reportId": parse_int(info.get("reportId"), "advanced.printingInfo.reportId")}
        for key, inner in (("printAsUser", "userId"), ("printAsWorkstation", "workstationId")):
            value = info.get(key)
            if value is not None and not isinstance(value, dict):
                raise bad_request(f"Unexpected value for 'advanced.printingInfo.{key}': expected an object.")
            job[inner] = parse_int((value or {}).get(inner), f"advanced.printingInfo.{key}.{inner}")
        if job["userId"] is None and job["workstationId"] is None:
            raise bad_request("PrintingInfo needs printAsWorkstation.workstationId or printAsUser.userId.")
        return job

    # ---------------------------------------------------------------- rendering (API output models)

    def render_article(self, article: Article) -> dict[str, Any]:
        data = article.data
        owner = self.goods_owners[article.goods_owner_id]
        out: dict[str, Any] = {
            "goodsOwner": {"id": owner.id, "name": owner.name},
            "articleSystemId": article.system_id,
            "articleNumber": article.article_number,
        }
        for key in ARTICLE_STRING_FIELDS:
            out[key] = data.get(key) or ""  # Ongoing mixes "" and null; the sandbox answers ""
        for key in ARTICLE_DECIMAL_FIELDS:
            out[key] = data.get(key) or 0.0
        for key in ARTICLE_INT_FIELDS:
            out[key] = data.get(key) or 0
        out["isStockArticle"] = data.get("isStockArticle", True) is not False
        out["isActive"] = data.get("isActive", True) is not False
        out["articleKind"] = "Standard"
        for key in ARTICLE_OBJECT_FIELDS:
            out[key] = data.get(key)
        out["classes"] = []
        out["inventoryInfo"] = self.render_inventory(article)
        out["articleDataLastUpdated"] = iso_utc(article.data_updated)
        return out

    def render_inventory(self, article: Article) -> dict[str, Any]:
        reserved = article.booked + article.allocated + article.picked
        return {
            "numberOfItems": article.physical,
            "sellableNumberOfItems": article.physical - reserved - article.locked,
            "numberOfBookedItems": article.booked + article.allocated,
            "allocatedNumberOfItems": article.allocated,
            "numberOfLockedItems": article.locked,
            "lockedForSaleNumberOfItems": 0.0,
            "toReceiveNumberOfItems": 0.0,
            "pickedToBeCollectedNumberOfItems": article.picked,
            "receivedToBeFinishedNumberOfItems": 0.0,
            "totalStockValue": article.physical * (article.data.get("stockValuationPrice") or 0.0),
            "lastInDate": None,
            "inventoryChanged": iso_utc(article.stock_changed),
        }

    def render_inventory_per_warehouse(self, article: Article) -> dict[str, Any]:
        inventory = self.render_inventory(article)
        return {
            "articleSystemId": article.system_id,
            "articleNumber": article.article_number,
            "inventoryPerWarehouse": [
                {
                    "warehouseId": WAREHOUSE["id"],
                    "numberOfItems": inventory["numberOfItems"],
                    "numberOfLockedItems": inventory["numberOfLockedItems"],
                    "sellableNumberOfItems": inventory["sellableNumberOfItems"],
                    "availableForSaleNumberOfItems": inventory["sellableNumberOfItems"],
                    "reported": {
                        "pickedToBeReportedNumberOfItems": 0.0,
                        "returnedToBeReportedNumberOfItems": 0.0,
                        "receivedToBeReportedNumberOfItems": 0.0,
                    },
                }
            ],
        }

    def status_text(self, status: int, language: str | None = None) -> str:
        texts = ORDER_STATUS_TEXTS.get(
            language or self.settings.status_text_language, ORDER_STATUS_TEXTS["en"]
        )
        return texts.get(status, str(status))

    def render_order(self, order: Order) -> dict[str, Any]:
        data = order.data
        status = order.status
        owner = self.goods_owners[order.goods_owner_id]
        live = status != STATUS_CANCELLED
        allocated = live and status >= STATUS_ALLOCATED
        picked = live and status >= STATUS_PICKED
        packed = live and status >= STATUS_SENT
        ordered_total = allocated_total = picked_total = 0.0
        lines = []
        for line in order.lines:
            article = self.articles_by_id.get(line["articleSystemId"]) if line["articleSystemId"] else None
            line_data = line["data"]
            quantity = line["numberOfItems"]
            ordered_total += quantity
            allocated_total += quantity if allocated else 0.0
            picked_total += quantity if picked else 0.0
            lines.append(
                {
                    "id": line["id"],
                    "rowNumber": line["rowNumber"],
                    "article": {
                        "articleSystemId": line["articleSystemId"],
                        "articleNumber": line["articleNumber"],
                        "articleName": (article.data.get("articleName") if article else None) or "",
                        "productCode": (article.data.get("productCode") if article else None) or "",
                        "articleKind": "Standard",
                    },
                    "comment": line_data.get("comment"),
                    "orderedNumberOfItems": quantity,
                    "allocatedNumberOfItems": quantity if allocated else 0.0,
                    "pickedNumberOfItems": quantity if picked else 0.0,
                    "packedNumberOfItems": quantity if packed else 0.0,
                    "reportedNumberOfItems": None,
                    "reportedReturnedNumberOfItems": 0.0,
                    "returnedNumberOfItems": 0.0,
                    "shouldBePicked": line_data.get("shouldBePicked", True) is not False,
                    "pickedArticleItems": [],
                    "subOrderLines": None,
                    "serialNumber": line_data.get("serialNumber"),
                    "batchNumber": line_data.get("batchNumber"),
                    "lineTotalCustomsValue": line_data.get("lineTotalCustomsValue") or 0.0,
                    "lineType": line_data.get("lineType"),
                    "prices": line_data.get("prices"),
                    "customerArticleNumber": line_data.get("customerArticleNumber"),
                    "externalId": line_data.get("externalId"),
                    "freeValues": line_data.get("lineFreeValues"),
                }
            )
        consignee = dict(data.get("consignee") or {})
        consignee.pop("vatNumber", None)  # not part of the GET model
        consignee.pop("organisationNumber", None)
        consignee = {"id": order.order_id, **consignee}
        delivery_date = data.get("deliveryDate")
        transporter = data.get("transporter") or {}
        return {
            "goodsOwner": {"id": owner.id, "name": owner.name},
            "orderInfo": {
                "orderId": order.order_id,
                "orderNumber": order.order_number,
                "goodsOwnerOrderId": data.get("goodsOwnerOrderId"),
                "referenceNumber": data.get("referenceNumber"),
                "salesCode": data.get("salesCode"),
                "orderRemark": data.get("orderRemark"),
                "deliveryInstruction": data.get("deliveryInstruction"),
                "servicePointCode": data.get("servicePointCode"),
                "freeText1": data.get("freeText1"),
                "freeText2": data.get("freeText2"),
                "freeText3": data.get("freeText3"),
                "consigneeOrderNumber": data.get("consigneeOrderNumber"),
                "warehouseInstruction": data.get("warehouseInstruction"),
                "productionCode": data.get("productionCode"),
                "preparedTransportDocumentId": data.get("preparedTransportDocumentId"),
                "orderType": data.get("orderType"),
                "wayOfDelivery": data.get("wayOfDelivery"),
                "termsOfDeliveryType": data.get("termsOfDeliveryType"),
                # As in the official example, a date-only deliveryDate is echoed date-only.
                "deliveryDate": delivery_date
                if isinstance(delivery_date, str) and len(delivery_date) == 10
                else iso_utc(parse_datetime(delivery_date, "deliveryDate")),
                "createdDate": iso_utc(order.created),
                "shippedTime": iso_utc(order.shipped_time),
                "wayBill": order.way_bill,  # capital B here, "waybill" everywhere else
                "returnWayBill": order.return_way_bill,
                "orderStatus": {"number": status, "text": self.status_text(status)},
                "emailNotification": data.get("emailNotification"),
                "smsNotification": data.get("smsNotification"),
                "telephoneNotification": data.get("telephoneNotification"),
                "orderedNumberOfItems": ordered_total,
                "allocatedNumberOfItems": allocated_total,
                "pickedNumberOfItems": picked_total,
                "customsInfo": data.get("customsInfo"),
                "warehouse": dict(WAREHOUSE),
                "customerPrice": data.get("customerPrice"),
                "freightPrice": data.get("freightPrice"),
                "marketPlace": data.get("marketPlace"),
                "pickingPriority": data.get("pickingPriority"),
                "advanced": {
                    "invoiceNumber": (data.get("advanced") or {}).get("invoiceNumber"),
                    "arrivalDate": None,
                    "deliveryDateWithTime": iso_utc(parse_datetime(delivery_date, "deliveryDate")),
                    "backOrderInfo": {"backOrderForOrderId": None},
                },
            },
            "consignee": consignee,
            "parcels": [
                {k: v for k, v in p.items() if k != "transportAdministrationType"} for p in order.parcels
            ],
            "orderLines": lines,
            "transporter": {
                "transporterName": transporter.get("transporterCode"),
                "name": transporter.get("transporterCode"),
                "code": transporter.get("transporterCode"),
                "serviceCode": transporter.get("transporterServiceCode"),
                "transporterContract": None,
                "serviceComment": None,
            }
            if transporter
            else None,
            "returnTransporter": None,
            "tracking": [
                {"trackingUrl": t["trackingUrl"], "waybill": t["waybill"], "created": iso_utc(t["created"])}
                for t in order.tracking
                if not t.get("isReturn")
            ],
            "returnTracking": [
                {"trackingUrl": t["trackingUrl"], "waybill": t["waybill"], "created": iso_utc(t["created"])}
                for t in order.tracking
                if t.get("isReturn")
            ],
            "classes": data.get("classes") or [],
            "shipmentInfo": {"shipmentId": order.shipment_id},
        }

    def render_file(self, order: Order, entry: dict[str, Any]) -> dict[str, Any]:
        return {
            "fileId": entry["fileId"],
            "orderId": order.order_id,
            "articleSystemId": None,
            "purchaseOrderId": None,
            "fileName": entry["fileName"],
            "mimeType": entry["mimeType"],
            "fileDataBase64": entry["fileDataBase64"],
        }

    # ---------------------------------------------------------------- list queries

    @staticmethod
    def ids_from(ids: list[int], id_from: int | None) -> Iterable[int]:
        """Keyset paging: the ascending ids ``>= id_from`` (inclusive, as Ongoing's ``…IdFrom``)."""
        start = bisect_left(ids, id_from) if id_from else 0
        return itertools.islice(ids, start, None)

    # ---------------------------------------------------------------- webhooks

    def add_webhook(
        self,
        goods_owner_id: int,
        url: str,
        *,
        kind: str = "order",
        events: Iterable[str] = ("status",),
        statuses: Iterable[int] | None = None,
        headers: dict[str, str] | None = None,
        basic_auth: tuple[str, str] | list[str] | None = None,
        duplicate: bool = False,
        retry: bool = True,
    ) -> dict[str, Any]:
        """Register a webhook for a goods owner.

        ``kind`` "order": ``events`` ⊆ {"created", "picked", "status"}; "status" fires on every status
        change, or only on changes *to* one of ``statuses``. ``kind`` "shipment" fires when an order gets
        its shipment (status 500). ``duplicate`` delivers every event twice with the same webhookEventId;
        ``retry`` False = Ongoing's retry policy "None".
        """
        if kind not in ("order", "shipment"):
            raise bad_request("kind must be 'order' or 'shipment'.")
        events = list(events)
        unknown = set(events) - {"created", "picked", "status"}
        if unknown:
            raise bad_request(f"Unknown webhook events: {sorted(unknown)}.")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise bad_request("url must be an http(s) URL.")
        owner = self.goods_owners.get(goods_owner_id)
        if owner is None:
            raise not_found(f"Goods owner {goods_owner_id} does not exist.")
        hook = {
            "id": next(self._webhook_ids),
            "url": url,
            "kind": kind,
            "events": events,
            "statuses": sorted(int(s) for s in statuses) if statuses is not None else None,
            "headers": dict(headers or {}),
            "basicAuth": list(basic_auth) if basic_auth else None,
            "duplicate": bool(duplicate),
            "retry": bool(retry),
        }
        with self._locks[owner.id]:
            owner.webhooks = [*owner.webhooks, hook]
            self.dirty = True
        return hook

    def clear_webhooks(self, goods_owner_id: int) -> None:
        owner = self.goods_owners.get(goods_owner_id)
        if owner is None:
            raise not_found(f"Goods owner {goods_owner_id} does not exist.")
        with self._locks[owner.id]:
            owner.webhooks = []
            self.dirty = True

    def _webhook_events(self, order: Order, trigger: str, *, previous_status: int | None) -> list[dict]:
        owner = self.goods_owners[order.goods_owner_id]
        if not owner.webhooks:
            return []
        deliveries = []
        now = time.time()
        for hook in owner.webhooks:
            template = None
            if hook["kind"] == "order":
                if trigger == "created" and "created" in hook["events"]:
                    template = "OrderCreated"
                elif trigger == "status":
                    became_picked = (
                        order.status >= STATUS_PICKED
                        and order.status != STATUS_CANCELLED
                        and (previous_status or 0) < STATUS_PICKED
                    )
                    if "status" in hook["events"] and (
                        hook["statuses"] is None or order.status in hook["statuses"]
                    ):
                        template = "OrderStatusChanged"
                    elif "picked" in hook["events"] and became_picked:
                        template = "OrderPicked"
                if template:
                    payload = self.order_webhook_payload(order, hook, template, now)
            elif (
                hook["kind"] == "shipment"
                and trigger == "status"
                and order.shipment_id is not None
                and (previous_status or 0) < STATUS_COLLECTED
            ):
                template = "ShipmentCreated"
                payload = self.shipment_webhook_payload(order, hook, template, now)
            if template:
                deliveries.append({"hook": hook, "payload": payload, "eventId": payload["webhookEventId"]})
        return deliveries

    def order_webhook_payload(self, order: Order, hook: dict, template: str, now: float) -> dict[str, Any]:
        owner = self.goods_owners[order.goods_owner_id]
        return {
            "webhookOrdersId": hook["id"],
            "webhookEventId": next(self._event_ids),
            "system": self.warehouse,
            "timestamp": webhook_timestamp(now),
            "orderId": order.order_id,
            "orderNumber": order.order_number,
            "goodsOwnerId": owner.id,
            "goodsOwnerOrderId": order.data.get("goodsOwnerOrderId"),
            "consigneeOrderNumber": order.data.get("consigneeOrderNumber"),
            "path": f"/{self.warehouse}/api/v1/orders/{order.order_id}",
            "byUser": {"userId": 1},
            "byComputer": {"computerId": 1, "computerName": "SANDBOX"},
            "orderStatus": {"number": order.status},  # no text in webhook payloads
            "currentShipmentId": order.shipment_id,
            "webhookTemplate": template,
            "goodsOwnerName": owner.name,
            "goodsOwnerClasses": None,
            "tracking": [
                {
                    "trackingUrl": t["trackingUrl"],
                    "waybill": t["waybill"],
                    "isReturn": bool(t.get("isReturn")),
                }
                for t in order.tracking
            ],
            "parcels": [
                {
                    "id": p["id"],
                    "parcelNumber": p["parcelNumber"],
                    "isReturnParcel": p["isReturnParcel"],
                    "tracking": {"trackingUrl": (p.get("tracking") or {}).get("trackingUrl")},
                }
                for p in order.parcels
            ],
        }

    def shipment_webhook_payload(self, order: Order, hook: dict, template: str, now: float) -> dict[str, Any]:
        owner = self.goods_owners[order.goods_owner_id]
        return {
            "webhookShipmentsId": hook["id"],
            "webhookEventId": next(self._event_ids),
            "system": self.warehouse,
            "timestamp": webhook_timestamp(now),
            "shipmentId": order.shipment_id,
            "goodsOwnerId": owner.id,
            "goodsOwnerName": owner.name,
            "path": f"/{self.warehouse}/api/v1/orders/{order.order_id}",
            "webhookTemplate": template,
            "byComputer": {"computerId": 1, "computerName": "SANDBOX"},
            "consignee": {"countryCode": (order.data.get("consignee") or {}).get("countryCode")},
            "shipmentOrderNumber": order.order_number,
        }

    def refire_webhooks(self, order_id: int) -> list[int]:
        """Fire the status webhooks of an order again for its current status (new event ids)."""
        order = self.orders_by_id.get(order_id)
        if order is None:
            raise not_found(f"Order {order_id} was not found.")
        events = self._webhook_events(order, "status", previous_status=None)
        self._emit(events)
        return [e["eventId"] for e in events]

    def _emit(self, events: list[dict[str, Any]]) -> None:
        if events and self.on_events is not None:
            self.on_events(events)

    # ---------------------------------------------------------------- persistence

    def snapshot(self) -> dict[str, Any]:
        """A JSON-able copy of the data (each goods owner copied under its lock)."""
        owners, articles, orders = [], [], []
        for owner_id in sorted(self.goods_owners):
            owner = self.goods_owners[owner_id]
            with self._locks[owner_id]:
                owners.append(asdict(owner))
                articles += [asdict(self.articles_by_id[i]) for i in owner.article_ids]
                orders += [asdict(self.orders_by_id[i]) for i in owner.order_ids]
        sequences = {
            name: self._peek(getattr(self, f"_{name}_ids"))
            for name in ("article", "order", "line", "file", "parcel", "event", "webhook", "shipment")
        }
        return {
            "version": 1,
            "warehouse": self.warehouse,
            "settings": asdict(self.settings),
            "goodsOwners": owners,
            "users": [
                {"username": u.username, "password": u.password, "goodsOwnerIds": sorted(u.goods_owner_ids)}
                for u in self.users.values()
            ],
            "articles": articles,
            "orders": orders,
            "sequences": sequences,
        }

    def _peek(self, counter: itertools.count) -> int:
        # itertools.count's repr is "count(N)": the next value, without consuming it.
        return int(repr(counter)[6:-1])

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Replace all data with a :meth:`snapshot`."""
        settings_fields = {f.name for f in fields(SandboxSettings)}
        self.settings = SandboxSettings(
            **{k: v for k, v in snapshot.get("settings", {}).items() if k in settings_fields}
        )
        self.goods_owners = {}
        self._locks = {}
        for raw in snapshot.get("goodsOwners", []):
            owner = GoodsOwner(**raw)
            self.goods_owners[owner.id] = owner
            self._locks[owner.id] = threading.Lock()
        self.users = {
            u["username"]: ApiUser(u["username"], u["password"], set(u["goodsOwnerIds"]))
            for u in snapshot.get("users", [])
        }
        self._auth_cache = {}
        self.articles_by_id = {a["system_id"]: Article(**a) for a in snapshot.get("articles", [])}
        self.orders_by_id = {o["order_id"]: Order(**o) for o in snapshot.get("orders", [])}
        self._init_sequences(snapshot.get("sequences"))
        self.dirty = False

    def save(self, path: str) -> None:
        """Write a snapshot atomically (temporary file in the same folder, then rename)."""
        self.dirty = False
        data = json.dumps(self.snapshot(), separators=(",", ":"))
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".wms-sandbox-", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def load(self, path: str) -> bool:
        """Load a saved state; False when the file does not exist."""
        if not os.path.exists(path):
            return False
        with open(path, encoding="utf-8") as handle:
            self.restore(json.load(handle))
        return True

    def reset(self) -> None:
        """Forget all data (settings and counters too)."""
        self.restore({})
        self.counters.clear()
        self.webhook_log.clear()

    # ---------------------------------------------------------------- time-window rules

    @staticmethod
    def check_window(ts: float | None, name: str, max_age: timedelta) -> None:
        """Ongoing rejects some 'changed since' filters older than a window (24 h, 2 days)."""
        if ts is not None and ts < time.time() - max_age.total_seconds():
            hours = int(max_age.total_seconds() // 3600)
            raise bad_request(f"{name} can not be more than {hours} hours back in time.")
