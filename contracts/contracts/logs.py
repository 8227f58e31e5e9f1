"""Structured logs: one JSON object per line on stderr, the same shape from every service and worker.

structlog renders; the standard library's ``logging`` (every module's ``log.warning(...)``, uvicorn's and
libraries' loggers) is routed through structlog's ``ProcessorFormatter``, so nothing prints plain text.
Each line carries ``service``, ``level``, ``event``, ``timestamp``, ``logger`` and, when a request or an
event being applied has one, ``correlation_id``.

The correlation id is one request's thread through the system: taken from (or given to) the HTTP
request, stored beside the events that request wrote in an outbox, sent as the Kafka header
``correlation_id``, and bound again by every consumer while it applies the event. It lives in a
``ContextVar``, so it follows asyncio tasks and the threads Starlette copies the context into.

Never log personal data: log codes, ids the system made up and counts, as events do.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from contracts import citizen_id

CORRELATION_HEADER = "correlation_id"  # the Kafka header
HTTP_HEADER = "X-Correlation-ID"
CORRELATION_FIELD = "correlation_id"  # the key in log lines and beside events in outboxes and records

# A caller-chosen id is kept only when it is a plain token: it ends up in logs, headers and stored records,
# so no spaces, quotes, control characters or lengths that would let a client forge or flood a log line.
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

# Libraries whose info/debug lines would carry personal data: pymongo logs whole commands (documents with
# citizen IDs and phones), httpx logs request URLs (queries such as a Keycloak user search by citizen ID),
# aiosmtpd (the dev mail sink) logs every SMTP command with its addresses. They stay at WARNING even when
# LOG_LEVEL=DEBUG.
QUIET_LIBRARIES = ("pymongo", "httpx", "httpcore", "urllib3", "mail.log")
# Record attributes that only repeat ``event`` (the formatted message; uvicorn's coloured copy of it).
_REPEATS = ("message", "color_message")

_correlation: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def sane_correlation_id(value: str | bytes | None) -> str | None:
    """``value`` as a correlation id if it is a sane token, else None."""
    if isinstance(value, bytes):
        try:
            value = value.decode("ascii")
        except UnicodeDecodeError:
            return None
    if value and _SANE.fullmatch(value):
        return value
    return None


def current_correlation_id() -> str | None:
    return _correlation.get()


@contextmanager
def bound_correlation(correlation_id: str | None) -> Iterator[str | None]:
    """Binds ``correlation_id`` (None clears it) for logs and outbox writes until the block ends."""
    token = _correlation.set(correlation_id)
    try:
        yield correlation_id
    finally:
        _correlation.reset(token)


def correlation_from_headers(headers: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> str | None:
    """The correlation id in Kafka headers as confluent-kafka and aiokafka (a list of ``(key, bytes)``) or
    Faust (a mapping) give them; None when absent or not a sane token."""
    if not headers:
        return None
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    for key, value in pairs:
        if key == CORRELATION_HEADER:
            return sane_correlation_id(value)
    return None


def correlation_header(correlation_id: str | None) -> list[tuple[str, bytes]]:
    """The Kafka header to add to a produced record (none when there is no id)."""
    return [(CORRELATION_HEADER, correlation_id.encode())] if correlation_id else []


def correlation_http_headers() -> dict[str, str]:
    """The header continuing the bound id on an outgoing HTTP call to another service (none when unbound)."""
    correlation_id = _correlation.get()
    return {HTTP_HEADER: correlation_id} if correlation_id else {}


def _add_correlation(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    correlation_id = _correlation.get()
    if correlation_id is not None:
        event_dict.setdefault(CORRELATION_FIELD, correlation_id)
    return event_dict


KAFKA_LOGGER = logging.getLogger("librdkafka")


def kafka_logging() -> dict[str, Any]:
    """Client settings that send librdkafka's own lines (a broker unreachable …) through ``logging`` as JSON
    instead of printing them as plain text; they are served by the client's poll/flush/consume."""
    return {"logger": KAFKA_LOGGER}


# A last line of defence for what code should never log but an exception message may carry (a duplicate-key
# error quotes the key: a citizen ID). Names cannot be found this way; they must simply never be logged.
_CITIZEN_ID = re.compile(r"(?<![0-9A-Za-z])[1-8](?:[- ]?[0-9]){12}(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<![0-9A-Za-z.+])(?:\+66|0)[- ]?[0-9](?:[- ]?[0-9]){7,8}(?![0-9A-Za-z])")


def _citizen_id_or_same(match: re.Match[str]) -> str:
    digits = re.sub(r"[- ]", "", match.group())
    return "[citizen-id]" if citizen_id.is_valid(digits) else match.group()


def redact(text: str) -> str:
    """``text`` with valid citizen IDs and Thai phone numbers replaced."""
    return _PHONE.sub("[phone]", _CITIZEN_ID.sub(_citizen_id_or_same, text))


_OURS = frozenset({"timestamp", "level", "logger", "service", CORRELATION_FIELD})  # written here: nothing to find


def _redact_personal_data(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    for key, value in event_dict.items():
        if isinstance(value, str) and key not in _OURS:
            event_dict[key] = redact(value)
    return event_dict


def _drop_repeats(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    for key in _REPEATS:
        event_dict.pop(key, None)
    return event_dict


def _shared_processors(service: str) -> list[Processor]:
    def add_service(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
        event_dict.setdefault("service", service)
        return event_dict

    return [
        structlog.contextvars.merge_contextvars,
        add_service,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_correlation,
        structlog.stdlib.ExtraAdder(),  # log.info("...", extra={"topic": ...}) becomes fields
        _drop_repeats,
    ]


def json_formatter(service: str) -> logging.Formatter:
    """The formatter that turns any ``logging`` record into one JSON line (also for tests capturing logs)."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(service),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            structlog.processors.UnicodeDecoder(),
            _redact_personal_data,  # after the traceback became text, so it is covered too
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
    )


class _JsonHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the handler this module installed, so configuring again replaces it instead of doubling lines."""


def configure_logging(service: str, level: str = "INFO", *, stream: TextIO | None = None) -> None:
    """JSON lines on stderr (or ``stream``) for ``service``; call once from the entry point, before uvicorn
    (run with ``log_config=None`` so it keeps these handlers)."""
    structlog.configure(
        processors=[*_shared_processors(service), structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = _JsonHandler(stream or sys.stderr)
    handler.setFormatter(json_formatter(service))
    root = logging.getLogger()
    for old in list(root.handlers):
        # Ours from an earlier call, or a plain stream handler (basicConfig); test harnesses' handlers stay.
        if isinstance(old, _JsonHandler) or type(old) is logging.StreamHandler:
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "faust", "mode", "aiokafka"):
        named = logging.getLogger(name)
        named.handlers.clear()  # uvicorn's own config would print a second, plain-text line
        named.propagate = True
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(root.level, logging.WARNING))
    logging.captureWarnings(True)


def get_logger(name: str) -> Any:
    """A structlog logger for new code that wants key-value events (``log.info("sent", channel="sms")``)."""
    return structlog.stdlib.get_logger(name)
