"""The benchmarks' shared percentile and printer."""

from __future__ import annotations

import json
import random
import statistics

import pytest

from benchmarks._common import Latency, format_cell, percentile, print_figures, print_table, table


def test_percentile_interpolates_between_closest_ranks() -> None:
    values = [15.0, 20.0, 35.0, 40.0, 50.0]
    assert percentile(values, 0) == 15.0
    assert percentile(values, 100) == 50.0
    assert percentile(values, 50) == 35.0
    assert percentile(values, 25) == 20.0
    assert percentile(values, 40) == pytest.approx(29.0)  # position 1.6: 20 + 0.6 × 15
    assert percentile([1.0, 2.0, 3.0, 4.0], 99) == pytest.approx(3.97)  # position 2.97
    assert percentile(list(range(1, 101)), 99) == pytest.approx(99.01)
    assert percentile([7.0], 99) == 7.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0  # unsorted input


def test_percentile_is_the_standard_library_s_inclusive_quantile() -> None:
    rng = random.Random(9)
    for size in (2, 3, 10, 150, 500, 1001):
        values = [rng.expovariate(1.0) for _ in range(size)]
        cuts = statistics.quantiles(values, n=100, method="inclusive")
        for q in (1, 25, 50, 90, 99):
            assert percentile(values, q) == pytest.approx(cuts[q - 1])
        assert percentile(values, 50) == pytest.approx(statistics.median(values))


def test_percentile_refuses_nothing_and_out_of_range() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_latency_sums_up_a_series() -> None:
    figures = Latency.of([float(v) for v in range(1, 101)])
    assert (figures.calls, figures.p50, figures.max) == (100, 50.5, 100.0)
    assert figures.p99 == pytest.approx(99.01)


def test_table_aligns_labels_left_and_figures_right() -> None:
    text = table(("", "appels", "p99 ms"), [["note", 500, 5.0], ["baseline", 12_000, None]], title="T")
    assert text.splitlines() == [
        "T",
        "          appels  p99 ms",
        "------------------------",
        "note         500    5.00",
        "baseline  12\u202f000       —",
    ]
    assert format_cell(0.12345, 3) == "0.123"
    with pytest.raises(ValueError):
        table(("a", "b"), [["only one"]])


def test_the_printer_s_last_line_is_the_figures_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    figures = {"reviews": 2000, "reviews_per_s": 65598, "baseline_per_s": 239587, "ratio": 0.274}
    print_table(("", "critiques/s"), [["critibot", 65598], ["baseline", 239587]])
    print_figures(figures)
    lines = capsys.readouterr().out.splitlines()
    assert lines[-3].startswith("critibot")
    assert json.loads(lines[-1]) == figures


def test_figures_without_a_baseline_are_refused() -> None:
    with pytest.raises(ValueError, match="baseline"):
        print_figures({"p99_ms": 3.0})
