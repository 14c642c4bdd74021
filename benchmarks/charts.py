"""How fast critibot draws its charts and what matplotlib costs in memory, against a bare matplotlib chart.

    .venv/bin/python benchmarks/charts.py            # 200 films: /note's, /tendance's and the digest's chart
    .venv/bin/python benchmarks/charts.py --quick    # 5 films: seconds (the tests run it)

From a fixed seed, each film gets a distribution (six bars 5 → 0, half of the films with a stored sample
beside it), a history of 2 to 30 refreshes (average and ratings count drifting, some refreshes changing
nothing), and a digest's moves (2 to 8 films, before → after). Each chart is drawn through
`bot.charts.png` with a cache as the bot's: **cold** is its first drawing (a cache miss: matplotlib
draws and encodes the PNG), **cached** the same data asked again (the bytes from the LRU). The very
first chart of the process imports matplotlib: it is timed apart, and the process's resident memory
(RSS, from /proc) is read before it and after it, then at the end.

The baseline is the least a chart can cost: a bare matplotlib Figure (Agg) with one `barh` of the same
six bars, saved as PNG at the same size, without labels, titles or styling. Targets: p99 ≤ 150 ms cold,
≤ 2 ms cached, RSS growth ≤ 60 MB at the first chart. Times are wall-clock (the targets'); the CPU time
of each drawing is shown beside them, since a machine busy with other work inflates wall-clock first.
"""

from __future__ import annotations

import argparse
import io
import random
import resource
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import (
    LATENCY_COLUMNS,
    Cell,
    Latency,
    TitleMaker,
    parse_args,
    print_figures,
    print_table,
)
from bot import charts
from storage.pages import STARS
from storage.queries import FiguresAt

QUICK = {"films": 5}
TARGET_COLD_MS = 150.0
TARGET_CACHED_MS = 2.0
TARGET_RSS_MB = 60.0


def rss_mb() -> float:
    """The process's resident memory now (VmRSS); the peak (ru_maxrss) where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def distribution(rng: random.Random, total: int) -> dict[str, int]:
    weights = [rng.random() ** 2 for _ in STARS]
    scale = sum(weights) or 1.0
    return {star: round(total * w / scale) for star, w in zip(STARS, weights, strict=True)}


def note_chart(rng: random.Random, film_id: int, title: str) -> charts.NoteChart:
    reviews = rng.randint(5, 5_000)
    site = charts.distribution(distribution(rng, reviews), round(rng.uniform(0.8, 4.8), 1))
    stored = None
    if rng.random() < 0.5:
        ratings = {rng.randint(1, 10) / 2: rng.randint(0, 40) for _ in range(8)}
        if any(ratings.values()):
            stored = charts.stored_distribution({r: n for r, n in ratings.items() if n})
    return charts.NoteChart(
        film_id=film_id,
        figures_at=datetime(2026, 11, 30, tzinfo=UTC) - timedelta(hours=rng.randint(0, 500)),
        film=title,
        site=site,
        ratings_count=reviews * rng.randint(2, 6),
        stored=stored,
    )


def trend_chart(rng: random.Random, film_id: int, title: str) -> charts.TrendChart:
    moment = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 200))
    average, ratings = rng.uniform(1.0, 4.6), rng.randint(10, 50_000)
    history = []
    for _ in range(rng.randint(2, 30)):
        if rng.random() < 0.7:  # the others change nothing: no new point
            average = min(5.0, max(0.5, round(average + rng.uniform(-0.15, 0.15), 1)))
            ratings += rng.randint(1, 400)
        history.append(FiguresAt(moment, average, ratings))
        moment += timedelta(hours=rng.choice((6, 12, 24, 72)))
    points = charts.trend_points(history)
    if len(points) < 2:  # /tendance draws only from two points: make it so
        points = (*points, charts.TrendPoint(moment, average + 0.1, ratings + 5))
    press = round(rng.uniform(1.5, 4.5), 1) if rng.random() < 0.6 else None
    return charts.TrendChart(film_id, title, points, press)


def moves_chart(rng: random.Random, day: date, titles: Sequence[str]) -> charts.MovesChart:
    moves = []
    for title in rng.sample(list(titles), rng.randint(2, min(8, len(titles)))):
        before = round(rng.uniform(1.0, 4.6), 1)
        after = round(min(5.0, max(0.5, before + rng.choice((-1, 1)) * rng.uniform(0.1, 0.6))), 1)
        if after == before:
            after = round(before + 0.1, 1)
        moves.append(charts.Move(title, before, after))
    return charts.MovesChart(day, tuple(moves))


def bare_bars(counts: dict[str, int]) -> bytes:
    """The baseline: one barh, no labels nor styling, the same size and format."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(charts.WIDTH / charts.DPI, charts.HEIGHT / charts.DPI), dpi=charts.DPI)
    FigureCanvasAgg(figure)
    figure.add_subplot(1, 1, 1).barh([int(s) for s in counts], list(counts.values()))
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=charts.DPI)
    return out.getvalue()


def timed(call: Callable[[], object], cpu: list[float] | None = None) -> float:
    """Wall-clock milliseconds of `call`; its CPU milliseconds appended to `cpu` (what a shared machine's
    other work does not inflate as much)."""
    start, start_cpu = time.perf_counter(), time.process_time()
    call()
    if cpu is not None:
        cpu.append((time.process_time() - start_cpu) * 1000)
    return (time.perf_counter() - start) * 1000


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--films", type=int, default=200, help="films: each gets the three charts")
    parser.add_argument("--seed", type=int, default=14)
    args = parse_args(parser, argv, QUICK)

    rng = random.Random(args.seed)
    maker = TitleMaker(rng)
    titles = [maker.french_title() for _ in range(args.films)]
    day = date(2026, 11, 30)
    kinds: dict[str, list[charts.Chart]] = {
        "/note": [note_chart(rng, i, t) for i, t in enumerate(titles)],
        "/tendance": [trend_chart(rng, i, t) for i, t in enumerate(titles)],
        "résumé": [moves_chart(rng, day - timedelta(days=i), titles) for i in range(args.films)],
    }
    bars = [distribution(rng, rng.randint(5, 5_000)) for _ in range(args.films)]
    cache = charts.PictureCache(size=4 * args.films)  # room for all: the second asks are hits

    assert "matplotlib" not in sys.modules, "matplotlib imported before the first chart"
    rss_before = rss_mb()
    first_ms = timed(lambda: charts.png(kinds["/note"][0], cache=cache))
    rss_first = rss_mb()

    cold: dict[str, list[float]] = {kind: [] for kind in kinds}
    cold_cpu: dict[str, list[float]] = {kind: [] for kind in kinds}
    warm: dict[str, list[float]] = {kind: [] for kind in kinds}
    sizes: list[int] = []
    baseline: list[float] = []
    baseline_cpu: list[float] = []
    for index in range(args.films):  # interleaved: a busy machine's noise hits every kind alike
        for kind, made in kinds.items():
            chart = made[index]
            if not (kind == "/note" and index == 0):  # the first one was drawn above, with the import
                cold[kind].append(timed(partial(charts.png, chart, cache=cache), cold_cpu[kind]))
            warm[kind].append(timed(partial(charts.png, chart, cache=cache)))
            sizes.append(len(charts.png(chart, cache=cache)))
        baseline.append(timed(partial(bare_bars, bars[index]), baseline_cpu))
    rss_end = rss_mb()

    rows: list[list[Cell]] = []
    for kind in kinds:
        if cold[kind]:
            cpu = Latency.of(cold_cpu[kind])
            rows.append([f"{kind} (premier dessin)", *Latency.of(cold[kind]).cells(), cpu.p50, cpu.p99])
        rows.append([f"{kind} (en cache)", *Latency.of(warm[kind]).cells(), None, None])
    cpu = Latency.of(baseline_cpu)
    rows.append(["baseline : barh nu", *Latency.of(baseline).cells(), cpu.p50, cpu.p99])
    print(f"{args.films} films, trois graphiques chacun ({charts.WIDTH} × {charts.HEIGHT} px, PNG)")
    print()
    print_table(("", *LATENCY_COLUMNS, "CPU p50 ms", "CPU p99 ms"), rows)
    print()
    growth = rss_first - rss_before
    print(
        f"premier graphique du processus (import de matplotlib compris) : {first_ms:.0f} ms; "
        f"RSS {rss_before:.1f} Mo avant, {rss_first:.1f} Mo après (+{growth:.1f} Mo), "
        f"{rss_end:.1f} Mo à la fin"
    )
    print(f"PNG : {min(sizes) / 1024:.0f} à {max(sizes) / 1024:.0f} Ko (limite 200 Ko)")
    worst_cold = max(Latency.of(v).p99 for v in cold.values() if v)
    worst_warm = max(Latency.of(v).p99 for v in warm.values())
    verdicts = (
        ("p99 premier dessin", worst_cold, TARGET_COLD_MS, "ms"),
        ("p99 en cache", worst_warm, TARGET_CACHED_MS, "ms"),
        ("croissance du RSS", growth, TARGET_RSS_MB, "Mo"),
    )
    for label, value, target, unit in verdicts:
        verdict = "atteinte" if value <= target else "MANQUÉE"
        print(f"{label} : {value:.2f} {unit} (cible ≤ {target:g} {unit}) — {verdict}")

    figures: dict[str, Cell] = {"films": args.films, "first_chart_ms": round(first_ms, 1)}
    for kind, key in (("/note", "note"), ("/tendance", "trend"), ("résumé", "digest")):
        if cold[kind]:
            latency = Latency.of(cold[kind])
            figures[f"{key}_cold_p50_ms"] = round(latency.p50, 2)
            figures[f"{key}_cold_p99_ms"] = round(latency.p99, 2)
            figures[f"{key}_cold_cpu_p99_ms"] = round(Latency.of(cold_cpu[kind]).p99, 2)
        latency = Latency.of(warm[kind])
        figures[f"{key}_cached_p50_ms"] = round(latency.p50, 4)
        figures[f"{key}_cached_p99_ms"] = round(latency.p99, 4)
    figures |= {
        "baseline_p50_ms": round(Latency.of(baseline).p50, 2),
        "baseline_p99_ms": round(Latency.of(baseline).p99, 2),
        "baseline_cpu_p99_ms": round(Latency.of(baseline_cpu).p99, 2),
        "rss_before_mb": round(rss_before, 1),
        "rss_after_first_mb": round(rss_first, 1),
        "rss_growth_mb": round(growth, 1),
        "rss_end_mb": round(rss_end, 1),
        "png_max_kb": round(max(sizes) / 1024, 1),
    }
    print_figures(figures)


if __name__ == "__main__":
    main()
