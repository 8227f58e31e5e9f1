"""One worker per provider. A worker only ever claims its own channel's messages, so a provider that is down
slows only its own queue: its failing messages wait out their backoff while every other channel keeps going.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from prometheus_client import Counter

from contracts.logs import bound_correlation
from notify.channels.phone import masked
from notify.channels.port import PermanentFailure, Provider, TemporaryFailure
from notify.messages.model import Channel, Message, State
from notify.messages.store import MessageStore
from notify.messages.templates import Templates
from notify.sending.policy import Backoff, Limiter
from notify.sending.ports import DeadLetters, Directory

log = logging.getLogger(__name__)
SENT = Counter("notify_messages_total", "Messages by channel and outcome", ["channel", "outcome"])


def _hint(channel: Channel, address: str) -> str:
    if channel is Channel.SMS:
        return masked(address)
    if channel is Channel.EMAIL:
        local, _, domain = address.partition("@")
        return f"{local[:2]}…@{domain}"
    return address[:5] + "…"


class Worker:
    def __init__(self, store: MessageStore, provider: Provider, templates: Templates, directory: Directory,
                 dead_letters: DeadLetters, *, clock: Callable[[], datetime], backoff: Backoff | None = None,
                 limiter: Limiter | None = None, lease: timedelta = timedelta(minutes=2),
                 idle_wait: float = 0.2, batch: int = 20) -> None:
        self.store, self.provider, self.templates, self.directory = store, provider, templates, directory
        self.dead_letters, self.clock = dead_letters, clock
        self.backoff = backoff or Backoff()
        self.limiter, self.lease, self.idle_wait = limiter, lease, idle_wait
        self.batch = batch
        self._claimed: deque[Message] = deque()
        self._claimed_at = datetime.min.replace(tzinfo=UTC)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> bool:
        """Sends one due message; False when none is due. Claims a few at a time (one query for many), each
        leased, so a worker that dies leaves them to be taken again when their lease runs out."""
        if self._claimed and self.clock() - self._claimed_at >= self.lease * 0.8:
            # The shared rate held this batch back so long that its lease is nearly gone: another replica may
            # take these when it runs out, so they are left to whoever claims them next, not sent twice.
            log.info("%d claimed %s messages left unsent: their lease is running out", len(self._claimed),
                     self.provider.channel.value)
            self._claimed.clear()
        if not self._claimed:
            self._claimed_at = self.clock()
            self._claimed.extend(self.store.claim(self.provider.channel, self._claimed_at, lease=self.lease,
                                                  limit=self.batch))
        if not self._claimed:
            return False
        message = self._claimed.popleft()
        with bound_correlation(message.correlation_id):  # its sending logs name the request that caused it
            self._process(message)
        return True

    def _process(self, message: Message) -> None:
        try:
            # Looked up on every attempt: a debtor who corrects their phone is reached at the new number.
            address = self.directory.address(message.recipient, message.channel)
            if address is None:
                raise PermanentFailure("no_contact: the recipient has no address on this channel")
            if self.directory.opted_out(message, address):  # checked at every attempt: a STOP counts at once
                self.store.move(message.id, State.NOT_SENT, self.clock(), reason="opted_out: the recipient "
                                "stopped these optional messages", address_hint=_hint(message.channel, address))
                SENT.labels(message.channel.value, "opted_out").inc()
                return
            # Secrets made for this send only (an activation link) join the context here and are never stored.
            rendered = self.templates.render(message.template, message.channel,
                                             {**message.context, **self.directory.send_time_context(message)})
            if self.limiter:
                self.limiter.acquire()
            provider_ref = self.provider.send(message, address, rendered)
        except TemporaryFailure as exc:
            self._retry_or_give_up(message, str(exc))
        except PermanentFailure as exc:
            self._give_up(message, str(exc))
        else:
            self.store.move(message.id, State.DELIVERED, self.clock(), provider_ref=provider_ref,
                            provider=self.provider.name, address_hint=_hint(message.channel, address))
            SENT.labels(message.channel.value, "delivered").inc()
            log.info("message delivered", extra={"message_id": message.id, "channel": message.channel.value,
                                                  "template": message.template, "provider": self.provider.name})

    def _retry_or_give_up(self, message: Message, reason: str) -> None:
        now = self.clock()
        if now - message.created_at >= self.backoff.give_up_after:
            self._give_up(message, f"retries exhausted after {message.attempts} attempts: {reason}")
            return
        self.store.move(message.id, State.TEMPORARY_FAILURE, now, reason=reason,
                        next_attempt_at=now + self.backoff.delay(message.attempts))
        SENT.labels(message.channel.value, "temporary_failure").inc()

    def _give_up(self, message: Message, reason: str) -> None:
        # Dead-letter first: if notify dies in between, the message is claimed again after its lease and
        # dead-lettered again (the topic is keyed by message id, so a reader sees the duplicate as one).
        message.provider = self.provider.name
        self.dead_letters.publish(message, reason)
        self.store.move(message.id, State.PERMANENT_FAILURE, self.clock(), reason=reason, dead_lettered=True,
                        provider=self.provider.name)
        SENT.labels(message.channel.value, "dead_lettered").inc()
        log.warning("message dead-lettered", extra={"message_id": message.id, "channel": message.channel.value,
                                                     "template": message.template, "provider": self.provider.name})

    # --- the thread --------------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"notify-{self.provider.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(15)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if not self.run_once():
                    self._stop.wait(self.idle_wait)
            except Exception:  # the database or a template broke; keep the worker alive and try again
                log.exception("sender %s failed; retrying", self.provider.name)
                self._stop.wait(1.0)
