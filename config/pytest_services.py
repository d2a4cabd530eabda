"""pytest plugin (loaded with ``-p config.pytest_services``): the test run's PostgreSQL and Redis.

It is imported before pytest-django reads the settings, so when DATABASE_URL / REDIS_URL are not set
the embedded servers are started first and the settings see their addresses. It also allows outgoing
requests to loopback, where the tests' sandbox WMS listens (tests of the refusal turn that off).
"""

import os

import pytest

from config.embedded import EmbeddedServiceError, ensure_services

# The sandbox WMS of the tests listens on loopback (any port): allow it, as `make run` does for the demo's.
os.environ.setdefault("HURTLINK_OUTBOUND_ALLOWED_HOSTS", "127.0.0.1")

try:
    ensure_services()
except EmbeddedServiceError as exc:
    raise pytest.UsageError(str(exc)) from None
