"""The sandbox Ongoing WMS behaves like the documented API (real HTTP over loopback, no database)."""

from __future__ import annotations

import base64
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.waiting import wait_for
from wmsbridge.sandbox import SandboxServer

GOODS_OWNER = 1
OTHER_GOODS_OWNER = 2


@pytest.fixture
def sandbox():
    with SandboxServer(port=0, warehouse="sandbox") as server:
        server.add_goods_owner(GOODS_OWNER, "Demo shop")
        server.add_goods_owner(OTHER_GOODS_OWNER, "Other shop")
        server.add_user("demo", "demo-pass", [GOODS_OWNER])
        server.add_user("other", "other-pass", [OTHER_GOODS_OWNER])
        server.state.settings.webhook_retry_delays = [0.05, 0.1, 0.2]
        yield server


@pytest.fixture
def api(sandbox):
    with httpx.Client(base_url=sandbox.api_url, auth=("demo", "demo-pass"), timeout=10) as client:
        yield client


@pytest.fixture
def control(sandbox):
    with httpx.Client(base_url=sandbox.control_url, timeout=10) as client:
        yield client


def put_article(api, number, **fields):
    response = api.put("articles", json={"goodsOwnerId": GOODS_OWNER, "articleNumber": number, **fields})
    assert response.status_code == 200, response.text
    return response.json()["articleSystemId"]


def order_payload(number, lines, **fields):
    return {
        "goodsOwnerId": GOODS_OWNER,
        "orderNumber": number,
        "deliveryDate": "2025-03-01T00:00:00.000+00:00",
        "consignee": {"name": "Jan Kowalski", "city": "Warszawa", "countryCode": "PL"},
        "orderLines": [
            {"rowNumber": str(i + 1), "articleNumber": sku, "numberOfItems": qty}
            for i, (sku, qty) in enumerate(lines)
        ],
        **fields,
    }


def put_order(api, number, lines, **fields):
    response = api.put("orders", json=order_payload(number, lines, **fields))
    assert response.status_code == 200, response.text
    return response.json()["orderId"]


def inventory(api, article_id):
    return api.get(f"articles/{article_id}").json()["inventoryInfo"]


# ----------------------------------------------------------------------------------------- addressing, auth


def test_unknown_warehouse_and_unknown_path_answer_404(sandbox, api):
    root = sandbox.root_url
    wrong_warehouse = httpx.get(f"{root}/otherwh/api/v1/orders/statuses", auth=("demo", "demo-pass"))
    assert wrong_warehouse.status_code == 404
    assert api.get("nosuchthing").status_code == 404
    assert api.get("orders/statuses").status_code == 200


def test_wrong_credentials_answer_401_with_message(sandbox):
    response = httpx.get(f"{sandbox.api_url}orders/statuses", auth=("demo", "wrong"))
    assert response.status_code == 401
    assert response.json()["message"]
    assert httpx.get(f"{sandbox.api_url}orders/statuses").status_code == 401


def test_foreign_goods_owner_is_refused_and_foreign_objects_look_missing(sandbox, api):
    article_id = put_article(api, "SKU-1")
    refused = api.get("articles", params={"goodsOwnerId": OTHER_GOODS_OWNER})
    assert refused.status_code == 403
    assert "goods owner 2" in refused.json()["message"]
    refused_write = api.put("articles", json={"goodsOwnerId": OTHER_GOODS_OWNER, "articleNumber": "X"})
    assert refused_write.status_code == 403
    assert sandbox.state.articles(OTHER_GOODS_OWNER) == []
    # An id belonging to another goods owner answers exactly like an unknown id.
    with httpx.Client(base_url=sandbox.api_url, auth=("other", "other-pass")) as other:
        assert other.get(f"articles/{article_id}").status_code == 404
        assert other.get("articles/999999").status_code == 404


def test_list_endpoints_require_goods_owner_id(api):
    response = api.get("articles")
    assert response.status_code == 400
    assert "goodsOwnerId" in response.json()["message"]
    assert api.get("orders").status_code == 400


# ----------------------------------------------------------------------------------------- articles


def test_put_article_upserts_by_number_with_a_stable_id(sandbox, api):
    first = put_article(api, "SKU-1", articleName="Blue shirt")
    second = put_article(api, "SKU-1", articleName="Blue shirt M")
    other = put_article(api, "SKU-2")
    assert first == second != other
    articles = sandbox.state.articles(GOODS_OWNER)
    assert [a["articleNumber"] for a in articles] == ["SKU-1", "SKU-2"]
    assert articles[0]["articleName"] == "Blue shirt M"
    # PUT by id updates the same article.
    response = api.put(
        f"articles/{first}", json={"goodsOwnerId": GOODS_OWNER, "articleNumber": "SKU-1", "weight": 2}
    )
    assert response.json()["articleSystemId"] == first
    assert api.get(f"articles/{first}").json()["weight"] == 2.0


def test_article_fields_keep_ongoing_spellings_and_accept_numeric_strings(api):
    article_id = put_article(
        api,
        "SKU-1",
        weight="1.5",
        purchasePrice=" 12.40 ",
        purcaseCurrencyCode="SEK",
        unitCode="St",
        stockLimit="3",
    )
    article = api.get(f"articles/{article_id}").json()
    assert article["weight"] == 1.5
    assert article["purchasePrice"] == 12.4
    assert article["purcaseCurrencyCode"] == "SEK"  # Ongoing's spelling, not "purchaseCurrencyCode"
    assert article["unitCode"] == "st"  # normalised like the real server
    assert article["stockLimit"] == 3
    assert article["goodsOwner"] == {"id": GOODS_OWNER, "name": "Demo shop"}
    assert article["articleDataLastUpdated"].endswith("Z")
    bad = api.put("articles", json={"goodsOwnerId": GOODS_OWNER, "articleNumber": "SKU-2", "weight": "heavy"})
    assert bad.status_code == 400
    assert "weight" in bad.json()["message"]
    missing = api.put("articles", json={"goodsOwnerId": GOODS_OWNER, "articleName": "no number"})
    assert missing.status_code == 400


def test_article_paging_is_inclusive_ascending_and_limited(api):
    ids = [put_article(api, f"SKU-{i:02d}") for i in range(25)]
    everything = api.get("articles", params={"goodsOwnerId": GOODS_OWNER}).json()
    assert [a["articleSystemId"] for a in everything] == sorted(ids)  # bare array, all rows when no limit
    page = api.get(
        "articles",
        params={"goodsOwnerId": GOODS_OWNER, "articleSystemIdFrom": ids[5], "maxArticlesToGet": 10},
    ).json()
    assert [a["articleSystemId"] for a in page] == ids[5:15]  # "from" is inclusive
    tail = api.get(
        "articles",
        params={"goodsOwnerId": GOODS_OWNER, "articleSystemIdFrom": ids[20] + 1, "maxArticlesToGet": 10},
    ).json()
    assert [a["articleSystemId"] for a in tail] == ids[21:]
    assert (
        api.get("articles", params={"goodsOwnerId": GOODS_OWNER, "articleSystemIdFrom": ids[-1] + 1}).json()
        == []
    )


def test_article_numbers_filter_uses_repeated_keys_not_csv(api):
    for number in ("A", "B", "C"):
        put_article(api, number)
    repeated = api.get(
        "articles", params=[("goodsOwnerId", GOODS_OWNER), ("articleNumbers", "A"), ("articleNumbers", "C")]
    )
    assert sorted(a["articleNumber"] for a in repeated.json()) == ["A", "C"]
    csv = api.get("articles", params={"goodsOwnerId": GOODS_OWNER, "articleNumbers": "A,C"})
    assert csv.json() == []
    single = api.get("articles", params={"goodsOwnerId": GOODS_OWNER, "articleNumber": "B"}).json()
    assert [a["articleNumber"] for a in single] == ["B"]


def test_stock_info_changed_filter_only_within_24_hours(sandbox, api):
    put_article(api, "A")
    put_article(api, "B")
    since = datetime.now(UTC)
    time.sleep(0.01)
    sandbox.set_stock(GOODS_OWNER, "B", 5)
    changed = api.get(
        "articles", params={"goodsOwnerId": GOODS_OWNER, "stockInfoChangedFrom": since.isoformat()}
    )
    assert [a["articleNumber"] for a in changed.json()] == ["B"]
    too_old = (datetime.now(UTC) - timedelta(hours=25)).isoformat()
    assert (
        api.get("articles", params={"goodsOwnerId": GOODS_OWNER, "stockInfoChangedFrom": too_old}).status_code
        == 400
    )


def test_concurrent_upserts_of_the_same_numbers_create_no_duplicates(sandbox):
    def worker():
        with httpx.Client(base_url=sandbox.api_url, auth=("demo", "demo-pass")) as client:
            for i in range(30):
                client.put("articles", json={"goodsOwnerId": GOODS_OWNER, "articleNumber": f"SKU-{i}"})

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = [a["articleNumber"] for a in sandbox.state.articles(GOODS_OWNER)]
    assert sorted(numbers) == sorted(f"SKU-{i}" for i in range(30))


# ----------------------------------------------------------------------------------------- orders


def test_order_upsert_by_number_replaces_lines_and_keeps_line_ids(sandbox, api):
    put_article(api, "A")
    put_article(api, "B")
    order_id = put_order(api, "BL-1", [("A", 1), ("B", 2)])
    line_ids = {line["rowNumber"]: line["id"] for line in api.get(f"orders/{order_id}").json()["orderLines"]}
    again = put_order(api, "BL-1", [("A", 3)], orderRemark="call first")
    assert again == order_id
    order = api.get(f"orders/{order_id}").json()
    assert [(line["rowNumber"], line["orderedNumberOfItems"]) for line in order["orderLines"]] == [("1", 3.0)]
    assert order["orderLines"][0]["id"] == line_ids["1"]
    assert order["orderInfo"]["orderRemark"] == "call first"
    assert order["consignee"]["name"] == "Jan Kowalski"
    assert len(sandbox.state.orders(GOODS_OWNER)) == 1


def test_order_validation_names_every_problem_and_writes_nothing(sandbox, api):
    article_id = put_article(api, "A")
    sandbox.set_stock(GOODS_OWNER, "A", 10)
    payload = order_payload("BL-1", [("A", 1), ("NOPE", 1)])
    del payload["deliveryDate"]
    response = api.put("orders", json=payload)
    assert response.status_code == 400
    message = response.json()["message"]
    assert "NOPE" in message and "DeliveryDate" in message
    assert sandbox.state.orders(GOODS_OWNER) == []
    assert inventory(api, article_id)["sellableNumberOfItems"] == 10.0
    duplicate_rows = order_payload("BL-2", [("A", 1)])
    duplicate_rows["orderLines"].append({"rowNumber": "1", "articleNumber": "A", "numberOfItems": 1})
    assert api.put("orders", json=duplicate_rows).status_code == 400


def test_order_quantities_accept_numeric_strings(api):
    put_article(api, "A")
    order_id = put_order(api, "BL-1", [("A", "2.5")])
    assert api.get(f"orders/{order_id}").json()["orderInfo"]["orderedNumberOfItems"] == 2.5


def test_stock_is_booked_on_create_released_on_cancel_and_taken_out_on_send(sandbox, api):
    article_id = put_article(api, "A")
    sandbox.set_stock(GOODS_OWNER, "A", 10)
    cancelled = put_order(api, "BL-1", [("A", 3)])
    shipped = put_order(api, "BL-2", [("A", 4)])
    stock = inventory(api, article_id)
    assert (stock["numberOfItems"], stock["sellableNumberOfItems"], stock["numberOfBookedItems"]) == (
        10,
        3,
        7,
    )

    assert api.delete(f"orders/{cancelled}").status_code == 200
    stock = inventory(api, article_id)
    assert (stock["sellableNumberOfItems"], stock["numberOfBookedItems"]) == (6, 4)

    sandbox.set_order_status(shipped, 400)
    stock = inventory(api, article_id)
    assert (
        stock["numberOfItems"],
        stock["sellableNumberOfItems"],
        stock["pickedToBeCollectedNumberOfItems"],
    ) == (
        10,
        6,
        4,
    )
    sandbox.send_order(shipped)
    stock = inventory(api, article_id)
    assert (stock["numberOfItems"], stock["sellableNumberOfItems"], stock["numberOfBookedItems"]) == (6, 6, 0)
    # Sellable stock may go negative when orders exceed stock.
    put_order(api, "BL-3", [("A", 9)])
    assert inventory(api, article_id)["sellableNumberOfItems"] == -3


def test_order_edit_and_cancel_are_refused_once_the_warehouse_started(sandbox, api):
    put_article(api, "A")
    order_id = put_order(api, "BL-1", [("A", 1)])
    sandbox.set_order_status(order_id, 300)
    update = api.put("orders", json=order_payload("BL-1", [("A", 5)]))
    assert update.status_code == 400
    assert "status 300" in update.json()["message"]
    cancel = api.delete(f"orders/{order_id}")
    assert cancel.status_code == 400
    order = api.get(f"orders/{order_id}").json()
    assert order["orderInfo"]["orderStatus"]["number"] == 300
    assert order["orderLines"][0]["orderedNumberOfItems"] == 1.0


def test_cancel_by_number_sets_status_1000_and_can_be_repeated(api):
    put_article(api, "A")
    order_id = put_order(api, "BL-1", [("A", 1)])
    params = {"goodsOwnerId": GOODS_OWNER, "orderNumber": "BL-1"}
    first = api.delete("orders", params=params)
    assert first.status_code == 200 and first.json()["orderId"] == order_id
    assert api.delete("orders", params=params).status_code == 200
    assert api.get(f"orders/{order_id}").json()["orderInfo"]["orderStatus"]["number"] == 1000
    assert (
        api.delete("orders", params={"goodsOwnerId": GOODS_OWNER, "orderNumber": "nope"}).status_code == 404
    )


def test_order_model_uses_documented_spellings_and_localised_status_text(sandbox, api):
    put_article(api, "A", articleName="Shirt", productCode="P-1")
    order_id = put_order(api, "BL-1", [("A", 1)], deliveryDate="2025-03-01")
    sandbox.send_order(order_id, waybill="WB-1", tracking_url="https://track/WB-1")
    order = api.get(f"orders/{order_id}").json()
    info = order["orderInfo"]
    assert info["wayBill"] == "WB-1" and "waybill" not in info
    assert order["tracking"][0]["waybill"] == "WB-1"
    assert info["deliveryDate"] == "2025-03-01"  # date-only echoed as in the official example
    assert info["createdDate"].endswith("Z") and info["shippedTime"].endswith("Z")
    assert info["orderStatus"] == {"number": 450, "text": "Skickad"}
    assert order["orderLines"][0]["article"]["productCode"] == "P-1"
    statuses = api.get("orders/statuses").json()["orderStatuses"]
    assert {"number": 450, "text": "Sent"} in statuses


def test_order_list_filters_by_number_status_and_status_change_and_pages(sandbox, api):
    put_article(api, "A")
    ids = [put_order(api, f"BL-{i}", [("A", 1)]) for i in range(6)]
    since = datetime.now(UTC)
    time.sleep(0.01)
    sandbox.send_order(ids[2])
    sandbox.send_order(ids[4])
    base = {"goodsOwnerId": GOODS_OWNER}
    sent = api.get("orders", params={**base, "orderStatusFrom": 450, "orderStatusTo": 450}).json()
    assert [o["orderInfo"]["orderId"] for o in sent] == [ids[2], ids[4]]
    changed = api.get("orders", params={**base, "orderStatusChangedTimeFrom": since.isoformat()}).json()
    assert [o["orderInfo"]["orderId"] for o in changed] == [ids[2], ids[4]]
    by_number = api.get("orders", params={**base, "orderNumber": "BL-3"}).json()
    assert [o["orderInfo"]["orderId"] for o in by_number] == [ids[3]]
    page = api.get("orders", params={**base, "orderIdFrom": ids[1], "maxOrdersToGet": 2}).json()
    assert [o["orderInfo"]["orderId"] for o in page] == ids[1:3]
    too_old = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    assert api.get("orders", params={**base, "orderUpdatedTimeFrom": too_old}).status_code == 400


def test_order_create_answers_201_when_switched(sandbox, api):
    put_article(api, "A")
    sandbox.configure(order_create_status_code=201)
    assert api.put("orders", json=order_payload("BL-1", [("A", 1)])).status_code == 201
    assert api.put("orders", json=order_payload("BL-1", [("A", 2)])).status_code == 200


# ----------------------------------------------------------------------------------------- files, tracking


def test_file_put_by_name_replaces_while_post_always_adds(api):
    put_article(api, "A")
    order_id = put_order(api, "BL-1", [("A", 1)])
    label = {"mimeType": "application/pdf", "fileDataBase64": base64.b64encode(b"%PDF-1 v1").decode()}
    first = api.put(f"orders/{order_id}/files", params={"fileName": "label-BL-1.pdf"}, json=label).json()
    label["fileDataBase64"] = base64.b64encode(b"%PDF-1 v2").decode()
    second = api.put(f"orders/{order_id}/files", params={"fileName": "label-BL-1.pdf"}, json=label).json()
    assert first["success"] is True and second["success"] is True
    assert first["fileId"] == second["fileId"]
    files = api.get(f"orders/{order_id}/files").json()
    assert len(files) == 1 and base64.b64decode(files[0]["fileDataBase64"]) == b"%PDF-1 v2"
    api.post(f"orders/{order_id}/files", json={**label, "fileName": "extra.pdf"})
    api.post(f"orders/{order_id}/files", json={**label, "fileName": "extra.pdf"})
    assert len(api.get(f"orders/{order_id}/files").json()) == 3
    bad = api.put(
        f"orders/{order_id}/files", params={"fileName": "x.pdf"}, json={"mimeType": "application/pdf"}
    )
    assert bad.status_code == 400


def test_tracking_is_upserted_by_waybill_and_waybill_patch_fills_order_info(api):
    put_article(api, "A")
    order_id = put_order(api, "BL-1", [("A", 1)])
    body = {"waybill": "00370712345", "trackingUrl": "https://t/1", "isReturnTracking": False}
    assert api.put(f"orders/{order_id}/orderTracking", json=body).json()["success"] is True
    body["trackingUrl"] = "https://t/2"
    assert api.put(f"orders/{order_id}/orderTracking", json=body).json()["success"] is True
    patched = api.patch(f"orders/{order_id}/waybill", json={"waybill": "00370712345"}).json()
    assert patched["orderId"] == order_id
    order = api.get(f"orders/{order_id}").json()
    assert [(t["waybill"], t["trackingUrl"]) for t in order["tracking"]] == [("00370712345", "https://t/2")]
    assert order["orderInfo"]["wayBill"] == "00370712345"
    assert api.put(f"orders/{order_id}/orderTracking", json={"waybill": "x"}).status_code == 400
    parcel = api.put(
        f"orders/{order_id}/parcels", json={"parcelNumber": "P1", "transportAdministrationType": "X"}
    )
    assert parcel.json()["success"] is True


def test_tracking_without_a_url_is_refused_as_ongoing_does(api):
    put_article(api, "A")
    order_id = put_order(api, "BL-1", [("A", 1)])
    for url in ("", None):
        body = {"waybill": "00370712345", "trackingUrl": url, "isReturnTracking": False}
        refused = api.put(f"orders/{order_id}/orderTracking", json=body)
        assert refused.status_code == 400
        assert refused.json() == {"message": "The TrackingUrl field is required."}
    assert api.get(f"orders/{order_id}").json()["tracking"] == []


def test_a_posted_file_with_printing_info_is_printed_once_and_put_by_name_never_prints(sandbox, api):
    put_article(api, "A")
    order_id = put_order(api, "BL-1", [("A", 1)])
    label = {"mimeType": "application/pdf", "fileDataBase64": base64.b64encode(b"%PDF-1").decode()}
    printing = {"advanced": {"printingInfo": {"reportId": 12, "printAsWorkstation": {"workstationId": 7}}}}

    posted = api.post(f"orders/{order_id}/files", json={**label, "fileName": "label.pdf", **printing}).json()
    api.put(f"orders/{order_id}/files", params={"fileName": "other.pdf"}, json={**label, **printing})

    jobs = sandbox.state.orders_by_id[order_id].print_jobs
    assert [(j["fileId"], j["workstationId"], j["reportId"], j["userId"]) for j in jobs] == [
        (posted["fileId"], 7, 12, None)
    ]
    nowhere = {"advanced": {"printingInfo": {"reportId": 12}}}
    assert (
        api.post(f"orders/{order_id}/files", json={**label, "fileName": "x.pdf", **nowhere}).status_code
        == 400
    )
    wrong = {"advanced": {"printingInfo": {"printAsWorkstation": {"workstationId": "seven"}}}}
    assert (
        api.post(f"orders/{order_id}/files", json={**label, "fileName": "y.pdf", **wrong}).status_code == 400
    )


# ----------------------------------------------------------------------------------------- webhooks


class _Receiver:
    """A tiny webhook receiver: records bodies, answers 500 to the first ``fail_first`` requests."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.calls: list[dict] = []
        self.headers: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append(json.loads(body))
                receiver.headers.append(dict(self.headers))
                status = 500 if len(receiver.calls) <= receiver.fail_first else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/secret-123"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    instances = []

    def make(fail_first=0):
        instance = _Receiver(fail_first)
        instances.append(instance)
        return instance

    yield make
    for instance in instances:
        instance.close()


def test_status_webhook_is_retried_with_the_same_event_id_until_delivered(sandbox, api, receiver):
    hook = receiver(fail_first=2)
    sandbox.add_webhook(GOODS_OWNER, hook.url, statuses=[450], headers={"X-Auth-Token": "s3cret"})
    put_article(api, "A")
    order_id = put_order(api, "BL-1", [("A", 1)])
    sandbox.set_order_status(order_id, 400)  # not a subscribed status
    sandbox.send_order(order_id, waybill="WB-9")
    wait_for(lambda: len(hook.calls) == 3, what="webhook delivered after two failures")
    assert len({call["webhookEventId"] for call in hook.calls}) == 1
    payload = hook.calls[-1]
    assert payload["orderId"] == order_id and payload["orderNumber"] == "BL-1"
    assert payload["orderStatus"] == {"number": 450}  # no text in webhook payloads
    assert payload["goodsOwnerId"] == GOODS_OWNER and payload["system"] == "sandbox"
    assert payload["tracking"][0]["waybill"] == "WB-9"
    assert "Z" not in payload["timestamp"] and len(payload["timestamp"].split(".")[1]) == 7
    assert hook.headers[-1]["X-Auth-Token"] == "s3cret"
    assert [entry["delivered"] for entry in sandbox.state.webhook_log] == [False, False, True]


def test_webhook_can_deliver_every_event_twice(sandbox, api, receiver):
    hook = receiver()
    sandbox.add_webhook(GOODS_OWNER, hook.url, events=["created", "status"], duplicate=True)
    put_article(api, "A")
    order_id = put_order(api, "BL-1", [("A", 1)])
    sandbox.send_order(order_id)
    wait_for(lambda: len(hook.calls) == 4, what="two events delivered twice each")
    assert sandbox.wait_for_webhooks()
    event_ids = [call["webhookEventId"] for call in hook.calls]
    first, second = sorted(set(event_ids))
    assert sorted(event_ids) == [first, first, second, second]  # each event id arrives exactly twice
    assert {call["webhookTemplate"] for call in hook.calls} == {"OrderCreated", "OrderStatusChanged"}


def test_shipment_webhook_fires_when_the_order_is_collected(sandbox, api, receiver):
    hook = receiver()
    sandbox.add_webhook(GOODS_OWNER, hook.url, kind="shipment")
    put_article(api, "A")
    order_id = put_order(api, "BL-1", [("A", 1)], consignee={"name": "X", "countryCode": "SE"})
    sandbox.send_order(order_id)
    assert sandbox.wait_for_webhooks() and hook.calls == []
    sandbox.set_order_status(order_id, 500)
    wait_for(lambda: len(hook.calls) == 1, what="shipment webhook")
    call = hook.calls[0]
    assert call["shipmentOrderNumber"] == "BL-1" and call["consignee"] == {"countryCode": "SE"}
    assert api.get(f"orders/{order_id}").json()["shipmentInfo"]["shipmentId"] == call["shipmentId"]


# ----------------------------------------------------------------------------------------- faults


def test_server_error_fault_answers_5xx_with_aspnet_message(sandbox, api):
    sandbox.set_faults(script=["503", "500"])
    first, second = api.get("orders/statuses"), api.get("orders/statuses")
    assert (first.status_code, second.status_code) == (503, 500)
    assert first.json() == {"Message": "An error has occurred."}
    assert api.get("orders/statuses").status_code == 200


def test_429_fault_with_and_without_retry_after(sandbox, api):
    sandbox.set_faults(script=["429_retry_after", "429"], retry_after=7)
    with_header, without_header = api.get("orders/statuses"), api.get("orders/statuses")
    assert with_header.status_code == 429 and with_header.headers["Retry-After"] == "7"
    assert without_header.status_code == 429 and "Retry-After" not in without_header.headers


def test_slow_fault_exceeds_a_client_timeout(sandbox):
    sandbox.set_faults(script=["slow"], slow_seconds=0.5)
    with httpx.Client(base_url=sandbox.api_url, auth=("demo", "demo-pass"), timeout=0.2) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.get("orders/statuses")
        assert client.get("orders/statuses").status_code == 200


def test_drop_fault_closes_the_connection_and_after_phase_still_writes(sandbox, api):
    sandbox.set_faults(script=["drop"], phase="after")
    with pytest.raises(httpx.RemoteProtocolError):
        api.put("articles", json={"goodsOwnerId": GOODS_OWNER, "articleNumber": "LOST-ANSWER"})
    assert [a["articleNumber"] for a in sandbox.state.articles(GOODS_OWNER)] == ["LOST-ANSWER"]
    sandbox.set_faults(script=["drop"], phase="before")
    with pytest.raises(httpx.RemoteProtocolError):
        api.put("articles", json={"goodsOwnerId": GOODS_OWNER, "articleNumber": "NEVER-WRITTEN"})
    assert len(sandbox.state.articles(GOODS_OWNER)) == 1
    assert sandbox.state.counters["faults:drop"] == 2


def test_rate_limit_answers_429_with_retry_after_after_n_calls(sandbox, api):
    sandbox.set_faults(rate_limit_calls=3, rate_limit_window=60)
    codes = [api.get("orders/statuses").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    assert int(api.get("orders/statuses").headers["Retry-After"]) > 0


def test_faults_are_configured_over_the_control_endpoint_and_never_hit_it(sandbox, api, control):
    response = control.patch("faults", json={"rate": 1.0, "kinds": {"503": 1}, "seed": 3})
    assert response.status_code == 200 and response.json()["rate"] == 1.0
    assert api.get("orders/statuses").status_code == 503
    assert control.get("state").status_code == 200
    assert control.patch("faults", json={"rate": 2}).status_code == 400
    control.delete("faults")
    assert api.get("orders/statuses").status_code == 200


# ----------------------------------------------------------------------------------------- control, page


def test_control_endpoints_create_goods_owner_user_and_move_orders(sandbox, control):
    assert control.post("goodsOwners", json={"id": 77, "name": "Shop 77"}).json() == {
        "id": 77,
        "name": "Shop 77",
    }
    assert (
        control.post("users", json={"username": "u77", "password": "p", "goodsOwnerIds": [77]}).status_code
        == 200
    )
    with httpx.Client(base_url=sandbox.api_url, auth=("u77", "p")) as client:
        client.put("articles", json={"goodsOwnerId": 77, "articleNumber": "A"})
        order = {**order_payload("BL-77", [("A", 1)]), "goodsOwnerId": 77}
        order_id = client.put("orders", json=order).json()["orderId"]
        sent = control.post(f"orders/{order_id}/send", json={"waybill": "WB-77"}).json()
        assert sent["orderInfo"]["orderStatus"]["number"] == 450
        assert client.get(f"orders/{order_id}").json()["orderInfo"]["wayBill"] == "WB-77"
        backwards = control.post(f"orders/{order_id}/status", json={"status": 300})
        assert backwards.status_code == 400
    assert control.get("counters").json()["writes"] >= 2


def test_control_endpoints_require_the_admin_token_when_one_is_set():
    with SandboxServer(admin_token="tok") as server:
        assert httpx.get(f"{server.control_url}state").status_code == 403
        assert httpx.get(f"{server.control_url}state", headers={"X-Sandbox-Token": "tok"}).status_code == 200
        assert httpx.get(server.control_url, params={"token": "tok"}).status_code == 200


def test_demo_page_shows_orders_labels_and_moves_them_with_buttons(sandbox, api, control):
    put_article(api, "A")
    order_id = put_order(api, "BL-PAGE", [("A", 1)])
    label = {"mimeType": "application/pdf", "fileDataBase64": base64.b64encode(b"%PDF label").decode()}
    api.put(f"orders/{order_id}/files", params={"fileName": "label-BL-PAGE.pdf"}, json=label)
    api.put(
        f"orders/{order_id}/orderTracking",
        json={"waybill": "TRK-1", "trackingUrl": "https://track.example/TRK-1", "isReturnTracking": False},
    )
    page = control.get("").text
    assert "BL-PAGE" in page and "label-BL-PAGE.pdf" in page and "TRK-1" in page
    assert "Pack &amp; send" in page and "Collected/Delivered" in page
    clicked = control.post(f"ui/orders/{order_id}/status", data={"status": "450"})
    assert clicked.status_code == 303
    assert api.get(f"orders/{order_id}").json()["orderInfo"]["orderStatus"]["number"] == 450
    file_id = api.get(f"orders/{order_id}/files").json()[0]["fileId"]
    download = control.get(f"orders/{order_id}/files/{file_id}")
    assert download.content == b"%PDF label" and download.headers["Content-Type"] == "application/pdf"


def test_state_file_survives_a_restart(tmp_path):
    path = str(tmp_path / "wms.json")
    with SandboxServer(state_file=path) as first:
        first.add_user("demo", "demo", [5])
        with httpx.Client(base_url=first.api_url, auth=("demo", "demo")) as client:
            article_id = client.put("articles", json={"goodsOwnerId": 5, "articleNumber": "A"}).json()[
                "articleSystemId"
            ]
            first.set_stock(5, "A", 4)
            order = {**order_payload("BL-1", [("A", 1)]), "goodsOwnerId": 5}
            order_id = client.put("orders", json=order).json()["orderId"]
    second = SandboxServer(state_file=path)
    with second, httpx.Client(base_url=second.base_url + "api/v1/", auth=("demo", "demo")) as client:
        assert client.get(f"articles/{article_id}").json()["inventoryInfo"]["sellableNumberOfItems"] == 3.0
        assert client.get(f"orders/{order_id}").json()["orderInfo"]["orderNumber"] == "BL-1"
        new_id = client.put("articles", json={"goodsOwnerId": 5, "articleNumber": "B"}).json()[
            "articleSystemId"
        ]
        assert new_id > article_id  # id sequences continue instead of restarting


def test_management_command_runs_the_sandbox_until_sigterm(tmp_path):
    import os
    import signal
    import socket
    import subprocess
    import sys

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    state_file = tmp_path / "state.json"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "run_wms_sandbox",
            "--port",
            str(port),
            "--state-file",
            str(state_file),
            "--goods-owner-id",
            "3",
            "--user",
            "demo",
            "--password",
            "pw",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    )
    try:
        first_line = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/sandbox/" in first_line, (
            process.stderr.read() if not first_line else ""
        )
        response = httpx.put(
            f"http://127.0.0.1:{port}/sandbox/api/v1/articles",
            auth=("demo", "pw"),
            json={"goodsOwnerId": 3, "articleNumber": "A"},
        )
        assert response.status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    assert process.returncode == 0
    saved = json.loads(state_file.read_text())
    assert [a["article_number"] for a in saved["articles"]] == ["A"]


def test_reference_data_and_stock_per_warehouse(sandbox, api):
    put_article(api, "A")
    sandbox.set_stock(GOODS_OWNER, "A", 8)
    warehouses = api.get("warehouses").json()
    assert isinstance(warehouses, list) and warehouses[0]["id"] == 1
    contracts = api.get("transporterContracts", params={"goodsOwnerId": GOODS_OWNER}).json()
    assert contracts and all("transporterCode" in c for c in contracts)
    per_warehouse = api.get("articles/inventoryPerWarehouse", params={"goodsOwnerId": GOODS_OWNER}).json()
    assert per_warehouse[0]["articleNumber"] == "A"
    assert per_warehouse[0]["inventoryPerWarehouse"][0]["sellableNumberOfItems"] == 8.0


def test_put_order_by_id_updates_that_order(sandbox, api):
    put_article(api, "A")
    order_id = put_order(api, "BL-1", [("A", 1)])
    response = api.put(f"orders/{order_id}", json=order_payload("BL-1", [("A", 4)]))
    assert response.status_code == 200 and response.json()["orderId"] == order_id
    assert api.get(f"orders/{order_id}").json()["orderInfo"]["orderedNumberOfItems"] == 4.0
    assert api.put("orders/999999", json=order_payload("BL-1", [("A", 4)])).status_code == 404
