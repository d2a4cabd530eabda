"""OngoingClient against the sandbox over real HTTP: paging, errors, retries, idempotent writes."""

from __future__ import annotations

import socket
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from wmsbridge.client import (
    OngoingClient,
    WmsAuthError,
    WmsNotFound,
    WmsOperationFailed,
    WmsUnavailable,
    WmsValidationError,
)
from wmsbridge.sandbox import SandboxServer

GOODS_OWNER = 1


class SleepRecorder:
    """Injected ``sleep``: records the waits instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sandbox():
    with SandboxServer(port=0) as server:
        server.add_goods_owner(GOODS_OWNER, "Demo shop")
        server.add_goods_owner(2, "Other shop")
        server.add_user("demo", "demo-pass", [GOODS_OWNER])
        yield server


@pytest.fixture
def sleeps():
    return SleepRecorder()


@pytest.fixture
def client(sandbox, sleeps):
    with OngoingClient(sandbox.base_url, "demo", "demo-pass", GOODS_OWNER, timeout=5, sleep=sleeps) as wms:
        yield wms


def order(number, lines, **fields):
    return {
        "orderNumber": number,
        "deliveryDate": datetime(2025, 3, 1, tzinfo=UTC),
        "consignee": {"name": "Jan", "countryCode": "PL"},
        "orderLines": [
            {"rowNumber": str(i + 1), "articleNumber": sku, "numberOfItems": qty}
            for i, (sku, qty) in enumerate(lines)
        ],
        **fields,
    }


# ----------------------------------------------------------------------------------------- connection check


def test_test_connection_succeeds_and_returns_the_status_list(client):
    result = client.test_connection()
    assert result["goodsOwnerId"] == GOODS_OWNER
    assert {"number": 450, "text": "Sent"} in result["orderStatuses"]


def test_test_connection_gives_distinct_messages_for_url_credentials_and_goods_owner(sandbox, sleeps):
    wrong_url = OngoingClient(f"{sandbox.root_url}/typo/", "demo", "demo-pass", GOODS_OWNER, sleep=sleeps)
    wrong_password = OngoingClient(sandbox.base_url, "demo", "nope", GOODS_OWNER, sleep=sleeps)
    wrong_owner = OngoingClient(sandbox.base_url, "demo", "demo-pass", 2, sleep=sleeps)
    messages = {}
    for name, wms, error, reason in (
        ("url", wrong_url, WmsNotFound, "url"),
        ("credentials", wrong_password, WmsAuthError, "credentials"),
        ("goods_owner", wrong_owner, WmsAuthError, "goods_owner"),
    ):
        with wms, pytest.raises(error) as caught:
            wms.test_connection()
        assert caught.value.reason == reason
        messages[name] = caught.value.message
    assert "warehouse name" in messages["url"]
    assert "username or password" in messages["credentials"]
    assert "goods owner 2" in messages["goods_owner"]
    assert len(set(messages.values())) == 3
    assert sleeps.waits == []  # a connection check answers at once, no retries


def test_test_connection_reports_an_unreachable_host_as_network_problem(sleeps):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    wms = OngoingClient(f"http://127.0.0.1:{port}/wh/", "u", "p", 1, sleep=sleeps)
    with wms, pytest.raises(WmsUnavailable) as caught:
        wms.test_connection()
    assert caught.value.reason == "network"
    assert "Could not reach" in caught.value.message


# ----------------------------------------------------------------------------------------- articles, paging


def test_put_article_upserts_and_reads_back(sandbox, client):
    first = client.put_article({"articleNumber": "SKU-1", "articleName": "Shirt", "weight": Decimal("1.25")})
    second = client.put_article({"articleNumber": "SKU-1", "articleName": "Shirt v2"})
    assert first["articleSystemId"] == second["articleSystemId"]
    article = client.get_article(first["articleSystemId"])
    assert (article["articleName"], article["weight"]) == ("Shirt v2", 1.25)
    assert client.find_article_by_number("SKU-1")["articleSystemId"] == first["articleSystemId"]
    assert client.find_article_by_number("missing") is None
    with pytest.raises(ValueError):
        client.put_article({"goodsOwnerId": 2, "articleNumber": "X"})


def test_iter_articles_pages_through_everything_in_ascending_order(sandbox, client):
    ids = [client.put_article({"articleNumber": f"SKU-{i:03d}"})["articleSystemId"] for i in range(30)]
    before = client.stats.requests
    rows = list(client.iter_articles(page_size=7))
    assert [r["articleSystemId"] for r in rows] == ids
    assert client.stats.requests - before == 5  # 7+7+7+7+2: the short page ends the loop
    exact = list(client.iter_articles(page_size=10))
    assert len(exact) == 30  # 10+10+10 then an empty page


def test_iter_articles_with_many_numbers_splits_long_queries(sandbox, client):
    for i in range(120):
        client.put_article({"articleNumber": f"A-VERY-LONG-ARTICLE-NUMBER-{i:04d}"})
    wanted = [f"A-VERY-LONG-ARTICLE-NUMBER-{i:04d}" for i in range(0, 120, 1)] + ["DOES-NOT-EXIST"]
    before = client.stats.requests
    rows = list(client.iter_articles(article_numbers=wanted))
    assert sorted(r["articleNumber"] for r in rows) == wanted[:-1]
    assert client.stats.requests - before > 1  # one URL would exceed IIS's query-string limit


def test_iter_articles_stock_changed_since(sandbox, client):
    client.put_article({"articleNumber": "A"})
    client.put_article({"articleNumber": "B"})
    time.sleep(0.01)  # the query carries milliseconds
    since = datetime.now(UTC)
    time.sleep(0.01)
    sandbox.set_stock(GOODS_OWNER, "A", 12)
    rows = list(client.iter_articles(stock_info_changed_from=since))
    assert [(r["articleNumber"], r["inventoryInfo"]["sellableNumberOfItems"]) for r in rows] == [("A", 12.0)]


# ----------------------------------------------------------------------------------------- orders


def test_orders_roundtrip_find_iterate_and_cancel(sandbox, client):
    client.put_article({"articleNumber": "A"})
    ids = [client.put_order(order(f"BL-{i}", [("A", 1)]))["orderId"] for i in range(5)]
    assert client.put_order(order("BL-0", [("A", 2)]))["orderId"] == ids[0]
    assert client.find_order_by_number("BL-3")["orderInfo"]["orderId"] == ids[3]
    assert client.find_order_by_number("BL-99") is None
    assert [o["orderInfo"]["orderId"] for o in client.iter_orders(page_size=2)] == ids
    sandbox.send_order(ids[1])
    sent = list(client.iter_orders(status_from=450, status_to=450))
    assert [o["orderInfo"]["orderId"] for o in sent] == [ids[1]]
    assert client.cancel_order(ids[2])["orderId"] == ids[2]
    assert client.cancel_order(ids[2])["orderId"] == ids[2]  # repeating a cancel is harmless
    assert client.get_order(ids[2])["orderInfo"]["orderStatus"]["number"] == 1000
    assert [s["number"] for s in client.get_order_statuses()][:2] == [150, 200]


def test_validation_error_is_raised_at_once_with_the_wms_message(client):
    with pytest.raises(WmsValidationError) as caught:
        client.put_order(order("BL-1", [("UNKNOWN-SKU", 1)]))
    assert caught.value.status == 400
    assert "UNKNOWN-SKU" in caught.value.message
    assert "UNKNOWN-SKU" in str(caught.value) and "PUT orders" in str(caught.value)
    assert client.stats.requests == 1 and client.stats.retries == 0


def test_cancel_after_the_warehouse_started_is_a_validation_error(sandbox, client):
    client.put_article({"articleNumber": "A"})
    order_id = client.put_order(order("BL-1", [("A", 1)]))["orderId"]
    sandbox.set_order_status(order_id, 400)
    with pytest.raises(WmsValidationError, match="started"):
        client.cancel_order(order_id)
    with pytest.raises(WmsNotFound):
        client.get_order(123456789)


def test_wrong_password_is_not_retried(sandbox, sleeps):
    wms = OngoingClient(sandbox.base_url, "demo", "wrong", GOODS_OWNER, sleep=sleeps)
    with wms, pytest.raises(WmsAuthError) as caught:
        wms.put_article({"articleNumber": "A"})
    assert caught.value.status == 401
    assert wms.stats.requests == 1 and sleeps.waits == []


def test_label_file_and_tracking_uploads_are_idempotent(sandbox, client):
    client.put_article({"articleNumber": "A"})
    order_id = client.put_order(order("BL-1", [("A", 1)]))["orderId"]
    sandbox.send_order(order_id)
    first = client.put_order_file(order_id, "label-BL-1-1.pdf", b"%PDF-1.4 first")
    second = client.put_order_file(order_id, "label-BL-1-1.pdf", b"%PDF-1.4 second")
    assert first["fileId"] == second["fileId"]
    files = client.list_order_files(order_id)
    assert [f["fileName"] for f in files] == ["label-BL-1-1.pdf"]
    assert client.put_order_tracking(order_id, "00370712345", "https://track/00370712345")["success"] is True
    assert client.put_order_tracking(order_id, "00370712345", "https://track/00370712345")["success"] is True
    client.set_order_waybill(order_id, "00370712345")
    got = client.get_order(order_id)
    assert [t["waybill"] for t in got["tracking"]] == ["00370712345"]
    assert got["orderInfo"]["wayBill"] == "00370712345"
    assert client.put_order_parcel(order_id, "P-1", "Unifaun")["success"] is True


def test_success_false_on_a_200_answer_raises(sandbox, client):
    client.put_article({"articleNumber": "A"})
    order_id = client.put_order(order("BL-1", [("A", 1)]))["orderId"]
    sandbox.set_faults(script=["success_false"])
    with pytest.raises(WmsOperationFailed, match="could not be completed"):
        client.put_order_file(order_id, "label.pdf", b"%PDF")
    assert sandbox.state.order(order_id)["orderInfo"]["orderId"] == order_id
    assert client.list_order_files(order_id) == []


# ----------------------------------------------------------------------------------------- retries


def test_retry_after_is_honoured(sandbox, client, sleeps):
    sandbox.set_faults(script=["429_retry_after"], retry_after=7)
    assert client.put_article({"articleNumber": "A"})["articleSystemId"]
    assert sleeps.waits == [7.0]
    assert client.stats.retries == 1


def test_429_without_retry_after_and_5xx_use_exponential_backoff(sandbox, sleeps):
    sandbox.set_faults(script=["429", "503", "500"])
    with OngoingClient(
        sandbox.base_url, "demo", "demo-pass", GOODS_OWNER, sleep=sleeps, backoff_base=1, backoff_max=3
    ) as wms:
        assert wms.get_order_statuses()
    assert len(sleeps.waits) == 3
    for wait, ceiling in zip(sleeps.waits, (1, 2, 3), strict=True):
        assert ceiling / 2 <= wait <= ceiling  # jittered in [½, 1] × min(max, base·2ⁿ)


def test_exhausted_retries_say_what_happened_last(sandbox, sleeps):
    sandbox.set_faults(rate=1.0, kinds={"503": 1})
    with (
        OngoingClient(sandbox.base_url, "demo", "demo-pass", GOODS_OWNER, sleep=sleeps, max_retries=2) as wms,
        pytest.raises(WmsUnavailable) as caught,
    ):
        wms.put_article({"articleNumber": "A"})
    assert caught.value.status == 503
    assert "3 attempt(s)" in caught.value.message and "An error has occurred." in caught.value.message
    assert wms.stats.requests == 3 and len(sleeps.waits) == 2


def test_timeouts_are_retried_and_a_slow_write_is_not_duplicated(sandbox, sleeps):
    sandbox.set_faults(script=["slow"], slow_seconds=1.0, phase="after")
    with OngoingClient(sandbox.base_url, "demo", "demo-pass", GOODS_OWNER, timeout=0.3, sleep=sleeps) as wms:
        result = wms.put_article({"articleNumber": "SLOW"})
    assert result["articleSystemId"]
    assert wms.stats.retries >= 1
    assert [a["articleNumber"] for a in sandbox.state.articles(GOODS_OWNER)] == ["SLOW"]


def test_dropped_connection_after_a_write_is_retried_as_an_upsert(sandbox, client):
    client.put_article({"articleNumber": "A"})
    sandbox.set_faults(script=["drop"], phase="after")
    result = client.put_order(order("BL-1", [("A", 2)]))
    assert client.stats.retries == 1
    orders = sandbox.state.orders(GOODS_OWNER)
    assert [o["orderInfo"]["orderId"] for o in orders] == [result["orderId"]]
    assert sandbox.state.article_by_number(GOODS_OWNER, "A")["inventoryInfo"]["numberOfBookedItems"] == 2.0


def test_mixed_20_percent_faults_end_with_exactly_200_articles(sandbox, sleeps):
    sandbox.set_faults(rate=0.2, phase="random", slow_seconds=0.5, seed=20240601)
    results = []
    with OngoingClient(
        sandbox.base_url, "demo", "demo-pass", GOODS_OWNER, timeout=0.25, max_retries=10, sleep=sleeps
    ) as wms:
        for i in range(200):
            results.append(wms.put_article({"articleNumber": f"SKU-{i:03d}", "articleName": f"Item {i}"}))
    assert len(results) == 200 and all(r["articleSystemId"] for r in results)
    articles = sandbox.state.articles(GOODS_OWNER)
    assert sorted(a["articleNumber"] for a in articles) == [f"SKU-{i:03d}" for i in range(200)]
    assert len({r["articleSystemId"] for r in results}) == 200
    faults = sandbox.state.counters
    assert faults["faults"] >= 20 and wms.stats.retries >= faults["faults"]  # one retry per fault
    for kind in ("500", "429", "429_retry_after", "slow", "drop"):
        assert faults[f"faults:{kind}"] > 0, kind


def test_writes_of_one_goods_owner_are_sequential_within_the_process(sandbox):
    sandbox.add_user("demo2", "pw", [GOODS_OWNER, 2])
    sandbox.set_faults(rate=1.0, kinds={"slow": 1}, slow_seconds=0.15, scope="writes")

    def writes(goods_owner_id, prefix):
        with OngoingClient(sandbox.base_url, "demo2", "pw", goods_owner_id, timeout=5) as wms:
            for i in range(2):
                wms.put_article({"articleNumber": f"{prefix}-{i}"})

    def timed(jobs):
        threads = [threading.Thread(target=writes, args=job) for job in jobs]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.monotonic() - started

    same_owner = timed([(GOODS_OWNER, "X"), (GOODS_OWNER, "Y")])
    assert same_owner >= 4 * 0.15  # four slow writes one after another
    other_owners = timed([(GOODS_OWNER, "Z"), (2, "W")])
    assert other_owners < same_owner  # different goods owners do not wait for each other
    assert len(sandbox.state.articles(GOODS_OWNER)) == 6
