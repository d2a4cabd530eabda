"""Sequential PUT /articles throughput: OngoingClient against the sandbox Ongoing WMS.

    .venv/bin/python bench/wms_sandbox_throughput.py [--requests 20000] [--separate-process]

Prints requests/s of OngoingClient and, as the baseline measured in the same run, of a bare
``http.client`` keep-alive connection doing the same PUTs (the ratio shows the client's overhead).
With ``--separate-process`` the sandbox runs in its own process (no shared GIL with the client).
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import logging
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The sandbox listens on loopback, which the WMS client may only reach when allowed.
os.environ.setdefault("HURTLINK_OUTBOUND_ALLOWED_HOSTS", "127.0.0.1")

from wmsbridge.client import OngoingClient  # noqa: E402
from wmsbridge.sandbox import SandboxServer  # noqa: E402

SERVE = """
import sys, time
sys.path.insert(0, {root!r})
from wmsbridge.sandbox import SandboxServer
server = SandboxServer(port=0)
server.start()
server.add_user("bench", "bench", [1])
print(server.port, flush=True)
sys.stdin.read()
server.stop()
"""


def article(prefix: str, i: int) -> dict:
    return {
        "goodsOwnerId": 1,
        "articleNumber": f"{prefix}-{i:06d}",
        "articleName": f"Article {i}",
        "weight": 1.5,
    }


def run_baseline(port: int, count: int) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port)
    headers = {
        "Authorization": "Basic " + base64.b64encode(b"bench:bench").decode(),
        "Content-Type": "application/json",
    }
    started = time.perf_counter()
    for i in range(count):
        connection.request(
            "PUT", "/sandbox/api/v1/articles", body=json.dumps(article("RAW", i)), headers=headers
        )
        response = connection.getresponse()
        response.read()
        assert response.status == 200
    elapsed = time.perf_counter() - started
    connection.close()
    return count / elapsed


def run_client(port: int, count: int) -> tuple[float, OngoingClient]:
    client = OngoingClient(f"http://127.0.0.1:{port}/sandbox/", "bench", "bench", 1, timeout=30)
    started = time.perf_counter()
    for i in range(count):
        client.put_article(article("CLIENT", i))
    elapsed = time.perf_counter() - started
    client.close()
    return count / elapsed, client


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--separate-process", action="store_true")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    process = server = None
    if args.separate_process:
        process = subprocess.Popen(
            [sys.executable, "-c", SERVE.format(root=root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        port = int(process.stdout.readline())
    else:
        server = SandboxServer(port=0)
        server.start()
        server.add_user("bench", "bench", [1])
        port = server.port
    try:
        baseline = run_baseline(port, args.requests)
        rate, client = run_client(port, args.requests)
    finally:
        if process is not None:
            process.stdin.close()
            process.wait(timeout=30)
        if server is not None:
            counted = server.state.counters["writes"]
            server.stop()
            assert counted == 2 * args.requests, counted
    where = "separate process" if args.separate_process else "same process (shared GIL)"
    print(f"sandbox in {where}, {args.requests} sequential PUT /articles each")
    print(f"  baseline http.client : {baseline:8.0f} req/s")
    print(f"  OngoingClient        : {rate:8.0f} req/s  ({rate / baseline:.2f} × baseline)")
    print(f"  client stats         : {client.stats}")


if __name__ == "__main__":
    main()
