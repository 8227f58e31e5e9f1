"""Everything that moves messages, built once from settings: the store, the event consumers that fill it,
and one sending worker per provider. ``main.create_app`` starts and stops it with the web process."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from pymongo.database import Database
from pymongo.errors import PyMongoError

from contracts.rate_limit_storage import rate_limit_storage
from notify.channels.line import LineProvider
from notify.channels.port import Provider
from notify.channels.sms_http import HttpSmsProvider
from notify.channels.smtp import SmtpProvider
from notify.consumer import BatchConsumer
from notify.intake import Intake, utc_now
from notify.messages.store import MessageStore
from notify.messages.templates import BANGKOK, Templates
from notify.reminders.job import ReminderJob
from notify.reminders.submissions import Submissions
from notify.sending.policy import Backoff, SharedRateLimiter
from notify.sending.ports import DeadLetters, Directory
from notify.sending.worker import Worker
from notify.settings import Settings

TOPICS = ("case-events", "report-events", "staff-events")
log = logging.getLogger(__name__)


def providers(settings: Settings) -> list[tuple[Provider, float]]:
    """Each provider with its rate (sends per second)."""
    return [
        (SmtpProvider(settings.smtp_host, settings.smtp_port, settings.smtp_sender,
                      starttls=settings.smtp_starttls), settings.email_rate),
        (HttpSmsProvider(settings.sms_gateway_url, settings.sms_username, settings.sms_password,
                         settings.sms_sender), settings.sms_rate),
        (LineProvider(settings.line_api_url, settings.line_channel_token), settings.line_rate),
    ]


class Delivery:
    def __init__(self, settings: Settings, db: Database[dict[str, Any]], directory: Directory,
                 dead_letters: DeadLetters, *, clock: Callable[[], datetime] = utc_now,
                 provider_list: list[tuple[Provider, float]] | None = None) -> None:
        self.store = MessageStore(db)
        self.submissions = Submissions(db)
        self.intake = Intake(self.store, clock=clock, submissions=self.submissions)
        self.reminders = ReminderJob(self.store, self.submissions, clock=clock)
        self.clock, self.reminder_interval = clock, settings.reminder_interval_s
        self._stop, self._started, self._lock = threading.Event(), threading.Event(), threading.Lock()
        self._reminder_thread = threading.Thread(target=self._remind, name="notify-reminders", daemon=True)
        backoff = Backoff(timedelta(seconds=settings.backoff_base_s), timedelta(seconds=settings.backoff_cap_s),
                          timedelta(seconds=settings.give_up_after_s))
        templates = Templates()
        # Each provider's rate is counted in notify's MongoDB, so all replicas together send at most that rate.
        rates = rate_limit_storage(settings.mongodb_uri, settings.mongodb_database)
        self.workers = [
            Worker(self.store, provider, templates, directory, dead_letters, clock=clock, backoff=backoff,
                   limiter=SharedRateLimiter(provider.name, rate, rates))
            for provider, rate in (provider_list if provider_list is not None else providers(settings))
        ]
        self.consumers = [BatchConsumer(TOPICS, self.intake.apply_batch, bootstrap=settings.kafka_bootstrap_servers,
                                        group_id=settings.consumer_group)]

    def start(self) -> None:
        """Starts everything once the store answers: the web process (and its /readyz, which names the store
        while it is down) comes up whatever the store's state; until then nothing is consumed or sent."""
        self._starter = threading.Thread(target=self._start_when_store_answers, name="notify-start", daemon=True)
        self._starter.start()

    def wait_started(self, timeout: float) -> bool:
        return self._started.wait(timeout)

    def _start_when_store_answers(self) -> None:
        delay = 1.0
        while not self._stop.is_set():
            try:
                self.store.ensure_indexes()
                break
            except PyMongoError as exc:
                log.warning("message store not answering (%s); consumers and senders start when it does", exc)
                self._stop.wait(delay)
                delay = min(delay * 2, 30.0)
        with self._lock:
            if self._stop.is_set():
                return
            for worker in self.workers:
                worker.start()
            for consumer in self.consumers:
                consumer.start()
            self._reminder_thread.start()
            self._started.set()

    def _remind(self) -> None:
        """Runs the reminder job for today's Bangkok date now and then every ``reminder_interval`` seconds."""
        while not self._stop.is_set():
            try:
                self.reminders.run(self.clock().astimezone(BANGKOK).date())
            except Exception:
                log.exception("reminder job failed; next run at the next interval")
            self._stop.wait(self.reminder_interval)

    def stop(self) -> None:
        with self._lock:
            self._stop.set()
            if not self._started.is_set():
                return
        for consumer in self.consumers:
            consumer.stop()
        for worker in self.workers:
            worker.stop()
