"""pytest plugin (loaded with ``-p config.pytest_services``): the test run's PostgreSQL and Redis.

It is imported before pytest-django reads the settings, so when DATABASE_URL / REDIS_URL are not set
the embedded servers are started first and the settings see their addresses.
"""

import pytest

from config.embedded import EmbeddedServiceError, ensure_services

try:
    ensure_services()
except EmbeddedServiceError as exc:
    raise pytest.UsageError(str(exc)) from None
