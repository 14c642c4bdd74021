"""Each benchmark runs in its quick mode and ends with one JSON line of its figures (the house rule)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent.parent / "benchmarks"

FIGURES = {
    "autocomplete.py": {
        "films",
        "rate",
        "calls",
        "p50_ms",
        "p99_ms",
        "max_ms",
        "baseline_p50_ms",
        "baseline_p99_ms",
        "allocine_offered",
        "searches",
    },
    "bot_load.py": {
        "films",
        "rate",
        "calls",
        "autocomplete_p50_ms",
        "autocomplete_p99_ms",
        "note_p50_ms",
        "note_p99_ms",
        "errors",
        "rss_mb",
        "rss_peak_mb",
        "baseline_p50_ms",
        "baseline_p99_ms",
    },
    "ingest.py": {"reviews", "reviews_per_s", "baseline_per_s", "ratio"},
    "charts.py": {
        "films",
        "first_chart_ms",
        *(
            f"{c}_{w}_{f}"
            for c in ("note", "trend", "digest")
            for w in ("cold", "cached")
            for f in ("p50_ms", "p99_ms")
        ),
        *(f"{c}_cold_cpu_p99_ms" for c in ("note", "trend", "digest")),
        "baseline_p50_ms",
        "baseline_p99_ms",
        "baseline_cpu_p99_ms",
        "rss_before_mb",
        "rss_after_first_mb",
        "rss_growth_mb",
        "rss_end_mb",
        "png_max_kb",
    },
    "refresh_budget.py": {
        "films",
        "active_p95_h",
        "other_p95_h",
        "baseline_active_p95_h",
        "baseline_other_p95_h",
        "requests",
        "baseline_requests",
        "budget",
        "budget_peak_use",
        "baseline_budget_peak_use",
        "lost",
        "baseline_lost",
        "pick_ms_per_film",
    },
    "lookup.py": {
        "titles",
        "p50_ms",
        "p99_ms",
        "top1",
        "baseline_p99_ms",
        "baseline_top1",
        *(
            f"{figure}_{kind}"
            for kind in ("numbers", "sequel", "year", "year_title", "spacing", "part")
            for figure in ("top1", "found")
        ),
    },
    "answers.py": {
        "films",
        "reviews",
        "calls",
        "store_page_s",
        "baseline_p50_ms",
        "baseline_p99_ms",
        *(f"{c}_{f}" for c in ("note", "presse", "citation") for f in ("p50_ms", "p99_ms", "p99_ratio")),
    },
}


# Benchmarks whose figures are not flat numbers have a test of their own.
OWN_TEST = {"parse_adversarial.py": "test_parse_adversarial.py"}


def test_every_benchmark_is_covered() -> None:
    scripts = {p.name for p in BENCHMARKS.glob("*.py") if not p.name.startswith("_")}
    assert scripts == set(FIGURES) | set(OWN_TEST)
    assert all((Path(__file__).parent / test).is_file() for test in OWN_TEST.values())


@pytest.mark.parametrize("script", sorted(FIGURES))
def test_quick_run_ends_with_its_figures_as_json(script: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--quick"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    figures = json.loads(lines[-1])
    assert set(figures) == FIGURES[script]
    assert all(isinstance(value, int | float) and value >= 0 for value in figures.values())
    assert any(line.startswith("-----") for line in lines[:-1])  # the table came before
