"""``python -m bench exports`` / ``python -m bench.exports [--cases N] [--mongo-uri URI] [--rounds R]``: the
case-list export and the national monthly PDF.

**Case list.** A fresh nx-27017 (the dev stack's MongoDB; ``--mongo-uri`` for another server) is seeded in bulk
(``insert_many``, as ``bench/worklist_seed.py`` does) with ``--cases`` (default 150,000) cases, all in district
4701, then the service's and the worklist's indexes are built. Each variant runs in its own subprocess, so its
peak resident memory (``ru_maxrss``) is its own:
- ``export``: ``casework.case_export.write_case_list`` as the worker runs it — the count (one aggregate), keyset
  pages in the scope's index order read one or two pages ahead by a thread, each row made into cells (Thai
  labels, names, BE dates, baht, texts made safe) and written into XlsxWriter's ``constant_memory`` mode, the
  frozen header, the autofilter;
- ``raw``: the baseline — the same pages (same reader, same thread ahead) and XlsxWriter ``constant_memory``
  writing the stored values of 13 fields with its own ``write_row``, no labels, no formatting;
- ``read``: the export's pages alone (every document read, nothing written), to show what the store costs;
- ``find``: the read before this change — one ``find`` with the worklist's projection in index order;
- ``export`` again under tracemalloc (not timed: tracemalloc slows Python) for the peak of Python allocations;
- ``export-mem`` and ``raw-mem``: the same two writers fed from memory (the scope's first 5,000 documents read
  once, then served 30 times over as pages by a stand-in), so the writers' own cost shows without the store's.

**National PDF.** The nation's monthly report (77 provinces' rows, every figure and a month of daily rows for
each of the 928 districts in a stand-in for ``TotalsView``) read with ``exports.report.from_view`` and drawn with
``exports.pdf_report.report_pdf`` in a fresh subprocess: the first report (font parsed, word dictionary loaded)
and then the warm mean of three.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from datetime import date
from pathlib import Path
from typing import Any

from pymongo import MongoClient

from bench.intake import machine
from bench.worklist_seed import HOT_DISTRICT, documents

CASES = 150_000
GOAL_SECONDS = 15.0
GOAL_MB = 300.0
GOAL_PDF_SECONDS = 3.0
VARIANTS = ("find", "read", "raw", "export", "traced", "raw-mem", "export-mem")
RAW_FIELDS = ("receipt_no", "citizen_id", "province_code", "district_code", "subdistrict_code", "status",
              "created_at", "next_action_due", "excessive_interest", "threatened", "collateral_held", "assigned_to",
              "transfer_to")


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Count:
    """Progress as the worker reports it, without the job record (the count is still read)."""

    def total(self, total: int) -> None:
        self.rows = total

    def step(self, done: int) -> None:
        pass


def _child_cases(variant: str, uri: str, database: str, out_dir: Path) -> dict[str, Any]:
    from registration.casework.case_export import _ahead, read_pages, write_case_list
    from registration.casework.case_export_rows import ORDER, ExportScope
    from registration.casework.worklist import PROJECTION, on_nx_27017
    from registration.casework.worklist_cursor import field_value
    from registration.casework.worklist_nx import for_nx_27017

    client: MongoClient[dict[str, Any]] = MongoClient(uri, tz_aware=True)
    cases = client[database]["cases"]
    nx = on_nx_27017(cases)
    scope = ExportScope("district", HOT_DISTRICT)
    where = for_nx_27017(scope.filter()) if nx else scope.filter()
    path = out_dir / f"{variant}.xlsx"
    rows = 0
    if variant.endswith("-mem"):
        sample = next(read_pages(cases, scope.filter(), nx_27017=nx, page=5000), [])
        cases = _Repeat(sample, CASES // len(sample) if sample else 0)  # type: ignore[assignment]
    started = time.perf_counter()
    if variant in ("export", "traced", "export-mem"):
        if variant == "traced":
            tracemalloc.start()
        rows = write_case_list(cases, scope, path, nx_27017=nx, progress=_Count())  # type: ignore[arg-type]
    elif variant in ("raw", "raw-mem"):
        import xlsxwriter  # type: ignore[import-untyped]

        book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": str(out_dir)})
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, RAW_FIELDS)
        for page in _ahead(read_pages(cases, scope.filter(), nx_27017=nx), threading.Event()):
            for doc in page:
                rows += 1
                values = [field_value(doc, f) for f in RAW_FIELDS]
                values[6] = str(values[6])
                sheet.write_row(rows, 0, values)
        book.close()
    elif variant == "read":  # the export's read: its pages, every document read, nothing written
        for page in read_pages(cases, scope.filter(), nx_27017=nx):
            rows += len(page)
    else:  # "find": the read before (one find in index order, the worklist's projection)
        for _ in cases.find(where, PROJECTION).sort(ORDER).batch_size(2000):
            rows += 1
    seconds = time.perf_counter() - started
    result = {"variant": variant, "rows": rows, "seconds": seconds, "maxrss_mb": _maxrss_mb(),
              "bytes": path.stat().st_size if path.exists() else 0}
    if variant == "traced":
        result["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    client.close()
    return result


class _Repeat:
    """A stand-in for the cases collection: the same documents served ``times`` over, as the export's pages (in
    the pages' order; the keyset bound is not applied: each call gives the next ``$limit`` documents)."""

    def __init__(self, docs: list[dict[str, Any]], times: int) -> None:
        self.docs, self.times, self.given = docs, times, 0

    def _all(self) -> Any:
        return (doc for _ in range(self.times) for doc in self.docs)

    def aggregate(self, pipeline: list[dict[str, Any]], **_: Any) -> list[dict[str, Any]]:
        if "$group" in pipeline[1]:
            return [{"_id": None, "n": len(self.docs) * self.times}]
        limit = pipeline[2]["$limit"]
        total = len(self.docs) * self.times
        found = [self.docs[i % len(self.docs)] for i in range(self.given, min(self.given + limit, total))]
        self.given += len(found)
        return found


class _NationTotals:
    """``TotalsView``'s reads over random figures: every district with all figures and 30 days of daily rows."""

    def __init__(self, period: str) -> None:
        import geothai

        from reporting.totals.figures import DAILY, FIGURES

        rnd = random.Random(11)  # noqa: S311 - test data, the same every run
        self.rows: dict[tuple[str, str, str | None], dict[str, int]] = {}
        self._days: dict[tuple[str, str], set[str]] = {}
        days = [f"{period}-{d:02d}" for d in range(1, 31)]
        for p in geothai.provinces():
            for d in geothai.districts(p.code):
                self._add(d.code, {k: rnd.randrange(0, 5000) for k in FIGURES}, None)
                for day in days:
                    self._add(d.code, {k: rnd.randrange(0, 20) for k in DAILY}, day)

    def _add(self, district: str, figures: dict[str, int], day: str | None) -> None:
        for unit in (("district", district), ("province", district[:2]), ("nation", "")):
            row = self.rows.setdefault((*unit, day), {})
            for name, value in figures.items():
                row[name] = row.get(name, 0) + value
            if day is not None:
                self._days.setdefault(unit, set()).add(day)

    def figures(self, level: str, code: str, day: str | None = None) -> dict[str, int]:
        return dict(self.rows.get((level, code, day), {}))

    def days(self, level: str, code: str) -> list[str]:
        return sorted(self._days.get((level, code), ()))

    def units(self, level: str, parent: str = "") -> list[str]:
        return sorted({c for (lv, c, d) in self.rows if lv == level and d is None and c.startswith(parent)})


def _child_pdf() -> dict[str, Any]:
    from reporting.exports.pdf_report import report_pdf
    from reporting.exports.report import from_view

    source = _NationTotals("2026-11")
    timings = []
    size = pages = 0
    for _ in range(4):
        started = time.perf_counter()
        report = from_view(source, "nation", "TH", "2026-11", date(2026, 12, 1))
        data = report_pdf(report)
        timings.append(time.perf_counter() - started)
        size, pages = len(data), data.count(b"/Type /Page") - data.count(b"/Type /Pages")
    return {"variant": "pdf", "first_s": timings[0], "warm_s": sum(timings[1:]) / 3, "bytes": size, "pages": pages,
            "provinces": len(report.children), "maxrss_mb": _maxrss_mb()}


def _in_subprocess(*args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "bench.exports", "--child", *args], check=True,
                         capture_output=True, text=True, timeout=3600)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _seed(uri: str, database: str, count: int) -> None:
    from registration.cases.store import CaseRepository
    from registration.casework.worklist import ensure_worklist_indexes

    client: MongoClient[dict[str, Any]] = MongoClient(uri, tz_aware=True)
    db = client[database]
    started = time.perf_counter()
    pending: list[dict[str, Any]] = []
    for doc in documents(count, count):
        pending.append(doc)
        if len(pending) == 2000:
            db["cases"].insert_many(pending, ordered=False)
            pending = []
    if pending:
        db["cases"].insert_many(pending, ordered=False)
    seeded = time.perf_counter() - started
    CaseRepository(db).ensure_indexes()
    ensure_worklist_indexes(db["cases"])
    print(f"seeded {count:,} cases in district {HOT_DISTRICT} in {seeded:.0f} s, indexes in "
          f"{time.perf_counter() - started - seeded:.0f} s")
    client.close()


def run(uri: str, database: str, args: argparse.Namespace) -> None:
    print(f"bench/exports: {args.cases:,} cases; {machine()}")
    if not args.seeded:
        _seed(uri, database, args.cases)
    with tempfile.TemporaryDirectory() as out:
        print(f"{'round':>5} {'variant':<8} {'rows':>8} {'seconds':>8} {'max RSS MB':>11} {'tracemalloc MB':>15} "
              f"{'xlsx MB':>8}")
        for round_no in range(1, args.rounds + 1):
            results = {v: _in_subprocess("cases", v, uri, database, out) for v in args.variants}
            for r in results.values():
                traced = f"{r['tracemalloc_peak_mb']:.1f}" if "tracemalloc_peak_mb" in r else ""
                seconds = "" if r["variant"] == "traced" else f"{r['seconds']:.2f}"
                print(f"{round_no:>5} {r['variant']:<8} {r['rows']:>8,} {seconds:>8} {r['maxrss_mb']:>11.0f} "
                      f"{traced:>15} {r['bytes'] / 2**20:>8.1f}")
            for suffix in ("", "-mem"):
                export, raw = results.get(f"export{suffix}"), results.get(f"raw{suffix}")
                if export is None or raw is None:
                    continue
                print(f"      export{suffix}/raw{suffix}: time {export['seconds'] / raw['seconds']:.2f}, max RSS "
                      f"{export['maxrss_mb'] / raw['maxrss_mb']:.2f}; goals: < {GOAL_SECONDS:.0f} s "
                      f"({'met' if export['seconds'] < GOAL_SECONDS else 'MISSED'}), < {GOAL_MB:.0f} MB "
                      f"({'met' if export['maxrss_mb'] < GOAL_MB else 'MISSED'})")
    for round_no in range(1, args.rounds + 1 if args.pdf else 1):
        pdf = _in_subprocess("pdf")
        print(f"{round_no:>5} national PDF: {pdf['provinces']} provinces, {pdf['pages']} pages, "
              f"{pdf['bytes'] / 1024:.0f} KB; first {pdf['first_s']:.2f} s (font, dictionary), warm "
              f"{pdf['warm_s']:.2f} s; max RSS {pdf['maxrss_mb']:.0f} MB; goal < {GOAL_PDF_SECONDS:.0f} s "
              f"({'met' if pdf['first_s'] < GOAL_PDF_SECONDS else 'MISSED'})")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.exports")
    parser.add_argument("--cases", type=int, default=CASES)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--mongo-uri", default=None)
    parser.add_argument("--database", default="bench_exports")
    parser.add_argument("--seeded", action="store_true", help="the database already holds the cases (--mongo-uri)")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--no-pdf", dest="pdf", action="store_false", help="skip the national PDF")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        if args.child[0] == "pdf":
            print(json.dumps(_child_pdf()))
        else:
            _, variant, uri, database, out = args.child
            print(json.dumps(_child_cases(variant, uri, database, Path(out))))
        return
    if args.mongo_uri:
        run(args.mongo_uri, args.database, args)
        return
    from infra.dev.mongo import DevMongo
    from infra.dev.testing import free_port

    with tempfile.TemporaryDirectory() as tmp, DevMongo(Path(tmp) / "mongo", free_port()) as mongo:
        run(mongo.uri, args.database, args)


if __name__ == "__main__":
    main(sys.argv[1:])
