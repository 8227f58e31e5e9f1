"""``python -m bench [name] [options]``: runs one benchmark (default: every benchmark)."""

from __future__ import annotations

import sys
from collections.abc import Callable

from bench import exports, faust_ceiling, intake, notify, reporting, startup

BENCHMARKS: dict[str, Callable[[list[str]], None]] = {"intake": intake.main, "startup": startup.main,
                                                      "exports": exports.main, "reporting": reporting.main,
                                                      "notify": notify.main, "faust-ceiling": faust_ceiling.main}


def main(argv: list[str]) -> None:
    if argv and argv[0] in ("-h", "--help"):
        print(f"usage: python -m bench [{'|'.join(BENCHMARKS)}] [options]")
        return
    if argv and not argv[0].startswith("-"):
        name, rest = argv[0], argv[1:]
        if name not in BENCHMARKS:
            raise SystemExit(f"unknown benchmark {name!r}; one of {sorted(BENCHMARKS)}")
        BENCHMARKS[name](rest)
        return
    for run in BENCHMARKS.values():
        run(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
