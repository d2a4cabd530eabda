"""Celery tasks of Connect: load by id, call a service."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage


@shared_task(acks_late=True, reject_on_worker_lost=True)
def connect_link_resync(link_id: int, kinds: list[str] | None = None) -> dict:
    """Recompute a link's synced stock and/or prices (its settings, price group, state or credit
    changed). Idempotent: it writes current values, only where they differ."""
    from connect.sync import PRICES, STOCK, link_resync_full

    wanted = tuple(kind for kind in (STOCK, PRICES) if kinds is None or kind in kinds)
    return link_resync_full(link_id=link_id, kinds=wanted)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def connect_link_check(link_id: int) -> dict:
    """The reconciliation of one link: repair what drifted and store what was repaired. Idempotent."""
    from connect.sync import link_check

    return link_check(link_id=link_id)


@shared_task
def connect_sync_check() -> int:
    """Every 15 minutes: one reconciliation task per link with stock or price sync on."""
    from connect.sync import links_to_check

    link_ids = links_to_check()
    for link_id in link_ids:
        connect_link_check.delay(link_id)
    return len(link_ids)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def connect_import_job_run(job_id: int) -> str:
    """Run a Connect import job with live progress. Safe to deliver twice: a finished job is skipped, an
    interrupted one runs again (matching by link; unchanged rows are not written)."""
    from connect.imports import connect_import_job_run as run

    job = run(job_id=job_id)
    return job.status if job is not None else "skipped"


@shared_task(acks_late=True, reject_on_worker_lost=True)
def connect_import_refresh(import_id: int) -> str:
    """One continuous import in full (a supplier change too large to follow product by product)."""
    from connect.imports import connect_import_refresh as refresh

    return "ran" if refresh(import_id=import_id, trigger="change") is not None else "skipped"


@shared_task
def connect_imports_refresh_all() -> int:
    """Every 15 minutes: each continuous import whose link is open runs in full (new shared products
    appear, changes follow, products no longer shared are marked)."""
    from connect.imports import connect_imports_refresh_all as refresh_all

    return refresh_all()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def connect_mail_send(to: list[str], subject: str, body: str, reply_to: list[str]) -> bool:
    """Send one e-mail the directory queued after its commit (a message from Get in touch, a new or
    answered connection request, a verification result). Running it twice sends the mail twice: a
    worker lost mid-send redelivers rather than drops it."""
    EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=reply_to or None,
    ).send()
    return True
