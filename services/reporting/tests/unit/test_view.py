"""The web process's read model of the totals (TotalsView) without a broker: rows applied as the consumer
thread applies them; and the synthetic events the stream tests and the bench use, against the pure pipeline."""

from __future__ import annotations

import asyncio
import json
import random

from contracts import codec
from reporting.totals.api import totals_row
from reporting.totals.cases import apply_case_event, change_from_json
from reporting.totals.districts import Districts, TotalsRow
from reporting.totals.sample import MANY_DISTRICTS, case_events, expected_totals
from reporting.totals.view import TotalsView


def raw(row: TotalsRow) -> bytes:
    return json.dumps(row.as_json()).encode()


def test_rows_roll_up_to_province_and_nation_and_older_rows_change_nothing() -> None:
    view = TotalsView("localhost:1")
    changed = view.apply([raw(TotalsRow("4701", None, 2, {"registrants": 2})),
                          raw(TotalsRow("4801", None, 1, {"registrants": 1})), None, b"not json"])
    assert changed == {("district", "4701"), ("province", "47"), ("district", "4801"), ("province", "48"),
                       ("nation", "")}
    assert view.version == 2 and view.refused == 1
    assert view.apply([raw(TotalsRow("4701", None, 1, {"registrants": 9}))]) == set()  # older: ignored
    view.apply([raw(TotalsRow("4701", None, 3, {"registrants": 3})),
                raw(TotalsRow("4701", "2026-12-03", 1, {"registrations": 1}))])
    assert view.figures("nation", "") == view.figures("nation", "TH") == {"registrants": 4}
    assert view.figures("province", "47") == {"registrants": 3}
    assert view.figures("district", "4701", "2026-12-03") == {"registrations": 1}
    assert view.days("province", "47") == ["2026-12-03"]
    assert view.units("province") == ["47", "48"] and view.units("district", "47") == ["4701"]


def test_after_a_rebuild_with_changed_rules_the_new_rows_win_once_they_catch_up() -> None:
    view = TotalsView("localhost:1")
    old_rules = TotalsRow("4701", None, 5, {"registrants": 5, "referred_other_help": 1})
    view.apply([raw(old_rules)])
    # The rebuild's rows come later on the topic; lower versions are a unit half rebuilt: not shown.
    assert view.apply([raw(TotalsRow("4701", None, 2, {"registrants": 2}))]) == set()
    assert view.apply([raw(old_rules)]) == set()  # read again: the same, no change to announce
    new_rules = TotalsRow("4701", None, 5, {"registrants": 5, "referred_other_help": 1, "referred_other": 1})
    assert ("district", "4701") in view.apply([raw(new_rules)])
    assert view.figures("nation", "") == new_rules.figures


def test_changes_are_batched_for_each_watcher() -> None:
    async def scenario() -> list[set[tuple[str, str]]]:
        view = TotalsView("localhost:1")
        stream = view.changes()
        first = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0)  # the watcher is registered once the generator runs
        await asyncio.to_thread(view.apply, [raw(TotalsRow("4701", None, 1, {"registrants": 1}))])
        await asyncio.to_thread(view.apply, [raw(TotalsRow("4801", None, 1, {"registrants": 1}))])
        got = [await first]
        return got

    (batch,) = asyncio.run(scenario())
    assert ("district", "4701") in batch and ("nation", "") in batch


def test_not_ready_until_caught_up() -> None:
    view = TotalsView("localhost:1")
    assert not view.ready
    try:
        view.check_ready()
        raise AssertionError("ready before reading anything")
    except RuntimeError:
        pass


def test_api_rows_keep_the_first_contract_and_carry_every_figure() -> None:
    row = totals_row("district", "4701", {"registrants": 3, "registrants_thaid_app": 1, "registrants_self_online": 1,
                                          "registrants_paper": 1, "creditors": 4, "closed": 1})
    assert (row.cases, row.cases_online, row.cases_desk, row.creditors, row.debts) == (3, 2, 1, 4, 0)
    assert row.figures["closed"] == 1


def test_sample_events_keep_the_contract_and_add_up_as_the_pipeline_adds_them() -> None:
    events = case_events(120, seed=7, updates=2, transfer_share=0.3, close_share=0.3)
    for event in [*events[:50], *case_events(20, seed=1, districts=MANY_DISTRICTS, days=90)]:
        codec.validate_for_produce(event)
    assert any(e["event_type"] == "CaseTransferred" for e in events)
    shuffled = [*events, *events[:40]]  # redelivered, and in any order
    random.Random(3).shuffle(shuffled)  # noqa: S311 - test data
    records: dict[str, object] = {}
    districts = Districts({}, {})
    view = TotalsView("localhost:1")
    for event in shuffled:
        result = apply_case_event(records, event)
        assert result is not None
        for change in result[1]:
            _, row = districts.apply(change_from_json(change.as_json()))
            view.apply([raw(row)])
    for (level, code), figures in expected_totals(events).items():
        assert view.figures(level, code) == figures, (level, code)
