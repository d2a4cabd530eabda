"""Continuous import: a consumer of the supplier's catalog change events.

When a provider creates, changes or deletes products, every contractor import saved as *keep
importing* from that provider runs for exactly those products: new shared ones are created, changes of
names, texts and images follow, and products that left the shared set (or were deleted) are marked as
no longer shared. A change of many products at once is handed to a task that runs the import in full.
"""

from __future__ import annotations

from changes import registry, topics
from changes.origin import Origin
from connect.models import ConnectImport, ContractorLink

CONSUMER = "connect.import_follow"
TOPICS = (topics.PRODUCT_CREATED, topics.PRODUCT_CHANGED, topics.PRODUCT_DELETED)
FOLLOW_AT_ONCE = 2_000
# Chains of accounts importing from each other stop after this many reactions in a row.
MAX_DEPTH = 5


def _imports_following(provider_account_id: int):
    links = ContractorLink.objects.open().filter(
        provider_account_id=provider_account_id, provider_integration__deleted_at__isnull=True
    )
    return ConnectImport.objects.filter(
        keep_importing=True,
        integration__deleted_at__isnull=True,
        integration__provider_link__in=links.values("pk"),
    )


def follow_wanted(account_id: int, topic: str, payload: dict) -> bool:
    """Only a provider with a contractor that keeps importing gets deliveries."""
    return _imports_following(account_id).exists()


def follow_handle(event) -> None:
    """Run each following import for the event's products (idempotent: a second run finds nothing to
    change)."""
    from connect.imports import connect_import_refresh
    from connect.tasks import connect_import_refresh as refresh_task

    ids = [pk for pk in event.payload.get("product_ids", []) if isinstance(pk, int)]
    if not ids:
        return
    for saved in _imports_following(event.account_id).select_related("integration__provider_link"):
        link = saved.integration.provider_link
        if len(ids) > FOLLOW_AT_ONCE:
            refresh_task.delay_on_commit(saved.pk)
            continue
        origin = Origin.connect(link.pk, saved.integration.display_name, depth=event.origin_depth + 1)
        connect_import_refresh(import_id=saved.pk, only_ids=ids, origin=origin, trigger="change")


def follow_accepts(origin: Origin) -> bool:
    return origin.depth < MAX_DEPTH


def import_follow_register() -> None:
    registry.register(
        CONSUMER, topics=TOPICS, handler=follow_handle, accepts=follow_accepts, wants=follow_wanted
    )
