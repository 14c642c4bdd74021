"""`critibot run` under load: interactions through the fake Discord, on a large catalogue.

    .venv/bin/python benchmarks/bot_load.py            # 100 000 films, 200 interactions/s for 20 s
    .venv/bin/python benchmarks/bot_load.py --quick    # 2 000 films, 50/s for 3 s (the tests run it)

The bot is `critibot run` itself, a process of its own (settings from the environment, as an operator
runs it) pointed at the fake Discord of tests/doubles/fakediscord.py on 127.0.0.1, with a SQLite
database of `--films` films (title, year, the site's figures) and the sample pages. The fake sends it
interactions at a steady `--rate` per second (open loop: a slow answer does not slow the sending):
70 % autocomplete on `/note film:` (people typing a title, keystroke by keystroke) and 30 % `/note`
on a whole title. An interaction is timed from its gateway event to the bot's callback received by
the fake's REST server (discord.py's parsing, the answer, the HTTP reply). Errors: an interaction with
no callback, a callback of the wrong type, a `/note` that does not show its film. RSS: the bot process's
resident memory at the end, and its peak (VmHWM).

Baseline, interleaved in the same run (`--baseline-rate` per second): `/aide`, the same round trip
for a constant answer. Targets: 0 errors, p99 ≤ 100 ms for each kind, RSS ≤ 250 MB. The last line is
one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import (
    LATENCY_COLUMNS,
    Cell,
    DistinctNames,
    Latency,
    TitleMaker,
    format_cell,
    parse_args,
    print_figures,
    print_table,
)
from bot.cli.importing import import_pages
from storage.db.engine import make_engine
from storage.db.tables import FILM
from storage.folding import fold
from tests.doubles.fakediscord import FakeDiscord, RecordedRequest

TARGET_P99_MS = 100.0
TARGET_RSS_MB = 250.0
QUICK = {"films": 2_000, "rate": 50.0, "seconds": 3.0, "warmup": 1.0}
AUTOCOMPLETE_SHARE = 0.7
SAMPLES = Path(__file__).resolve().parent.parent / "storage" / "samples"
CRITIBOT = Path(sys.executable).parent / "critibot"
KINDS = ("autocomplete", "note", "baseline")


def make_titles(count: int, rng: random.Random) -> list[tuple[str, int]]:
    """`count` distinct (title, year) pairs."""
    maker = TitleMaker(rng, invented=True)
    names = DistinctNames(rng)

    def title() -> str:
        return maker.english_title() if rng.random() < 0.2 else maker.french_title()

    return [(t, rng.randint(1930, 2025)) for t in names.take(count, title)]


def build_database(path: Path, titles: Sequence[tuple[str, int]], rng: random.Random) -> None:
    """The films as rows (the site's figures, no reviews), and the sample pages through the importer."""
    engine = make_engine(f"sqlite:///{path}")
    now = datetime.now(UTC)
    rows = [
        {
            "title": title,
            "title_folded": fold(title),
            "year": year,
            "created_at": now,
            "site_average": round(rng.uniform(1.0, 4.8), 1),
            "site_ratings_count": rng.randint(10, 50_000),
            "site_reviews_count": rng.randint(1, 3_000),
        }
        for title, year in titles
    ]
    with engine.begin() as conn:
        for start in range(0, len(rows), 5_000):
            conn.execute(FILM.insert(), rows[start : start + 5_000])
    import_pages(engine, [SAMPLES], None)
    engine.dispose()


def keystrokes(title: str, rng: random.Random) -> list[str]:
    """What Discord sends while someone types `title`: growing prefixes, 3 to 16 characters."""
    stop = min(len(title), rng.randint(3, 16))
    sent, end = [], 0
    while end < stop:
        end = min(stop, end + rng.choice((1, 1, 2, 3)))
        sent.append(title[:end])
    return sent


def closed_port() -> int:
    """A local port nobody listens on: AlloCiné, were the bot to ask it, answers nothing."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """The CPU time the process has used so far (user and system), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int) -> tuple[float, float]:
    """The process's resident memory now and at its peak (VmRSS, VmHWM), in MB."""
    fields: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return fields.get("VmRSS", 0.0), fields.get("VmHWM", 0.0)


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(f"bot_load:{args.seed}")
    started = time.perf_counter()
    titles = make_titles(args.films, rng)
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.db"
        build_database(database, titles, rng)
        build_s = time.perf_counter() - started
        async with FakeDiscord() as fake:
            port = closed_port()
            env = {
                **os.environ,
                "DISCORD_TOKEN": "fake-token",
                "CRITIBOT_DISCORD_API_BASE": fake.api_base,
                "CRITIBOT_DISCORD_GATEWAY_URL": fake.gateway_url,
                "CRITIBOT_DATA_DIR": folder,
                "CRITIBOT_DATABASE_URL": f"sqlite:///{database}",
                "CRITIBOT_REFRESH_EVERY_HOURS": "0",
                "CRITIBOT_ONDEMAND_ENABLED": "false",
                "CRITIBOT_ALLOCINE_BASE_URL": f"http://127.0.0.1:{port}",
            }
            command = [str(CRITIBOT), "run"]
            if args.profile:  # the bot under cProfile: its statistics written when it stops
                run = "import sys; sys.argv = ['critibot', 'run']; from bot.cli import main; main()"
                command = [sys.executable, "-c", f"import cProfile; cProfile.run({run!r}, {args.profile!r})"]
            process = await asyncio.create_subprocess_exec(
                *command, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
            )
            try:
                began = time.perf_counter()
                await fake.wait_for(lambda r: r.method == "PUT" and r.path.endswith("/commands"), timeout=300)
                await fake.wait_ready(timeout=60)
                await asyncio.sleep(2.5)  # the bot is ready once its guild_ready_timeout is over
                startup_s = time.perf_counter() - began
                cpu_before, own_before = cpu_seconds(process.pid), time.process_time()
                result = await drive(fake, titles, args, rng)
                result["cpu_s"] = cpu_seconds(process.pid) - cpu_before
                result["fake_cpu_s"] = time.process_time() - own_before
                result["rss_mb"], result["rss_peak_mb"] = memory_mb(process.pid)
            finally:
                if process.returncode is None:
                    process.send_signal(signal.SIGTERM)
                _, errors = await asyncio.wait_for(process.communicate(), timeout=60)
            if process.returncode != 0:
                raise SystemExit(f"critibot run a échoué ({process.returncode}) :\n{errors.decode()[-2000:]}")
    result["build_s"], result["startup_s"] = build_s, startup_s
    return result


async def drive(
    fake: FakeDiscord, titles: Sequence[tuple[str, int]], args: argparse.Namespace, rng: random.Random
) -> dict[str, Any]:
    sent: dict[str, float] = {}
    done: dict[str, float] = {}
    replies: dict[str, dict[str, Any]] = {}
    callback_route = r"/interactions/(?P<iid>\d+)/(?P<token>[^/]+)/callback"

    def callback(request: RecordedRequest, match: Any) -> Any:
        done.setdefault(match["iid"], time.perf_counter())
        replies.setdefault(match["iid"], request.json or {})
        return fake._callback(request, match)

    fake.add_route("POST", callback_route, callback)
    # The schedule: critibot's interactions at --rate (autocomplete as people type, /note on whole
    # titles), the baseline's at --baseline-rate, interleaved.
    total = int((args.warmup + args.seconds) * args.rate)
    typing: list[str] = []
    events: list[tuple[float, str, str]] = []
    for i in range(total):
        if rng.random() < AUTOCOMPLETE_SHARE:
            if not typing:
                typing = keystrokes(rng.choice(titles)[0], rng)
            events.append((i / args.rate, "autocomplete", typing.pop(0)))
        else:
            title, year = rng.choice(titles)
            events.append((i / args.rate, "note", f"{title} ({year})"))
    count = int(total / args.rate * args.baseline_rate)
    events += [(i / args.baseline_rate + 0.0037, "baseline", "") for i in range(count)]
    events.sort(key=lambda e: e[0])

    kinds: dict[str, tuple[str, bool, str]] = {}  # iid → (kind, measured, what was asked)
    begin = time.perf_counter()
    for offset, kind, query in events:
        delay = begin + offset - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        at = time.perf_counter()
        if kind == "autocomplete":
            iid = await fake.send_interaction(name="note", options={"film": query}, type=4, focused="film")
        elif kind == "note":
            iid = await fake.send_interaction(name="note", options={"film": query})
        else:
            iid = await fake.send_interaction(name="aide")
        sent[iid] = at
        kinds[iid] = (kind, offset >= args.warmup, query)
    elapsed = time.perf_counter() - begin
    try:
        async with asyncio.timeout(10):
            while len(done) < len(sent):
                await asyncio.sleep(0.05)
    except TimeoutError:
        pass  # counted as errors below

    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    errors = {kind: 0 for kind in KINDS}
    for iid, (kind, measured, query) in kinds.items():
        if not measured:
            continue
        if iid not in done or not _answered(kind, replies[iid], query):
            errors[kind] += 1
            continue
        times[kind].append((done[iid] - sent[iid]) * 1000)
    return {
        "latency": {kind: Latency.of(values or [0.0]) for kind, values in times.items()},
        "errors": errors,
        "rate": round(sum(len(v) + errors[k] for k, v in times.items() if k != "baseline") / args.seconds, 1),
        "elapsed": elapsed,
        "sent": len(sent),
    }


def _answered(kind: str, reply: dict[str, Any], query: str) -> bool:
    """Whether the callback is the answer the interaction asked for."""
    data = reply.get("data") or {}
    if kind == "autocomplete":
        return reply.get("type") == 8 and isinstance(data.get("choices"), list)
    if kind == "baseline":
        return reply.get("type") in (4, 5)
    if reply.get("type") == 5:
        return True  # deferred: the answer follows (timed here is the callback)
    embeds = data.get("embeds") or [{}]
    return reply.get("type") == 4 and str(embeds[0].get("title", "")).startswith(query.rsplit(" (", 1)[0])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--films", type=int, default=100_000, help="films in the database")
    parser.add_argument("--rate", type=float, default=200.0, help="critibot interactions per second")
    parser.add_argument("--baseline-rate", type=float, default=5.0, help="/aide interactions per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds sent first, not measured")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", help="run the bot under cProfile, its statistics to this file")
    args = parse_args(parser, argv, QUICK)
    logging.basicConfig(level=logging.ERROR)
    result = asyncio.run(measure(args))
    latency, errors = result["latency"], result["errors"]
    labels = {"autocomplete": "autocomplete /note film:", "note": "/note", "baseline": "baseline (/aide)"}
    rows: list[list[Cell]] = [[labels[k], *latency[k].cells(), errors[k]] for k in KINDS]
    films, rate = format_cell(args.films), result["rate"]
    heading = f"{films} films, {rate} interactions/s mesurées pendant {args.seconds:g} s"
    print_table(["interaction", *LATENCY_COLUMNS, "erreurs"], rows, title=heading)
    per_interaction = result["cpu_s"] * 1000 / result["sent"]
    print(
        f"base construite en {result['build_s']:.1f} s · critibot prêt en {result['startup_s']:.1f} s · "
        f"CPU de critibot {result['cpu_s']:.1f} s ({per_interaction:.1f} ms par interaction), "
        f"du faux Discord {result['fake_cpu_s']:.1f} s · "
        f"mémoire {result['rss_mb']:.0f} Mo (pic {result['rss_peak_mb']:.0f} Mo) · cibles : 0 erreur, "
        f"p99 ≤ {TARGET_P99_MS:g} ms, mémoire ≤ {TARGET_RSS_MB:g} Mo"
    )
    print_figures(
        {
            "films": args.films,
            "rate": result["rate"],
            "calls": latency["autocomplete"].calls + latency["note"].calls,
            "autocomplete_p50_ms": round(latency["autocomplete"].p50, 2),
            "autocomplete_p99_ms": round(latency["autocomplete"].p99, 2),
            "note_p50_ms": round(latency["note"].p50, 2),
            "note_p99_ms": round(latency["note"].p99, 2),
            "errors": errors["autocomplete"] + errors["note"],
            "rss_mb": round(result["rss_mb"], 1),
            "rss_peak_mb": round(result["rss_peak_mb"], 1),
            "baseline_p50_ms": round(latency["baseline"].p50, 2),
            "baseline_p99_ms": round(latency["baseline"].p99, 2),
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
