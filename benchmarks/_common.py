"""What the benchmarks share: one percentile, one way to print their table and figures, and `--quick`.

House rule: a benchmark prints a readable table (`print_table`) and, as its last line, one JSON object
of its figures (`print_figures`), measured against a baseline run in the same process.

The scripts import it as `benchmarks._common`, with the repository's root on `sys.path`.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

Cell = str | int | float | None

# --- measuring -----------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile of `values` (0 ≤ q ≤ 100), by linear interpolation between closest ranks.

    The value at position (n − 1) × q / 100 of the sorted values, interpolated between its two
    neighbours: numpy's default (`numpy.percentile(values, q)`, method "linear", Hyndman and Fan's
    type 7) and `statistics.quantiles(values, n=100, method="inclusive")[q - 1]` for a whole q. So
    `percentile(values, 50)` is `statistics.median(values)`, the 0th is the minimum, the 100th the maximum.
    """
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} outside 0–100")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Latency:
    """A series of timed calls, summed up (the unit is the caller's: milliseconds in the benchmarks)."""

    calls: int
    p50: float
    p99: float
    max: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Latency:
        return cls(len(values), percentile(values, 50), percentile(values, 99), max(values))

    def cells(self) -> list[Cell]:
        """The four figures as table cells: calls, p50, p99, max."""
        return [self.calls, self.p50, self.p99, self.max]


LATENCY_COLUMNS = ("appels", "p50 ms", "p99 ms", "max ms")


# --- printing ------------------------------------------------------------------------------------------


def format_cell(value: Cell, digits: int = 2) -> str:
    """`None` → `—`, an int with thin spaces (`200 000`), a float with `digits` decimals, text as it is."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u202f")
    if isinstance(value, float):
        return f"{value:,.{digits}f}".replace(",", "\u202f")
    return value


def table(columns: Sequence[str], rows: Iterable[Sequence[Cell]], *, title: str = "", digits: int = 2) -> str:
    """A plain-text table: the first column (the rows' labels) on the left, the figures on the right."""
    lines = [[format_cell(cell, digits) for cell in row] for row in rows]
    header = list(columns)
    for line in lines:
        if len(line) != len(header):
            raise ValueError(f"{len(line)} cells for {len(header)} columns: {line}")
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]

    def render(cells: Sequence[str]) -> str:
        first, *rest = zip(cells, widths, strict=True)
        return "  ".join([first[0].ljust(first[1]), *(cell.rjust(width) for cell, width in rest)])

    rule = "-" * len(render(header))
    out = [title] if title else []
    out += [render(header), rule, *(render(line) for line in lines)]
    return "\n".join(line.rstrip() for line in out)


def print_table(
    columns: Sequence[str], rows: Iterable[Sequence[Cell]], *, title: str = "", digits: int = 2
) -> None:
    print(table(columns, rows, title=title, digits=digits), flush=True)


def print_figures(figures: Mapping[str, Cell]) -> None:
    """The benchmark's last line: one JSON object of its figures, a baseline's among them."""
    if not any(key.startswith("baseline") for key in figures):
        raise ValueError(f"no baseline figure among {sorted(figures)}")
    print(json.dumps(dict(figures)), flush=True)


# --- options -------------------------------------------------------------------------------------------


def parse_args(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None, quick: Mapping[str, object]
) -> argparse.Namespace:
    """The parser's arguments, with `--quick`: `quick`'s values become the defaults (a run of a few
    seconds, for the tests); options given explicitly still win."""
    sizes = ", ".join(f"--{name.replace('_', '-')} {value}" for name, value in quick.items())
    parser.add_argument("--quick", action="store_true", help=f"a run of a few seconds: {sizes}")
    args = parser.parse_args(argv)
    if args.quick:
        parser.set_defaults(**quick)
        args = parser.parse_args(argv)
    return args
