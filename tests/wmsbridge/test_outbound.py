"""A WMS connection's URL cannot make the server reach itself, its private network or a metadata service.

Addresses are checked after DNS resolution, on the address actually connected to, and the refusal reads
the same whatever listens at the address. The operator may allow named hosts (the demo's sandbox).
Tests here turn off the test run's loopback allowance (``settings.OUTBOUND_ALLOWED_HOSTS``).
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from django.urls import reverse

from tests.wmsbridge.test_sync_fixtures import (  # noqa: F401 - fixtures
    GOODS_OWNER_A,
    inventory_of,
    make_connection,
    make_product,
    sandbox_fixture,
    status_of,
    sync,
)
from wmsbridge.client import OngoingClient, WmsError
from wmsbridge.models import SyncRun, WmsConnection
from wmsbridge.services import connection_test

REFUSED = "This address is not allowed"


@pytest.fixture
def nothing_allowed(settings):
    settings.OUTBOUND_ALLOWED_HOSTS = []


def _port(url: str) -> int:
    return httpx.URL(url).port


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _sandbox_requests(sandbox) -> int:
    return sandbox.state.counters.get("received", 0)


def _legacy_connection(account, url: str, name: str) -> WmsConnection:
    """A connection row whose URL was never checked (saved before the check existed, or its host's DNS
    changed since): what reaches the WMS must still be refused when it connects."""
    connection = WmsConnection(
        account=account,
        name=name,
        base_url=url,
        api_user="alpha",
        goods_owner_id=GOODS_OWNER_A,
        inventory=inventory_of(account),
    )
    connection.password = "alpha-pass"
    connection.save()
    return connection


def _form(account, url: str) -> dict:
    return {
        "name": "Warehouse",
        "base_url": url,
        "api_user": "alpha",
        "password": "alpha-pass",
        "goods_owner_id": GOODS_OWNER_A,
        "inventory": inventory_of(account).pk,
        "export_statuses": [status_of(account, "new").pk],
        "label_courier": "hurtlink",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8100/sandbox/",  # loopback
        "http://localhost/wh/",  # a name that resolves to loopback
        "http://2130706433/wh/",  # 127.0.0.1 written as one number
        "http://[::1]/wh/",
        "http://[::ffff:127.0.0.1]/wh/",  # IPv4-mapped loopback
        "http://10.1.2.3/wh/",  # RFC 1918
        "http://172.16.5.4/wh/",
        "https://192.168.1.10/wh/",
        "http://[fc00::1]/wh/",  # unique local
        "http://169.254.169.254/latest/meta-data/",  # link-local / cloud metadata
        "http://[fd00:ec2::254]/latest/",  # AWS metadata over IPv6
        "http://[fe80::1]/wh/",
        "http://100.64.0.1/wh/",  # CGNAT
        "http://0.0.0.0/wh/",
        "http://224.0.0.1/wh/",  # multicast
        "http://[2002:7f00:1::1]/wh/",  # 6to4 wrapping 127.0.0.1
    ],
)
def test_saving_a_connection_to_a_refused_address_is_a_field_error(account_a, client_a, nothing_allowed, url):
    response = client_a.post(reverse("wmsbridge:connection-create"), _form(account_a, url))

    assert response.status_code == 200
    form = response.context["form"]
    assert REFUSED in " ".join(form.errors["base_url"])
    assert not WmsConnection.objects.exists()


@pytest.mark.django_db
def test_a_public_address_is_accepted_and_the_api_refuses_a_metadata_address(
    account_a, api_a, nothing_allowed, settings
):
    payload = {
        "name": "Public",
        "base_url": "https://93.184.215.14/wh/",
        "api_user": "alpha",
        "password": "alpha-pass",
        "goods_owner_id": GOODS_OWNER_A,
        "inventory": inventory_of(account_a).pk,
    }
    created = api_a.post("/api/v1/wms-connections/", payload, format="json")
    assert created.status_code == 201, created.content

    # Metadata endpoints stay refused even when an operator lists them.
    settings.OUTBOUND_ALLOWED_HOSTS = ["169.254.169.254"]
    patched = api_a.patch(
        f"/api/v1/wms-connections/{created.json()['id']}/",
        {"base_url": "http://169.254.169.254/latest/"},
        format="json",
    )
    assert patched.status_code == 400
    assert REFUSED in " ".join(patched.json()["errors"]["base_url"])
    assert WmsConnection.objects.get().base_url == "https://93.184.215.14/wh/"


@pytest.mark.django_db(transaction=True)
def test_test_connection_gives_one_message_for_open_closed_and_missing_ports(
    account_a, client_a, api_a, sandbox, nothing_allowed
):
    targets = {
        "open": sandbox.base_url,
        "closed": f"http://127.0.0.1:{_closed_port()}/sandbox/",
        "404": f"{sandbox.root_url}/no-such-warehouse/",
    }
    messages = {}
    for name, url in targets.items():
        connection = _legacy_connection(account_a, url, name)
        page = client_a.post(reverse("wmsbridge:connection-test", args=[connection.pk]), follow=True)
        messages[name] = [str(m) for m in page.context["messages"]]
        api = api_a.post(f"/api/v1/wms-connections/{connection.pk}/test/").json()
        assert (api["ok"], api["reason"]) == (False, "refused")

    assert messages["open"] == messages["closed"] == messages["404"]
    assert REFUSED in messages["open"][0]
    assert _sandbox_requests(sandbox) == 0


@pytest.mark.django_db(transaction=True)
def test_a_sync_to_a_refused_address_fails_with_that_message_and_sends_nothing(
    account_a, sandbox, nothing_allowed
):
    make_product(account_a, "SKU-1")
    connection = _legacy_connection(account_a, sandbox.base_url, "Legacy")

    runs = sync(connection)

    assert [r.status for r in runs.values()] == [SyncRun.Status.FAILED]
    assert REFUSED in runs["articles"].messages_shown()[-1]["message"]
    assert _sandbox_requests(sandbox) == 0


@pytest.mark.django_db(transaction=True)
def test_the_operator_allows_exactly_the_listed_host_and_port(account_a, client_a, sandbox, settings):
    settings.OUTBOUND_ALLOWED_HOSTS = [f"127.0.0.1:{_port(sandbox.base_url)}"]
    connection = make_connection(account_a, sandbox)
    assert connection_test(connection=connection).ok

    other = f"http://127.0.0.1:{_closed_port()}/sandbox/"
    response = client_a.post(reverse("wmsbridge:connection-create"), _form(account_a, other))
    assert REFUSED in " ".join(response.context["form"].errors["base_url"])


class _FakeDns:
    """A DNS server whose answers change between lookups of one name (the rebinding attack), for the
    name ``wms.rebind.test`` only; every other lookup goes to the real resolver."""

    NAME = "wms.rebind.test"

    def __init__(self, monkeypatch, answers: list[list[str]]) -> None:
        self.answers = answers
        self.lookups = 0
        self._real = socket.getaddrinfo
        monkeypatch.setattr(socket, "getaddrinfo", self.getaddrinfo)

    def getaddrinfo(self, host, port, *args, **kwargs):
        if host != self.NAME:
            return self._real(host, port, *args, **kwargs)
        addresses = self.answers[min(self.lookups, len(self.answers) - 1)]
        self.lookups += 1
        return [
            (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, int(port or 80)))
            for address in addresses
        ]


def test_a_name_that_rebinds_to_loopback_is_connected_to_at_the_checked_address_only(
    sandbox, nothing_allowed, monkeypatch
):
    # First answer public (passes the check), every later one loopback (where the sandbox listens).
    dns = _FakeDns(monkeypatch, [["93.184.215.14"], ["127.0.0.1"]])
    url = f"http://{_FakeDns.NAME}:{_port(sandbox.base_url)}/sandbox/"
    client = OngoingClient(url, "alpha", "alpha-pass", GOODS_OWNER_A, timeout=0.5, max_retries=0)

    with client, pytest.raises(WmsError) as failed:
        client.test_connection()

    # The connection went to the public address that was checked (unreachable from here), never to a
    # second answer of the resolver.
    assert failed.value.reason in ("network", "unavailable")
    assert dns.lookups == 1
    assert _sandbox_requests(sandbox) == 0


@pytest.mark.django_db
def test_a_name_with_one_public_and_one_private_address_is_refused(
    account_a, sandbox, nothing_allowed, monkeypatch
):
    _FakeDns(monkeypatch, [["93.184.215.14", "127.0.0.1"]])
    url = f"http://{_FakeDns.NAME}:{_port(sandbox.base_url)}/sandbox/"

    check = connection_test(connection=_legacy_connection(account_a, url, "Mixed"))

    assert (check.ok, check.reason) == (False, "refused")
    assert REFUSED in check.message
    assert _sandbox_requests(sandbox) == 0


@pytest.fixture
def redirector():
    """A loopback server answering every request with a redirect to ``redirector.target``."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(302)
            self.send_header("Location", server.target + self.path.split("/api/v1/", 1)[-1])
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.target = ""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
def test_a_redirect_is_reported_and_not_followed(account_a, sandbox, redirector, settings):
    # The redirecting host is allowed; where it points (the sandbox, on another port) is not.
    redirector.target = sandbox.base_url + "api/v1/"
    settings.OUTBOUND_ALLOWED_HOSTS = [f"127.0.0.1:{redirector.server_port}"]
    connection = _legacy_connection(account_a, f"http://127.0.0.1:{redirector.server_port}/wh/", "Hop")

    check = connection_test(connection=connection)

    assert (check.ok, check.reason) == (False, "redirect")
    assert "redirect" in check.message
    assert _sandbox_requests(sandbox) == 0
