"""Run one delivery of the automatic actions in a process that dies (SIGKILL) after the rules' writes,
before the delivery is marked done.

Usage: python tests/orders/killed_automation.py DELIVERY_ID  (DATABASE_URL points at the test database)
"""

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from changes import registry  # noqa: E402
from changes.services import delivery_run  # noqa: E402
from orders import automation  # noqa: E402

consumer = registry.consumer(automation.CONSUMER)


def handler(event):
    consumer.handler(event)
    os.kill(os.getpid(), signal.SIGKILL)


registry.register(
    automation.CONSUMER,
    topics=consumer.topics,
    handler=handler,
    accepts=consumer.accepts,
    wants=consumer.wants,
)
delivery_run(delivery_id=int(sys.argv[1]))
