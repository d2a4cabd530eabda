"""Webhook delivery for the sandbox: one background thread, POST JSON, retries with backoff.

A delivery succeeds on any 2xx. On another status or a connection error it is retried after the
delays in ``SandboxSettings.webhook_retry_delays`` (the real "One day" policy waits 1, 5, 15, 30 min …;
the sandbox uses seconds). Retries and the optional duplicate delivery reuse the same webhookEventId.
Every attempt is recorded in ``SandboxState.webhook_log``.
"""

from __future__ import annotations

import base64
import heapq
import http.client
import itertools
import json
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from .state import SandboxState


class WebhookDispatcher:
    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self._queue: list[tuple[float, int, dict[str, Any]]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="wms-sandbox-webhooks", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def pending(self) -> int:
        with self._cond:
            return len(self._queue)

    def submit(self, events: list[dict[str, Any]]) -> None:
        """Queue deliveries produced by a state change (called after the goods owner lock is released)."""
        now = time.monotonic()
        with self._cond:
            for event in events:
                hook = event["hook"]
                job = {
                    "eventId": event["eventId"],
                    "hook": hook,
                    "body": json.dumps(event["payload"]).encode("utf-8"),
                    "attempt": 0,
                    "copies_left": 1 if hook.get("duplicate") else 0,
                }
                heapq.heappush(self._queue, (now, next(self._seq), job))
            self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopping and (not self._queue or self._queue[0][0] > time.monotonic()):
                    timeout = self._queue[0][0] - time.monotonic() if self._queue else None
                    self._cond.wait(timeout)
                if self._stopping:
                    return
                _, _, job = heapq.heappop(self._queue)
            self._deliver(job)

    def _deliver(self, job: dict[str, Any]) -> None:
        hook = job["hook"]
        job["attempt"] += 1
        status, error = self._post(hook, job["body"])
        ok = status is not None and 200 <= status < 300
        self.state.webhook_log.append(
            {
                "eventId": job["eventId"],
                "webhookId": hook["id"],
                "url": hook["url"],
                "attempt": job["attempt"],
                "status": status,
                "error": error,
                "delivered": ok,
                "time": time.time(),
            }
        )
        delays = self.state.settings.webhook_retry_delays
        if ok:
            if job["copies_left"] > 0:
                job["copies_left"] -= 1
                self._schedule(job, 0.05)
        elif hook.get("retry", True) and job["attempt"] <= len(delays):
            self._schedule(job, float(delays[job["attempt"] - 1]))

    def _schedule(self, job: dict[str, Any], delay: float) -> None:
        with self._cond:
            heapq.heappush(self._queue, (time.monotonic() + delay, next(self._seq), job))
            self._cond.notify_all()

    def _post(self, hook: dict[str, Any], body: bytes) -> tuple[int | None, str | None]:
        url = urlsplit(hook["url"])
        connection_class = (
            http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        )
        headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}
        headers.update(hook.get("headers") or {})
        if hook.get("basicAuth"):
            user, password = hook["basicAuth"]
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        path = url.path or "/"
        if url.query:
            path += "?" + url.query
        connection = connection_class(url.hostname, url.port, timeout=self.state.settings.webhook_timeout)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status, None
        except (OSError, http.client.HTTPException) as exc:
            return None, f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()
