"""Fault injection for the sandbox Ongoing API: 5xx, 429 (with/without Retry-After), slow answers,
dropped connections and a simple rate limiter. Switchable at runtime, optionally with a seeded RNG.

Faults only ever hit ``/{warehouse}/api/v1/…`` requests, never the ``/_sandbox/`` control endpoints.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

FAULT_KINDS = ("500", "502", "503", "429", "429_retry_after", "slow", "drop", "success_false")
PHASES = ("before", "after", "random")
SCOPES = ("all", "writes", "reads")


@dataclass
class FaultConfig:
    """What to inject.

    rate      share (0..1) of API requests that get a fault, chosen by weight from ``kinds``.
    kinds     weights per kind: "500", "502", "503" (server error, body ``{"Message": ...}``),
              "429" (no Retry-After), "429_retry_after" (``Retry-After: retry_after``), "slow" (answer
              after ``slow_seconds``), "drop" (close the connection without an answer), "success_false"
              (file/tracking/parcel writes answer 200 ``{"success": false}`` and save nothing; other
              requests are not affected). Default weights: all kinds 1 except success_false 0.
    phase     "before" the request is processed (nothing written), "after" (a write was performed and
              its answer is lost/replaced — the client's retry must be an upsert), or "random" (50/50).
              Reads always get their fault before.
    scope     "all", "writes" (PUT/POST/PATCH/DELETE) or "reads" (GET).
    script    faults forced on the next requests in order, before ``rate`` applies ("none" = no fault),
              e.g. ``["429_retry_after", "drop"]`` — deterministic tests.
    rate_limit_calls / rate_limit_window
              when set: more than N calls of one method+route in the sliding window answer 429 with
              Retry-After until the window frees up (Ongoing's volume limiter).
    """

    rate: float = 0.0
    kinds: dict[str, float] = field(
        default_factory=lambda: {**dict.fromkeys(FAULT_KINDS, 1.0), "success_false": 0.0}
    )
    phase: str = "before"
    scope: str = "all"
    slow_seconds: float = 2.0
    retry_after: int = 1
    seed: int | None = None
    script: list[str] = field(default_factory=list)
    rate_limit_calls: int | None = None
    rate_limit_window: float = 60.0

    def validate(self) -> None:
        if not 0.0 <= float(self.rate) <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        unknown = (set(self.kinds) | set(self.script)) - set(FAULT_KINDS) - {"none"}
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}; known: {list(FAULT_KINDS)}")
        if self.rate and not any(w > 0 for w in self.kinds.values()):
            raise ValueError("at least one fault kind needs a positive weight")
        if self.phase not in PHASES:
            raise ValueError(f"phase must be one of {PHASES}")
        if self.scope not in SCOPES:
            raise ValueError(f"scope must be one of {SCOPES}")


@dataclass(frozen=True)
class Fault:
    kind: str
    phase: str  # "before" or "after"
    retry_after: int | None = None
    slow_seconds: float = 0.0


class FaultInjector:
    """Thread-safe decision maker: ``decide()`` is called once per API request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.config = FaultConfig()
        self._rng = random.Random()
        self._calls: dict[str, deque[float]] = {}

    def configure(self, config: FaultConfig | None = None, **changes: Any) -> FaultConfig:
        """Replace the configuration (``config``) or change some fields of the current one."""
        with self._lock:
            base = config if config is not None else self.config
            data = {**asdict(base), **changes}
            new = FaultConfig(**data)
            new.script = list(new.script)
            new.validate()
            self.config = new
            self._rng = random.Random(new.seed)
            self._calls = {}
            return new

    def reset(self) -> None:
        self.configure(FaultConfig())

    @property
    def active(self) -> bool:
        config = self.config
        return bool(config.rate or config.script or config.rate_limit_calls)

    def decide(self, *, is_write: bool, route: str) -> Fault | None:
        config = self.config
        if not (config.rate or config.script or config.rate_limit_calls):
            return None
        if config.scope == "writes" and not is_write or config.scope == "reads" and is_write:
            return None
        with self._lock:
            kind = None
            if config.script:
                kind = config.script.pop(0)
                kind = None if kind == "none" else kind
            elif config.rate_limit_calls:
                kind = self._rate_limited(route, config)
                if kind:
                    window = self._calls[route]
                    wait = max(1, int(window[0] + config.rate_limit_window - time.monotonic() + 0.999))
                    return Fault("429_retry_after", "before", retry_after=wait)
            if kind is None and config.rate and self._rng.random() < config.rate:
                kinds = [k for k, w in config.kinds.items() if w > 0]
                kind = self._rng.choices(kinds, weights=[config.kinds[k] for k in kinds])[0]
            if kind is None:
                return None
            phase = config.phase
            if phase == "random":
                phase = "after" if self._rng.random() < 0.5 else "before"
            if not is_write:
                phase = "before"
            return Fault(
                kind,
                phase,
                retry_after=config.retry_after if kind == "429_retry_after" else None,
                slow_seconds=config.slow_seconds,
            )

    def _rate_limited(self, route: str, config: FaultConfig) -> str | None:
        now = time.monotonic()
        window = self._calls.setdefault(route, deque())
        while window and window[0] <= now - config.rate_limit_window:
            window.popleft()
        if len(window) >= (config.rate_limit_calls or 0):
            return "429_retry_after"
        window.append(now)
        return None
