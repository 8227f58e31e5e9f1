"""The batch handlers and tables of the streamed totals without a broker (``stream_fakes``): a memory store, and
RocksDB through rocksdict where installed."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import faust
import pytest

import reporting.streams as streams_module
from contracts import registry
from contracts.logs import CORRELATION_HEADER
from reporting.totals.cases import Statement
from reporting.totals.districts import TotalsRow
from reporting.totals.figures import NATION
from reporting.totals.rollup import roll_up
from reporting.totals.topics import CASE_EVENTS, TOTALS, TOTALS_CONFIG, UNIT_CHANGES, broker_urls

from .stream_fakes import (
    EXAMPLES,
    STORES,
    Message,
    Sent,
    acknowledged,
    build,
    case_message,
    counted,
    message,
    outcomes,
    partition_of,
    pure_totals,
    put_case_events,
    put_unit_changes,
    run,
    settled,
)

# --- the app -------------------------------------------------------------------------------------------


def test_no_app_is_built_at_import_time() -> None:
    assert not [name for name, value in vars(streams_module).items() if isinstance(value, faust.App)]


def test_topics_are_named_explicitly_the_totals_topic_is_compacted_and_inputs_go_to_batch_handlers() -> None:
    async def check() -> None:
        streams = build(Sent())
        assert streams.case_events.get_topic_name() == "case-events" == CASE_EVENTS.name
        assert streams.unit_changes.get_topic_name() == UNIT_CHANGES
        assert streams.totals.get_topic_name() == TOTALS.name == "totals"
        assert streams.totals.compacting and streams.totals.config == TOTALS_CONFIG
        assert TOTALS.cleanup_policy == TOTALS_CONFIG["cleanup.policy"] == "compact"
        assert streams.case_records.table.partitions == CASE_EVENTS.partitions
        assert {t.table.changelog_topic.get_topic_name() for t in (streams.case_records, streams.unit_buckets,
                                                                    streams.unit_days)} == {
            "reporting-case-records-changelog", "reporting-unit-buckets-changelog", "reporting-unit-days-changelog"}
        assert streams.app.conf.processing_guarantee.value == "at_least_once"
        assert [str(url) for url in streams.app.conf.broker] == ["kafka://localhost:1"]
        assert set(streams.app.batch_handlers) == {"case-events", UNIT_CHANGES}
        assert type(streams.app.consumer).__name__ == "BatchConsumer"
        assert {"case-events", UNIT_CHANGES} <= {t.get_topic_name() for t in streams.app.topics}  # subscribed
        assert streams.case_events.acks and streams.unit_changes.acks  # acks enabled once subscribed

    run(check)


def test_broker_urls_from_bootstrap_servers() -> None:
    assert broker_urls("kafka-1:9092, kafka-2:9092") == ["kafka://kafka-1:9092", "kafka://kafka-2:9092"]
    assert broker_urls(["kafka://k:9092"]) == ["kafka://k:9092"]


def test_rocksdb_tables_use_rocksdict_when_it_is_installed() -> None:
    if importlib.util.find_spec("rocksdict") is None:
        pytest.skip("rocksdict not installed")
    from faust.stores import rocksdb

    assert rocksdb.USE_ROCKSDICT


# --- both handlers, end to end ----------------------------------------------------------------------------


@pytest.mark.parametrize("store", STORES)
@pytest.mark.parametrize("batch", [1, 7])
def test_case_events_through_both_handlers_give_the_totals(store: str, batch: int, tmp_path: Path) -> None:
    async def check() -> None:
        sent = Sent()
        streams = build(sent, store, tmp_path)
        before = outcomes("cases")
        # every example, then again backwards (older revisions after newer ones), then some a third time
        delivery = [*EXAMPLES, *EXAMPLES[::-1], *EXAMPLES[:5]]
        messages = await put_case_events(streams, delivery, batch)
        assert counted(before, "cases") == {"applied": len(EXAMPLES), "unchanged": len(EXAMPLES) + 5}
        assert all(m.acked for m in messages)
        changes = sent.take(UNIT_CHANGES)
        # one record per district and settle, keyed by the district
        assert all(message["kind"] == "changes" and {c["district"] for c in message["changes"]} == {key}
                   for key, message in changes)
        await put_unit_changes(streams, changes)
        published = sent.take(TOTALS.name)
        rows = [TotalsRow.from_json(value) for _, value in published]
        assert [key for key, _ in published] == [row.key for row in rows]  # compaction keeps each unit's latest
        rollup, want = roll_up(rows), pure_totals(EXAMPLES)
        for level, code in (("nation", NATION), ("province", "47"), ("province", "48"), ("district", "1001")):
            assert rollup.figures(level, code) == want.figures(level, code)
        assert rollup.figures("nation", NATION)["registrants"] == 6
        assert rollup.figures("province", "48")["transfers_in_other_province"] == 1
        assert rollup.figures("district", "4701", "2026-12-09") == {"contacts": 1, "decisions": 1}
        # the tables hold what the pure functions stored, read back through Faust's own table API
        case = streams.case_records.table["c-01JF0000000000000000000004"]
        assert case is not None and len(case["revisions"]) == 12
        # and their changelogs got the same values, in the partition of the input
        changelog = {key: value for key, value in sent.take("reporting-case-records-changelog")}
        assert changelog['"c-01JF0000000000000000000004"'] == case
        assert {p for t, p in sent.partitions if t == "reporting-case-records-changelog"} == {
            partition_of(e["case_id"]) for e in EXAMPLES}

    run(check)


def test_the_units_handler_applies_a_redelivered_change_once_and_publishes_again() -> None:
    async def check() -> None:
        sent = Sent()
        streams = build(sent)
        await put_case_events(streams, [e for e in EXAMPLES if e["case_id"].endswith("06")])
        changes = sent.take(UNIT_CHANGES)
        before = outcomes("units")
        await put_unit_changes(streams, changes)
        assert counted(before, "units") == {"applied": len(changes)}
        first = [TotalsRow.from_json(v) for _, v in sent.take(TOTALS.name)]
        before = outcomes("units")
        await put_unit_changes(streams, changes)
        assert counted(before, "units") == {"unchanged": len(changes)}
        again = [TotalsRow.from_json(v) for _, v in sent.take(TOTALS.name)]
        latest = {row.key: row for row in first}
        # published again, at the latest version: the first may not have reached the broker
        assert first and {row.key for row in again} == set(latest) and all(row == latest[row.key] for row in again)

    run(check)


def test_the_correlation_id_of_a_case_event_travels_onto_the_unit_changes_and_the_totals_rows_it_moved() -> None:
    async def check() -> None:
        sent = Sent()
        streams = build(sent)
        event = next(e for e in EXAMPLES if e["event_type"] == "CaseRegistered")
        await streams.on_case_events([case_message(event, [(CORRELATION_HEADER, b"req-42"),
                                                           ("event_type", b"CaseRegistered")])])
        await settled(streams)
        changes = sent.take(UNIT_CHANGES)
        assert changes and {tuple(h) for t, _, h in sent.headers if t == UNIT_CHANGES} == {
            ((CORRELATION_HEADER, b"req-42"),)}
        await put_unit_changes(streams, changes, [(CORRELATION_HEADER, b"req-42")])
        rows = [h for t, _, h in sent.headers if t == TOTALS.name]
        assert rows and all(h == [(CORRELATION_HEADER, b"req-42")] for h in rows)
        # a record from an event without an id carries none (not the previous one's)
        await put_case_events(streams, [event])
        assert [h for t, _, h in sent.headers if t == UNIT_CHANGES][-1] == []

    run(check)


@pytest.mark.parametrize(("value", "breaks_contract"), [
    (b"not json", True),
    (json.dumps(dict(registry.examples("AuditRecorded", 1))["case-read.json"]).encode(), True),  # not on case-events
    # Within the contract but no case can have it: refused and alerted on (ImpossibleTotals), not dead-lettered.
    (json.dumps(dict(registry.examples("CaseRegistered", 1))["online.json"] | {"principal_satang": 1e20}).encode(),
     False),
])
def test_a_case_event_that_cannot_count_is_refused_acked_and_changes_nothing(value: bytes,
                                                                            breaks_contract: bool) -> None:
    async def check() -> None:
        sent, letters = Sent(), []

        async def reject(refused: Message, reason: str) -> None:
            assert not refused.acked  # the dead letter goes out before the event is acked
            letters.append((refused.value, reason))

        streams = build(sent, reject=reject)
        before = outcomes("cases")
        bad = message(CASE_EVENTS.name, "c-x", value)
        good = case_message(EXAMPLES[0])
        await streams.on_case_events([bad, good])  # one batch: the good event still counts
        await settled(streams)
        assert counted(before, "cases") == {"refused": 1, "applied": 1}
        assert bad.acked and good.acked  # skipped, not retried: no retry can fix it
        assert [r[2]["case_id"] for r in sent.records if r[0].endswith("case-records-changelog")] == [
            EXAMPLES[0]["case_id"]]
        assert [raw for raw, _ in letters] == ([value] if breaks_contract else [])  # dead letters, with the reason
        assert all(reason for _, reason in letters)

    run(check)


def test_a_broken_unit_change_is_refused() -> None:
    async def check() -> None:
        sent = Sent()
        streams = build(sent)
        before = outcomes("units")
        bad = {"kind": "case", "case_id": "c", "version": 1, "district": "4701", "figures": {"registrants": -1}}
        (refused,) = await put_unit_changes(streams, [("4701", bad)])
        await streams.on_unit_changes([message(UNIT_CHANGES, "4701", b"{not json")])
        await settled(streams)
        assert counted(before, "units") == {"refused": 2}
        assert refused.acked and not sent.records and not list(streams.unit_buckets.table.keys())

    run(check)


def test_an_event_is_acked_only_once_its_changelog_writes_and_records_are_acknowledged() -> None:
    async def check() -> None:
        sent = Sent()
        sent.acknowledge = False
        streams = build(sent, ack_batch=1000)  # never due: only settle() acks
        event_json = dict(registry.examples("CaseRegistered", 1))["online.json"]
        (event,) = await put_case_events(streams, [event_json])
        acks = streams.acks["cases"]
        changelog = list(sent.pending)
        assert len(changelog) == 1 and acks.sent == changelog  # the record's write; its changes wait for settle()
        assert not event.acked
        acks.timeout = 0.05
        with pytest.raises(TimeoutError):  # settle() sent the district's changes; nothing acknowledged yet
            await acks.settle()
        changes = sent.pending[1]  # a statement and a happening, one record for their district
        assert sent.records[-1][0] == UNIT_CHANGES and len(sent.records[-1][2]["changes"]) == 2
        assert not event.acked and not acks.events  # dropped unacked: the worker crashes, reads again
        changes.set_result(acknowledged(0))
        acks.track([event], [changes, *changelog])
        with pytest.raises(TimeoutError):  # the changelog write is not acknowledged yet
            await acks.settle()
        assert not event.acked
        assert not changelog[0].cancelled()  # the producer's future is left alone
        acks.track([event], changelog)
        changelog[0].set_result(acknowledged(0))
        assert await acks.settle() == 1
        assert event.acked

    run(check)


def test_district_sums_are_forgotten_when_partitions_move() -> None:
    async def check() -> None:
        sent = Sent()
        streams = build(sent)
        await put_case_events(streams, EXAMPLES[:3])
        await put_unit_changes(streams, sent.take(UNIT_CHANGES))
        assert streams.districts.sums
        await streams.app.on_partitions_revoked.send(set())
        assert not streams.districts.sums
        await put_unit_changes(streams, [("4701", Statement("c-new", 1, "4701", {"registrants": 1}).as_json())])
        assert streams.districts.sums
        await streams.app.on_partitions_assigned.send(set())
        assert not streams.districts.sums

    run(check)


