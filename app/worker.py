"""The background worker: Huey, on SQLite by default and on Redis in production.

Huey is small, well kept, and has both backends Plume needs behind one API: `SqliteHuey`
(a file under instance/, so the embedded default needs no server) and `RedisHuey`
(PLUME_QUEUE_URL=redis://…, shared by every host). `memory://` keeps the queue in the
process (tests).

The queue only carries nudges. What must not be lost lives in the database: a notification
row is the outbox, so a lost nudge, a dead worker or a down SMTP server delays mail and
never loses it — the periodic sweep finds what is still unmailed. The same holds for export
jobs (a queued job is the record) and for the comments a save left to re-anchor (an open,
quoted comment not anchored on its section's latest revision is the record).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.exceptions import HueyException

from app.config import ROOT

log = logging.getLogger("plume.worker")

# Delivery retried with backoff while SMTP is down: 10 s, 20 s, 40 s… about 3 hours in all.
DELIVERY_RETRIES = 10
DELIVERY_RETRY_DELAY = 10
DELIVERY_BACKOFF = 2


def queue_url() -> str:
    return os.environ.get("PLUME_QUEUE_URL", "")


def make_huey(url: str | None = None):
    """The Huey instance PLUME_QUEUE_URL names (SQLite under instance/ when it names none)."""
    url = queue_url() if url is None else url
    # Two installations (or two test runs) sharing one Redis keep apart by name.
    name = os.environ.get("PLUME_QUEUE_NAME", "plume")
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, utc=True)
    if url.startswith("memory://"):
        return MemoryHuey(name, utc=True)
    path = url.removeprefix("sqlite:///") if url else str(ROOT / "instance" / "queue.sqlite3")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=path, utc=True)


def describe(url: str | None = None) -> str:
    url = queue_url() if url is None else url
    if url.startswith(("redis://", "rediss://", "unix://")):
        return "Redis"
    if url.startswith("memory://"):
        return "memory (this process only)"
    return "SQLite (instance/queue.sqlite3)" if not url else f"SQLite ({url})"


huey = make_huey()

# The Flask app the tasks run in; `plume worker` sets it, or the first task makes one.
_app = {"app": None}


def use_app(app) -> None:
    _app["app"] = app


def _context():
    app = _app["app"]
    if app is None:
        from app import create_app

        app = _app["app"] = create_app()
    return app.app_context()


@huey.task(retries=DELIVERY_RETRIES, retry_delay=DELIVERY_RETRY_DELAY, retry_backoff=2)
def deliver() -> int:
    """Mail every notification due at once that is not mailed yet."""
    from app import mail

    with _context():
        return mail.deliver_pending()


@huey.periodic_task(crontab(minute="*"))
def sweep() -> int:
    """Every minute: the exports, re-anchoring and mail that a lost nudge or a failure left
    behind."""
    from app import mail

    with _context() as context:
        _queued_exports(context.app)
        _left_reanchoring()
        try:
            return mail.deliver_pending()
        except mail.MailUnavailable:
            log.warning("SMTP unavailable; mail waits in the outbox")
            return 0


def daily_jobs() -> None:
    """The reminders, then the digests, then the mail they made. Each reminder and digest
    is claimed by a unique row first, so running this hourly (or twice) repeats nothing."""
    from app import mail
    from app.db import session
    from app.services import reminders

    reminders.send_reminders()
    session.commit()
    try:
        mail.deliver_digests()
        mail.deliver_pending()
    except mail.MailUnavailable:
        log.warning("SMTP unavailable; reminders and digests wait in the outbox")


@huey.periodic_task(crontab(minute="7"))
def hourly() -> None:
    """Every hour: the daily jobs that are due (a late or restarted worker catches up)."""
    with _context():
        daily_jobs()


@huey.task()
def make_export(job_id: int) -> None:
    """Make one queued export; never retried (a failure is recorded on the job)."""
    from pathlib import Path

    from app.services import exports

    with _context() as context:
        exports.run_export_job(job_id, Path(context.app.config["EXPORTS_DIR"]))


def enqueue_export(job_id: int) -> None:
    try:
        make_export(job_id)
    except (HueyException, OSError) as exc:
        log.warning("could not enqueue export job %s (%s); the sweep will make it", job_id, exc)


def _queued_exports(app) -> None:
    from pathlib import Path

    from app.services import exports

    exports.run_queued_jobs(Path(app.config["EXPORTS_DIR"]))


@huey.task()
def reanchor(section_id: int, author_id: int | None) -> None:
    """Carry the comments a save left for later onto the section's latest revision."""
    from app.db import session
    from app.services import reviews

    with _context():
        try:
            reviews.finish_reanchoring(section_id, author_id)
            session.commit()
        except Exception:
            session.rollback()
            raise


def enqueue_reanchoring(section_id: int, author_id: int | None) -> None:
    try:
        reanchor(section_id, author_id)
    except (HueyException, OSError) as exc:
        log.warning(
            "could not enqueue re-anchoring of section %s (%s); the sweep will", section_id, exc
        )


def _left_reanchoring() -> int:
    """Finish every section's re-anchoring still waiting (its nudge lost); how many sections."""
    from app.db import session
    from app.services import reviews

    waiting = reviews.sections_left_reanchoring()
    for section_id, author_id in waiting:
        try:
            reviews.finish_reanchoring(section_id, author_id)
            session.commit()
        except Exception:
            session.rollback()
            log.exception("re-anchoring section %s failed; the next sweep tries again", section_id)
    return len(waiting)


def enqueue_delivery() -> None:
    """Nudge the worker; if the queue itself is down, the sweep will find the mail."""
    try:
        deliver()
    except (HueyException, OSError) as exc:
        log.warning("could not enqueue mail delivery (%s); the sweep will send it", exc)


def run_burst(app, *, include_periodic: bool = True) -> int:
    """Do what is due and return: every queued task, then one sweep (`plume worker --burst`).

    A task that fails is not retried here; the outbox keeps its mail for the next run. Export
    jobs still queued and comments still re-anchoring (their nudge lost) are finished whatever
    `include_periodic` says: a job is taken once, and a comment carried over by its task is
    no longer waiting.
    """
    use_app(app)
    done = 0
    while True:
        task = huey.dequeue()
        if task is None:
            break
        try:
            huey.execute(task)
        except Exception:
            log.exception("task %s failed", task)
        done += 1
    with app.app_context():
        _queued_exports(app)
        _left_reanchoring()
        if include_periodic:
            daily_jobs()
    return done + include_periodic


def run_consumer(app, workers: int = 2) -> None:
    """The long-running worker (`plume worker`): Huey's consumer, periodic tasks included."""
    use_app(app)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
    consumer.run()
