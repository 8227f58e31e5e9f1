"""bench/worklist: the district worklist's pages and counts on a nationwide store, p50/p95, against a raw
pymongo baseline measured in the same run on the same store.

A fresh nx-27017 (the dev stack's MongoDB; ``--mongo-uri`` for another server) is seeded in bulk with
``--cases`` realistic cases (default 200,000), ``--district-cases`` of them (default 20,000) in one district
(4701), the rest spread over every other district; registered over the past year, with the casework a case in
its status has had (``bench.worklist_seed``). Then the service's indexes and the worklist's are built, and
for each scenario the worklist's read model (``casework.worklist.Worklist``: finds, typed rows, a signed
keyset cursor) is timed over ``--runs`` runs: the first page, and a deep page (page ``--page`` reached by
following the keyset cursor), filtered (status + flag) and sorted; and the counts per status.

Baseline: the page's main find as one raw pymongo ``find()`` — the same filter, sort, limit and projection —
on the same store, in the same run. Ratio = baseline p95 / worklist p95 (goal >= 0.5, p95 < 300 ms). For
context the deep page is also timed the usual other ways: ``skip`` and a one-find ``$or`` keyset.

``python -m bench.worklist [--cases N] [--district-cases N] [--runs N] [--smoke]``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pymongo import MongoClient
from pymongo.database import Database

from bench.intake import machine
from bench.worklist_seed import HOT_DISTRICT, OFFICERS, seed
from infra.dev.mongo import DevMongo
from infra.dev.testing import free_port
from registration.cases.case import Status
from registration.cases.store import CaseRepository
from registration.casework.worklist import PROJECTION, Worklist, ensure_worklist_indexes, uses_index
from registration.casework.worklist_query import finds, plan
from registration.casework.worklist_request import TIE, Scope, WorklistQuery

GOAL_P95_MS = 300.0
GOAL_RATIO = 0.5
SECRET = b"bench-worklist-cursor-secret"
Doc = dict[str, Any]


@dataclass
class Timing:
    name: str
    ms: list[float] = field(default_factory=list)

    def pct(self, q: float) -> float:
        ordered = sorted(self.ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def line(self) -> str:
        return (f"  {self.name:<34} p50 {self.pct(0.5):7.1f} ms  p95 {self.pct(0.95):7.1f} ms  "
                f"mean {statistics.fmean(self.ms):7.1f} ms  ({len(self.ms)} runs)")


def timed(name: str, runs: int, call: Callable[[], object], warmup: int = 2) -> Timing:
    for _ in range(warmup):
        call()
    timing = Timing(name)
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timing.ms.append((time.perf_counter() - started) * 1000)
    return timing


@dataclass
class Scenario:
    name: str
    scope: Scope
    query: WorklistQuery
    page: int = 1  # reached by following the cursor


@dataclass
class Result:
    scenario: Scenario
    worklist: Timing
    baseline: Timing
    rows: int
    indexes: list[str]
    context: list[Timing] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.baseline.pct(0.95) / self.worklist.pct(0.95)

    @property
    def met(self) -> bool:
        return self.worklist.pct(0.95) < GOAL_P95_MS and self.ratio >= GOAL_RATIO


def scenarios(deep_page: int, size: int) -> list[Scenario]:
    district, province = Scope("district", HOT_DISTRICT), Scope("province", HOT_DISTRICT[:2])
    status_flag = WorklistQuery(statuses=(Status.NEW, Status.CONTACTING), flags=("excessive_interest",), size=size)
    by_debt = WorklistQuery(statuses=(Status.CONTACTING, Status.WANTS_MEDIATION), flags=("threatened",),
                            sort="debt", size=size)
    by_due = WorklistQuery(due="within", due_days=14, sort="due", descending=False, size=size)
    return [
        Scenario("district, new+contacting, excessive interest, newest first", district, status_flag),
        Scenario(f"  same, page {deep_page}", district, status_flag, deep_page),
        Scenario("district, contacting+wants mediation, threatened, by debt", district, by_debt),
        Scenario(f"  same, page {max(2, deep_page // 10)}", district, by_debt, max(2, deep_page // 10)),
        Scenario("province, due within 14 days, soonest first", province, by_due),
        Scenario(f"  same, page {deep_page}", province, by_due, deep_page),
    ]


def _cursor_for(worklist: Worklist, scenario: Scenario) -> WorklistQuery:
    """The query with the cursor of the scenario's page, reached by following "next" from the first page."""
    query = scenario.query
    for _ in range(scenario.page - 1):
        found = worklist.page(query, scenario.scope, OFFICERS[0])
        if found.next_cursor is None:
            raise SystemExit(f"{scenario.name}: fewer than {scenario.page} pages; seed more cases")
        query = WorklistQuery(**{**query.__dict__, "cursor": found.next_cursor})
    return query


def measure(db: Database[Doc], worklist: Worklist, scenario: Scenario, runs: int) -> Result:
    query = _cursor_for(worklist, scenario)
    p = plan(query, scenario.scope, OFFICERS[0], worklist.today(), SECRET)
    page_finds = list(finds(query, p.filter, p.cursor.position if p.cursor else None))
    main = page_finds[-1] if p.cursor else page_finds[0]  # deep: the find past the cursor's ties
    main_filter = worklist.for_store(main.filter)
    limit = query.size + 1
    cases = db["cases"]

    def page() -> list[str]:
        return [r.receipt_no for r in worklist.page(query, scenario.scope, OFFICERS[0]).rows]

    def raw() -> list[Doc]:
        return list(cases.find(main_filter, PROJECTION).sort(main.sort).limit(limit))

    shown, raw_rows = page(), [d[TIE] for d in raw()]
    if shown != raw_rows[:query.size] and main.due_stop is None:
        raise SystemExit(f"{scenario.name}: the worklist and the raw find disagree")
    explained = db.command("explain", {"find": "cases", "filter": main_filter, "sort": dict(main.sort),
                                       "limit": limit}, verbosity="queryPlanner")
    result = Result(scenario, timed("worklist", runs, page), timed("raw find (baseline)", runs, raw), len(shown),
                    uses_index(explained))
    if scenario.page > 1:
        first = next(iter(finds(scenario.query, p.filter, None)))
        skip = (scenario.page - 1) * query.size
        result.context.append(timed(f"raw find, skip {skip}", runs, lambda: list(
            cases.find(worklist.for_store(first.filter), PROJECTION).sort(first.sort).skip(skip).limit(limit))))
        if main.field is not None and p.cursor is not None and p.cursor.position.value is not None:
            value, tie = p.cursor.position.value, p.cursor.position.tie
            op = "$lt" if (main.sort[0][1] == -1) else "$gt"
            keyset = {"$or": [{main.field: {op: value}}, {main.field: value, TIE: {op: tie}}]}
            base = worklist.for_store(first.filter)
            result.context.append(timed("raw find, one-find $or keyset", min(runs, 3), lambda: list(
                cases.find({**base, **keyset}, PROJECTION).sort(first.sort).limit(limit)), warmup=0))
    return result


def counts(db: Database[Doc], worklist: Worklist, runs: int) -> list[tuple[str, Timing, Timing]]:
    out = []
    for name, scope in (("district 4701", Scope("district", HOT_DISTRICT)), ("province 47", Scope("province", "47")),
                        ("nation", Scope("nation", "TH"))):
        where = worklist.for_store(scope.filter())
        pipeline = [{"$match": where}, {"$group": {"_id": "$status", "n": {"$sum": 1}}}]
        def mine(s: Scope = scope) -> object:
            return worklist.counts(WorklistQuery(), s)

        def raw(p: list[Doc] = pipeline) -> object:
            return list(db["cases"].aggregate(p))

        out.append((name, timed("worklist counts", runs, mine), timed("raw aggregate (baseline)", runs, raw)))
    return out


def run(uri: str, database: str, args: argparse.Namespace) -> list[Result]:
    client: MongoClient[Doc] = MongoClient(uri, tz_aware=True)
    try:
        db = client[database]
        db.drop_collection("cases")
        started = time.perf_counter()
        count = seed(db["cases"], args.cases, args.district_cases)
        seeded = time.perf_counter() - started
        started = time.perf_counter()
        CaseRepository(db).ensure_indexes()
        ensure_worklist_indexes(db["cases"])
        indexed = time.perf_counter() - started
        worklist = Worklist(db["cases"], SECRET)
        print(f"seeded {count:,} cases ({args.district_cases:,} in district {HOT_DISTRICT}) in {seeded:.1f} s "
              f"(insert_many, 2,000 a batch); indexes built in {indexed:.1f} s; store: "
              f"{'nx-27017' if worklist.nx_27017 else 'MongoDB'}")
        results = [measure(db, worklist, s, args.runs) for s in scenarios(args.page, args.size)]
        for r in results:
            # nx-27017's explain plans the filter alone (no sort): it names an index the filter can use.
            print(f"{r.scenario.name} — {r.rows} rows; explain: {', '.join(r.indexes) or 'NO INDEX'}")
            for timing in (r.worklist, r.baseline, *r.context):
                print(timing.line())
            print(f"  ratio {r.ratio:.2f} (goal >= {GOAL_RATIO}), p95 {r.worklist.pct(0.95):.1f} ms "
                  f"(goal < {GOAL_P95_MS:.0f} ms): {'met' if r.met else 'MISSED'}")
        for name, mine, raw in counts(db, worklist, args.runs):
            print(f"counts per status, {name}")
            print(mine.line())
            print(raw.line())
        return results
    finally:
        client.close()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.worklist")
    p.add_argument("--cases", type=int, default=200_000, help="cases nationwide (default 200,000)")
    p.add_argument("--district-cases", type=int, default=20_000, help="of them in district 4701 (default 20,000)")
    p.add_argument("--runs", type=int, default=50, help="timed runs per measurement (default 50)")
    p.add_argument("--page", type=int, default=50, help="the deep page (default 50)")
    p.add_argument("--size", type=int, default=50, help="rows per page (default 50)")
    p.add_argument("--smoke", action="store_true", help="small numbers, for a test: 3,000 cases, 5 runs, page 3")
    p.add_argument("--mongo-uri", help="an existing server instead of a fresh nx-27017")
    p.add_argument("--database", default="bench_worklist")
    return p


def main(argv: list[str] | None = None) -> list[Result]:
    args = parser().parse_args(argv)
    if args.smoke:
        args.cases, args.district_cases, args.runs, args.page, args.size = 3_000, 1_500, 5, 3, 20
    print(f"bench/worklist: {args.cases:,} cases, p50/p95 over {args.runs} runs, {args.size} rows a page; {machine()}")
    if args.mongo_uri:
        return run(args.mongo_uri, args.database, args)
    with tempfile.TemporaryDirectory(prefix="bench-worklist-") as tmp, \
            DevMongo(Path(tmp) / "mongo", free_port()) as mongo:
        return run(mongo.uri, args.database, args)


if __name__ == "__main__":
    main()
