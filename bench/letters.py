"""bench/letters: a 500-letter batch PDF (the official invitation letters a district prints from its worklist) —
seconds and peak memory, against a baseline measured in the same run.

Measured: ``casework.letters`` composing and drawing 500 letters into one PDF (Sarabun 16 pt, HarfBuzz shaping,
word-boundary wrapping with pythainlp, the drawn Garuda on every letter), as ``POST /casework/letters`` does
before it records the sending. Baseline: the same 500 letters' text written with plain fpdf2 and the same font,
without shaping or word segmentation (``multi_cell`` breaks lines at spaces, or anywhere), no emblem.

Each variant runs in a fresh subprocess, so its peak resident memory (``ru_maxrss``) is its own. Inside it the
cold first letter (fonts parsed, word dictionary loaded) is timed apart; then the batch (composing the letters'
text and drawing them) is timed, and drawn once more under tracemalloc for the peak of Python allocations
(tracemalloc slows Python several times over, so that run is not timed). The cases are built in memory (no
database): the rendering is what is measured.

``python -m bench.letters [--letters N] [--rounds R]``
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

LETTERS = 500
DATED = date(2026, 1, 15)


def _cases(count: int) -> Iterator[Any]:
    """A district's worth of cases: varied names, a third with a session booked, a quarter flagged for
    excessive interest (their letters run to two pages)."""
    from registration.cases.case import Case, MediationSession, Status
    from registration.cases.model import Address, Channel, Debtor, Totals

    given = ("สมศรี", "สมชาย", "บุญเรือน", "ประยูร", "วิไลวรรณ", "ทองใบ", "จันทร์เพ็ญ", "สุรศักดิ์")
    family = ("ใจดี", "รักษ์ไทย", "ศรีสกุลวงศ์", "บุญประเสริฐ", "แก้วมณีโชติ", "พรหมวิหาร")
    registered = datetime(2025, 12, 1, 3, 0, tzinfo=UTC)
    for i in range(count):
        debtor = Debtor(f"1{i:012d}", given[i % len(given)], family[i % len(family)],
                        Address(f"{i % 200} หมู่ {i % 12 + 1}", "470101", "4701", "47", "47000"),
                        title=("นาย", "นาง", "นางสาว")[i % 3])
        sessions: tuple[MediationSession, ...] = ()
        if i % 3 == 0:
            sessions = (MediationSession(1, datetime(2026, 1, 20 + i % 7, 2, 30, tzinfo=UTC),
                                         "ห้องประชุมศูนย์ดำรงธรรมอำเภอเมืองสกลนคร", "นายไกล่ ประนอม"),)
        yield Case(id=f"case-{i}", receipt_no=f"47-2568-{i + 1:06d}", campaign="2568", revision=2,
                   channel=Channel.SELF_ONLINE, province_code="47", district_code="4701", debtor=debtor, creditors=(),
                   totals=Totals(1, 1, 2_000_000, 2_600_000), created_at=registered + timedelta(minutes=i),
                   updated_at=registered, excessive_interest=i % 4 == 0, sessions=sessions,
                   status=Status.IN_MEDIATION if sessions else Status.NEW)


def _texts(count: int) -> list[Any]:
    from registration.casework.letter_settings import default_settings, letter_number
    from registration.casework.letters import compose

    settings = replace(default_settings("4701"), signer_name="นายสมชาย รักษ์ไทย", phone="+6642711234")
    return [compose(case, settings, letter_number(settings.letter_prefix, i + 1), DATED)
            for i, case in enumerate(_cases(count))]


def _shaped(texts: list[Any]) -> tuple[bytes, int]:
    from registration.casework.letters import LetterPdf

    pdf = LetterPdf()
    for text in texts:
        pdf.add_letter(text)
    return pdf.render(), pdf.pages_count


def _plain(texts: list[Any]) -> tuple[bytes, int]:
    from fpdf import FPDF

    from registration.web.pdf import FONT_DIR

    pdf = FPDF(format="A4")
    pdf.add_font("Sarabun", "", str(FONT_DIR / "Sarabun-Regular.ttf"))
    pdf.set_margins(30, 15, 20)
    pdf.set_auto_page_break(True, 20)
    for text in texts:
        pdf.add_page()
        pdf.set_font("Sarabun", "", 16)
        for part in text.parts():
            pdf.multi_cell(0, 6.6, part, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output()), pdf.pages_count


def _measure(variant: str, count: int) -> dict[str, Any]:
    """One variant in this (fresh) process: the cold first letter, then the batch under tracemalloc."""
    render = {"shaped": _shaped, "plain": _plain}[variant]
    start = time.perf_counter()
    render(_texts(1))
    cold = time.perf_counter() - start
    start = time.perf_counter()
    data, pages = render(_texts(count))
    seconds = time.perf_counter() - start
    # Again under tracemalloc for the peak of Python allocations (tracemalloc slows the run; not timed).
    texts = _texts(count)
    tracemalloc.start()
    render(texts)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"variant": variant, "letters": count, "pages": pages, "bytes": len(data), "seconds": seconds,
            "cold_first_letter_s": cold, "tracemalloc_peak_mb": peak / 2**20,
            "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _in_subprocess(variant: str, count: int) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "bench.letters", "--child", variant, "--letters", str(count)],
                         check=True, capture_output=True, text=True, timeout=1800)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.letters")
    parser.add_argument("--letters", type=int, default=LETTERS)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--child", choices=("shaped", "plain"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_measure(args.child, args.letters)))
        return
    print(f"bench/letters: {args.letters} letters, {args.rounds} round(s); Python {platform.python_version()}, "
          f"{platform.machine()}")
    print(f"{'round':>5} {'variant':<8} {'pages':>6} {'PDF MB':>7} {'batch s':>8} {'ms/letter':>9} "
          f"{'cold s':>7} {'tracemalloc MB':>15} {'max RSS MB':>11}")
    for round_no in range(1, args.rounds + 1):
        results = {v: _in_subprocess(v, args.letters) for v in ("shaped", "plain")}
        for r in results.values():
            print(f"{round_no:>5} {r['variant']:<8} {r['pages']:>6} {r['bytes'] / 2**20:>7.2f} {r['seconds']:>8.2f} "
                  f"{1000 * r['seconds'] / r['letters']:>9.1f} {r['cold_first_letter_s']:>7.2f} "
                  f"{r['tracemalloc_peak_mb']:>15.1f} {r['maxrss_mb']:>11.0f}")
        shaped, plain = results["shaped"], results["plain"]
        print(f"      ratio shaped/plain: time {shaped['seconds'] / plain['seconds']:.2f}, "
              f"tracemalloc peak {shaped['tracemalloc_peak_mb'] / plain['tracemalloc_peak_mb']:.2f}, "
              f"max RSS {shaped['maxrss_mb'] / plain['maxrss_mb']:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
