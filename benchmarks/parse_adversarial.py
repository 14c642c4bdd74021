"""How long the page parsers take on hostile pages of growing size, against a normal page of each size.

Pages (built here, no corpus needed): nested `review-card`s (each card left open, so every later card
sits inside it), 10 000 flat cards, one 5 MB line, deep nesting, long runs of digit-only lines after
the last card. Parsing must grow linearly with the page and stay at most 50 ms per 100 KB at every
size up to 5 MB.

    .venv/bin/python benchmarks/parse_adversarial.py            # 100 KB … 5 MB
    .venv/bin/python benchmarks/parse_adversarial.py --quick    # small sizes, for the test suite

A page the parser refuses (a PageError, e.g. HTML nested deeper than checks.BARE_LEVELS without text)
is timed all the same, and marked "refused" in the table and the JSON (`refused`, per size).

Prints a table, then, as its last line, one JSON object of its figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage.pages import PageError, parse_page

KB = 1024
SIZES = [100 * KB, 500 * KB, 1024 * KB, 2048 * KB, 5 * 1024 * KB]
QUICK_SIZES = [20 * KB, 40 * KB, 80 * KB]
BUDGET_MS_PER_100KB = 50.0
TEXT = (
    "Un film étonnant, qui commence comme une comédie et finit comme un drame. Les acteurs sont justes, "
    "la mise en scène soignée, et la fin reste longtemps en tête."
)
HEAD = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Critiques spectateurs du film Titre - '
    'AlloCiné</title></head><body><h1>Titre</h1><div class="reviews">'
)
TAIL = "</div></body></html>"


def _card(n: int, *, closed: bool = True, named: bool = True) -> str:
    name = f'<div class="meta-title"><span class="meta-title-link">Membre {n}</span></div>' if named else ""
    card = (
        f'<div class="hred review-card cf" id="review_{n}"><div class="review-card-aside">'
        f'<div class="review-card-user-infos cf"><div class="meta">{name}'
        '<div class="meta-content light"><span class="meta-sub">12 abonnés</span> '
        '<span class="meta-sub">34 critiques</span></div></div></div></div>'
        '<div class="review-card-review-holder"><div class="review-card-meta">'
        '<div class="rating-mdl n35 stareval-stars"></div><span class="stareval-note">3,5</span>'
        '<span class="review-card-meta-date light">Publiée le 25 janvier 2023</span></div>'
        f'<div class="content-txt review-card-content">{TEXT} ({n})</div></div>'
    )
    return card + "</div>" if closed else card


def _repeat(size: int, piece: Callable[[int], str], head: str = HEAD, tail: str = TAIL) -> str:
    parts, total, n = [head], len(head) + len(tail), 0
    while total < size:
        parts.append(piece(n))
        total += len(parts[-1].encode())
        n += 1
    parts.append(tail)
    return "".join(parts)


def normal_page(size: int) -> str:
    """The baseline: a spectator page of ordinary cards, as long as asked."""
    return _repeat(size, _card)


def nested_cards(size: int) -> str:
    """Every card left open, its name missing: each card's fields would be looked for in all later ones."""
    return _repeat(size, lambda n: _card(n, closed=False, named=n % 2 == 0))


def flat_cards(size: int) -> str:
    """Many tiny cards side by side (10 000 at about 3 MB)."""
    piece = (
        '<div class="review-card"><span class="review-card-meta-date">Publiée le 2 mars 2021</span>'
        '<div class="content-txt review-card-content">Bien.</div></div>'
    )
    return _repeat(size, lambda n: piece)


def long_line(size: int) -> str:
    """A text page whose last review is one line of `size` bytes."""
    head = "Titre\nMembre\n12 abonnés 3 critiques\n3,0\nPubliée le 25 janvier 2023\n"
    return head + ("mot " * (size // 4))[: size - len(head) - 4] + "fin."


def deep_nesting(size: int) -> str:
    """Elements nested as deep as the page allows, a card at the bottom."""
    depth = size // 12
    return HEAD + "<div><span>" * depth + _card(0) + "</span></div>" * depth + TAIL


def digit_run(size: int) -> str:
    """A text page: one card, then digit-only lines (a pager gone wrong) to the end."""
    head = "Titre\nMembre\n12 abonnés 3 critiques\n3,0\nPubliée le 25 janvier 2023\n" + TEXT + "\n"
    return head + "1\n" * ((size - len(head)) // 2)


CASES: dict[str, Callable[[int], str]] = {
    "nested cards": nested_cards,
    "flat cards": flat_cards,
    "long line": long_line,
    "deep nesting": deep_nesting,
    "digit run": digit_run,
}


def _time(page: str, limit: float | None) -> tuple[float, bool]:
    """Seconds to read the page, and whether it was refused (a PageError: the time to say so counts)."""
    raw = page.encode()
    refused = False
    start = time.perf_counter()
    try:
        parse_page(raw, time_limit=limit)
    except PageError:
        refused = True
    return time.perf_counter() - start, refused


def _best(page: str, repeat: int) -> tuple[float, bool]:
    runs = [_time(page, None) for _ in range(repeat)]
    return min(t for t, _ in runs), any(refused for _, refused in runs)


def run(sizes: list[int], repeat: int) -> dict[str, object]:
    figures: dict[str, object] = {"sizes_kb": [size // KB for size in sizes], "budget_ms_per_100kb": 50.0}
    baseline = [_best(normal_page(size), repeat)[0] for size in sizes]
    figures["baseline_ms"] = [round(t * 1000, 1) for t in baseline]
    baseline_per_100kb = [
        round(t * 1000 / (size / (100 * KB)), 1) for t, size in zip(baseline, sizes, strict=True)
    ]
    figures["baseline_ms_per_100kb"] = baseline_per_100kb
    worst = max(baseline_per_100kb)  # the budget holds for every page, the normal one included
    cases: dict[str, dict[str, object]] = {}
    for name, build in CASES.items():
        timed = [_best(build(size), repeat) for size in sizes]
        times = [t for t, _ in timed]
        per_100kb = [t * 1000 / (size / (100 * KB)) for t, size in zip(times, sizes, strict=True)]
        # Time grows as size to this power between the smallest and the largest page: 1 is linear.
        growth = (times[-1] / times[0]) / (sizes[-1] / sizes[0])
        worst = max(worst, *per_100kb)
        cases[name] = {
            "ms": [round(t * 1000, 1) for t in times],
            "ms_per_100kb": [round(v, 1) for v in per_100kb],
            "vs_baseline": [round(t / b, 2) for t, b in zip(times, baseline, strict=True)],
            "growth": round(growth, 2),
            "refused": [refused for _, refused in timed],  # refused pages: timed all the same
        }
    figures["cases"] = cases
    figures["worst_ms_per_100kb"] = round(worst, 1)
    figures["max_growth"] = max(case["growth"] for case in cases.values())  # type: ignore[type-var]
    return figures


def _table(figures: dict[str, object]) -> str:
    sizes = figures["sizes_kb"]
    assert isinstance(sizes, list)
    header = ["page"] + [f"{s} KB" for s in sizes] + ["growth"]
    normal = zip(figures["baseline_ms"], figures["baseline_ms_per_100kb"], strict=True)  # type: ignore[call-overload]
    rows = [["normal (baseline)"] + [f"{t} ms ({p}/100KB)" for t, p in normal] + ["-"]]
    for name, case in figures["cases"].items():  # type: ignore[attr-defined]
        cells = [
            f"{t} ms ({p}/100KB){' refused' if refused else ''}"
            for t, p, refused in zip(case["ms"], case["ms_per_100kb"], case["refused"], strict=True)
        ]
        rows.append([name, *cells, str(case["growth"])])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a few seconds)")
    parser.add_argument("--repeat", type=int, default=None, help="runs per page, the best kept")
    args = parser.parse_args(argv)
    sizes = QUICK_SIZES if args.quick else SIZES
    figures = run(sizes, args.repeat or (3 if args.quick else 2))
    print(_table(figures))
    print(
        f"worst {figures['worst_ms_per_100kb']} ms per 100 KB (budget {BUDGET_MS_PER_100KB}); "
        f"largest growth {figures['max_growth']} (1 = linear)"
    )
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
