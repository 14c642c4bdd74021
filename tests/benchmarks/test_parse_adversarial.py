"""benchmarks/parse_adversarial.py --quick runs and ends on one JSON line of its figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "parse_adversarial.py"
CASES = {"nested cards", "flat cards", "long line", "deep nesting", "digit run"}


def test_quick_run_prints_linear_figures_as_json() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"], capture_output=True, text=True, timeout=300, check=True
    )
    lines = done.stdout.strip().splitlines()
    assert len(lines) > 3  # a table first
    figures = json.loads(lines[-1])
    assert {"sizes_kb", "baseline_ms", "cases", "worst_ms_per_100kb", "max_growth"} <= set(figures)
    assert set(figures["cases"]) == CASES
    for name, case in figures["cases"].items():
        assert {"ms", "ms_per_100kb", "vs_baseline", "growth", "refused"} <= set(case), name
        assert len(case["ms"]) == len(case["refused"]) == len(figures["sizes_kb"])
        assert case["growth"] > 0, (name, case)
    # No timing is asserted here: on a loaded machine the quick sizes' growth varies by 2×. Linearity is
    # the full benchmark's figure; the parsers' own tests bound the hostile shapes (tests/pages).
    # Nested deeper than checks.BARE_LEVELS without text: refused at once, and shown so.
    assert all(figures["cases"]["deep nesting"]["refused"])
    assert not any(figures["cases"]["nested cards"]["refused"])
    assert "refused" in "\n".join(lines[:-1])
