"""bench/worklist runs end to end with small numbers (the full run's figures are in docs/benchmarks.md): it
seeds, builds the indexes, checks each page against a raw find of the same filter and sort, and times it."""

from __future__ import annotations

from bench import worklist


def test_bench_worklist_smoke(mongodb_uri: str, db_name: str) -> None:
    results = worklist.main(["--smoke", "--mongo-uri", mongodb_uri, "--database", f"bench_{db_name}"])
    assert len(results) == 6
    for result in results:
        assert result.rows > 0, result.scenario.name  # each scenario's page has rows (a deep page included)
        assert result.indexes, f"{result.scenario.name}: the main find scans the collection"
        assert len(result.worklist.ms) == len(result.baseline.ms) == 5
    deep = [r for r in results if r.scenario.page > 1]
    assert deep and all(r.context for r in deep)  # skip and one-find $or measured beside the keyset
