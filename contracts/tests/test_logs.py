"""Structured logs: every line JSON with service, level, event, timestamp, logger and the bound correlation id;
stdlib and uvicorn records included; correlation ids read from Kafka headers as each client library gives them."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import structlog

from contracts.logs import (
    CORRELATION_HEADER,
    QUIET_LIBRARIES,
    bound_correlation,
    configure_logging,
    correlation_from_headers,
    correlation_header,
    correlation_http_headers,
    current_correlation_id,
    get_logger,
    sane_correlation_id,
)


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """``configure_logging`` into a buffer; the process's logging is put back afterwards."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    quiet = {name: logging.getLogger(name).level for name in QUIET_LIBRARIES}
    buffer = io.StringIO()
    configure_logging("registration", "DEBUG", stream=buffer)
    yield buffer
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])
    for name, level in quiet.items():
        logging.getLogger(name).setLevel(level)
    structlog.reset_defaults()
    logging.captureWarnings(False)


def parsed(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_a_stdlib_record_becomes_one_json_line_with_the_common_fields(lines: io.StringIO) -> None:
    logging.getLogger("registration.outbox.relay").warning("delivery of %s failed", "e-1")
    [line] = parsed(lines)
    assert line["event"] == "delivery of e-1 failed"
    assert (line["service"], line["level"], line["logger"]) == ("registration", "warning", "registration.outbox.relay")
    assert set(line) == {"event", "service", "level", "logger", "timestamp"}  # nothing repeated, nothing more
    assert datetime.fromisoformat(line["timestamp"]).utcoffset() is not None  # ISO, UTC
    assert "correlation_id" not in line  # nothing bound: no made-up id


def test_the_bound_correlation_id_is_on_every_line_until_the_block_ends(lines: io.StringIO) -> None:
    log = logging.getLogger("notify.intake")
    with bound_correlation("req-1"):
        log.info("stored")
        with bound_correlation(None):  # an event with no header: logged without an id
            log.info("no id")
        assert current_correlation_id() == "req-1"
        get_logger("notify.sending").info("sent", channel="sms")
    log.info("after")
    first, unbound, structured, after = parsed(lines)
    assert first["correlation_id"] == "req-1" and "correlation_id" not in unbound
    assert structured["correlation_id"] == "req-1" and structured["channel"] == "sms"
    assert structured["service"] == "registration" and structured["level"] == "info"
    assert "correlation_id" not in after and current_correlation_id() is None


def test_uvicorn_records_exceptions_extras_and_thai_text_come_out_as_json(lines: io.StringIO) -> None:
    logging.getLogger("uvicorn.error").info("Application startup complete.", extra={"color_message": "\x1b[1m…"})
    try:
        raise ValueError("broken")
    except ValueError:
        logging.getLogger("contracts.consumer").exception("applying failed", extra={"topic": "case-events"})
    logging.getLogger("x").info("ลงทะเบียนแล้ว")
    uvicorn, failed, thai = parsed(lines)
    assert uvicorn["logger"] == "uvicorn.error" and uvicorn["event"] == "Application startup complete."
    assert "color_message" not in uvicorn
    assert failed["level"] == "error" and failed["topic"] == "case-events"
    assert "ValueError: broken" in failed["exception"]
    assert thai["event"] == "ลงทะเบียนแล้ว"
    assert "ลงทะเบียนแล้ว" in lines.getvalue()  # not \\u-escaped: readable in a terminal


def test_configuring_again_replaces_the_handler_instead_of_doubling_lines(lines: io.StringIO) -> None:
    again = io.StringIO()
    configure_logging("notify", stream=again)
    logging.getLogger("notify").warning("once")
    assert lines.getvalue() == ""
    assert [line["service"] for line in parsed(again)] == ["notify"]


def test_libraries_that_would_log_documents_or_urls_stay_quiet_even_at_debug(lines: io.StringIO) -> None:
    logging.getLogger("pymongo.command").debug("{'insert': 'cases', 'citizen_id': '1101700230708'}")
    logging.getLogger("httpx").info("HTTP Request: GET /admin/realms/debt/users?username=1101700230708")
    logging.getLogger("mail.log").info("('127.0.0.1', 5) >> b'rcpt TO:<somsri@example.com>'")
    logging.getLogger("registration").debug("shown at debug")
    assert [line["event"] for line in parsed(lines)] == ["shown at debug"]


@pytest.mark.parametrize(("headers", "expected"), [
    ([("event_type", b"CaseRegistered"), (CORRELATION_HEADER, b"abc-123")], "abc-123"),  # confluent-kafka
    (((CORRELATION_HEADER, b"abc-123"),), "abc-123"),  # aiokafka
    ({CORRELATION_HEADER: b"abc-123"}, "abc-123"),  # Faust
    ([(CORRELATION_HEADER, "abc-123")], "abc-123"),  # a str value
    (None, None),
    ([], None),
    ([("event_type", b"CaseRegistered")], None),
    ([(CORRELATION_HEADER, b"has space")], None),
    ([(CORRELATION_HEADER, "x" * 129)], None),
    ([(CORRELATION_HEADER, b"\xff\xfe")], None),
    ([(CORRELATION_HEADER, None)], None),
])
def test_correlation_from_headers(headers: Any, expected: str | None) -> None:
    assert correlation_from_headers(headers) == expected


def test_sane_ids_and_the_headers_sent_on() -> None:
    assert sane_correlation_id("5b0e3f1a-7c2d-4e8f-9a1b-2c3d4e5f6a7b") == "5b0e3f1a-7c2d-4e8f-9a1b-2c3d4e5f6a7b"
    for garbage in ("", "a\r\nb", '"quoted"', "-leading-dash", "ไทย", "a" * 129):
        assert sane_correlation_id(garbage) is None, garbage
    assert correlation_header(None) == [] and correlation_header("r-1") == [(CORRELATION_HEADER, b"r-1")]
    assert correlation_http_headers() == {}
    with bound_correlation("r-1"):
        assert correlation_http_headers() == {"X-Correlation-ID": "r-1"}


def test_librdkafka_lines_come_out_as_json_too(lines: io.StringIO) -> None:
    from confluent_kafka import Producer

    from contracts.logs import kafka_logging
    from infra.dev.testing import wait_until

    producer = Producer({**kafka_logging(), "bootstrap.servers": "127.0.0.1:1", "reconnect.backoff.ms": 10})
    try:
        assert wait_until(lambda: producer.poll(0.1) == 0 and "Connect to" in lines.getvalue(), timeout=10)
    finally:
        producer.close()
    kafka = [line for line in parsed(lines) if line["logger"] == "librdkafka"]
    assert kafka and kafka[0]["service"] == "registration" and kafka[0]["level"] == "error"


def test_citizen_ids_and_phones_an_exception_quotes_are_redacted_as_a_last_defence(lines: io.StringIO) -> None:
    try:
        raise RuntimeError('E11000 duplicate key error dup key: { citizen_id: "1101700230708" }')
    except RuntimeError:
        logging.getLogger("registration.outbox.group_commit").exception("batch failed for 1-1017-00230-70-8")
    logging.getLogger("notify").warning("gateway refused 089-876-5432 and +66898765432")
    kept = "case c-0123456789abcdef, offset 1234567890123, took 0.123456789 s, receipt 57-2569-000001"
    logging.getLogger("notify").warning(kept)
    failed, phones, untouched = parsed(lines)
    assert failed["event"] == "batch failed for [citizen-id]"
    assert '"[citizen-id]"' in failed["exception"] and "1101700230708" not in lines.getvalue()
    assert phones["event"] == "gateway refused [phone] and [phone]"
    assert untouched["event"] == kept  # ids, offsets (no valid check digit), durations and receipts stay
