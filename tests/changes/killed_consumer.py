"""Run one delivery in a process that dies (SIGKILL) inside the consumer's handler, after its write.

Usage: python tests/changes/killed_consumer.py DELIVERY_ID  (DATABASE_URL points at the test database)
"""

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from catalog.models import Tag  # noqa: E402
from changes import registry, topics  # noqa: E402
from changes.services import delivery_run  # noqa: E402


def handler(event):
    Tag.objects.get_or_create(account_id=event.account_id, name=f"seen {event.pk}")
    os.kill(os.getpid(), signal.SIGKILL)


registry.register("test-tags", topics=[topics.PRODUCT_CHANGED], handler=handler)
delivery_run(delivery_id=int(sys.argv[1]))
