"""How fast the film option autocompletes through Discord, under load, with AlloCiné's candidates on.

    .venv/bin/python benchmarks/autocomplete.py            # 100 000 films, 20 requests/s for 60 s
    .venv/bin/python benchmarks/autocomplete.py --quick    # 2 000 films, 4 s (the tests run it)

The real discord.py client (bot/discord_ui/client.py's Critibot) connects to the fake Discord of
tests/doubles/fakediscord.py on 127.0.0.1, which sends it APPLICATION_COMMAND_AUTOCOMPLETE interactions
for `/note film:` at a steady `--rate` per second (open loop: a slow answer does not slow the sending).
A request's time runs from the interaction sent on the gateway to the bot's type-8 callback received
by the fake's REST server: discord.py's parsing and dispatch, `FilmOption.autocomplete`, the reply's
HTTP request.

The catalogue: `--films` titles from `_common.TitleMaker` in the title index (the database holds no
film: autocomplete reads only memory). The queries: people typing a title, one to three letters per
keystroke, stopping after 3 to 16 characters, sometimes with a typo; several people at once, their
keystrokes interleaved. One person in five types a film that is not in the catalogue: AlloCiné's
candidates then come from the search cache (half of those films were searched before: their queries
are in the database) or from a fake AlloCiné on 127.0.0.1 that knows them all, searched in the
background (the bot's cap: one search at a time, a few per minute), so that the background work runs
during the measure, as it would.

Baseline, interleaved in the same run (`--baseline-rate` per second): the same round-trip for a
command whose autocomplete returns 25 constant choices, no work at all. The target: critibot's p99
≤ 50 ms. The last line is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
from discord import app_commands

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
from bot.answers.context import AnswerContext
from bot.discord_ui.client import Critibot, point_at
from config import Settings
from storage.db.engine import make_engine
from storage.sources import AllocineClient
from storage.sources.search import search, search_query
from storage.titles import TitleEntry, TitleIndex
from tests.doubles.fakeallocine import FakeAllocine, movie_result
from tests.doubles.fakediscord import FakeDiscord

TARGET_P99_MS = 50.0
QUICK = {"films": 2_000, "seconds": 4.0, "warmup": 1.0}
ABSENT_SHARE = 0.2  # people typing a film the catalogue lacks
CACHED_SHARE = 0.5  # of those films, the ones whose searches are already in the database
TYPO_SHARE = 0.15
PEOPLE = 6  # typing at once
CONSTANT = [
    app_commands.Choice(name=f"Film constant numéro {i} (2001)", value=f"film:{i}") for i in range(25)
]


@dataclass(frozen=True)
class Keystroke:
    query: str
    title: str  # the film being typed
    absent: bool  # … is not in the catalogue


def make_catalogue(count: int, rng: random.Random) -> tuple[list[TitleEntry], list[str]]:
    """`count` films, and as many more titles made the same way but left out (the absent films)."""
    maker = TitleMaker(rng, invented=True)
    names = DistinctNames(rng)

    def title() -> str:
        return maker.english_title() if rng.random() < 0.2 else maker.french_title()

    titles = names.take(count + max(50, count // 10), title)
    entries = [
        TitleEntry(i, t, min(2025, max(1930, round(2025 - rng.expovariate(1 / 20)))))
        for i, t in enumerate(titles[:count], start=1)
    ]
    return entries, titles[count:]


def typing(title: str, rng: random.Random) -> list[str]:
    """What Discord sends while someone types `title`: growing prefixes, maybe with one typo."""
    text = title
    if rng.random() < TYPO_SHARE and len(text) > 4:
        at = rng.randrange(1, len(text) - 1)
        text = text[:at] + text[at + 1] + text[at] + text[at + 2 :]
    stop = min(len(text), rng.randint(3, 16))
    sent, end = [], 0
    while end < stop:
        end = min(stop, end + rng.choice((1, 1, 2, 3)))
        sent.append(text[:end])
    return sent


def make_keystrokes(
    count: int, entries: Sequence[TitleEntry], absent: Sequence[str], rng: random.Random
) -> list[Keystroke]:
    """`count` keystrokes of PEOPLE people typing at once, interleaved."""
    queues: list[list[Keystroke]] = [[] for _ in range(PEOPLE)]
    out: list[Keystroke] = []
    while len(out) < count:
        person = rng.randrange(PEOPLE)
        if not queues[person]:
            missing = rng.random() < ABSENT_SHARE
            title = rng.choice(absent) if missing else rng.choice(entries).title
            queues[person] = [Keystroke(q, title, missing) for q in typing(title, rng)]
        out.append(queues[person].pop(0))
    return out


class BenchBot(Critibot):
    """Critibot with one more command: the baseline, whose autocomplete answers constant choices."""

    async def setup_hook(self) -> None:
        @app_commands.command(name="constante", description="Référence du banc d'essai")
        async def constante(interaction: discord.Interaction, film: str) -> None:
            await interaction.response.send_message(film)

        @constante.autocomplete("film")
        async def choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            return CONSTANT

        self.tree.add_command(constante)
        await super().setup_hook()


async def fill_site(
    site: FakeAllocine, keystrokes: Sequence[Keystroke], absent: Sequence[str], rng: random.Random
) -> dict[str, bool]:
    """The fake AlloCiné answers every query typed: the film being typed and two others. Returns the
    texts it knows, each with whether its film is absent from the catalogue."""
    typed: dict[str, Keystroke] = {}
    for keystroke in keystrokes:
        if text := search_query(keystroke.query):
            typed.setdefault(text, keystroke)
    ids = {title: 10_000_000 + n for n, title in enumerate(absent)}
    for text, keystroke in typed.items():
        films = [keystroke.title, *rng.sample(absent, 2)]
        results = [movie_result(ids.get(t, 20_000_000 + i), t, year=2000 + i) for i, t in enumerate(films)]
        site.set_autocomplete(text, results)
    return {text: keystroke.absent for text, keystroke in typed.items()}


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(f"autocomplete:{args.seed}")
    started = time.perf_counter()
    entries, absent = make_catalogue(args.films, rng)
    titles = TitleIndex(entries)
    build_s = time.perf_counter() - started
    total = int((args.warmup + args.seconds) * args.rate)
    keystrokes = make_keystrokes(total, entries, absent, rng)

    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        async with FakeAllocine() as site, FakeDiscord() as fake:
            known = await fill_site(site, keystrokes, absent, rng)
            options: dict[str, Any] = {"user_agent": "critibot-bench", "timeout": 5.0, "retries": 0}
            cached = set(rng.sample(absent, int(len(absent) * CACHED_SHARE)))  # searched before
            async with AllocineClient(site.base_url, delay=0.0, **options) as warm:
                for k in keystrokes:
                    if k.absent and k.title in cached and known.pop(search_query(k.query), None) is not None:
                        await search(engine, warm, k.query)
            site.requests.clear()
            async with AllocineClient(site.base_url, delay=args.allocine_delay, **options) as client:
                ctx = AnswerContext(engine, titles, allocine=client)
                result = await drive(fake, ctx, keystrokes, args)
                await ctx.suggestions.drain()
            result["allocine_requests"] = len(site.requests)
        engine.dispose()
    result["build_s"] = build_s
    return result


async def drive(
    fake: FakeDiscord, ctx: AnswerContext, keystrokes: Sequence[Keystroke], args: argparse.Namespace
) -> dict[str, Any]:
    sent: dict[str, float] = {}
    done: dict[str, float] = {}
    answers: dict[str, list[dict[str, Any]]] = {}
    arrived = asyncio.Event()

    def callback(request: Any, match: Any) -> Any:
        done[match["iid"]] = time.perf_counter()
        answers[match["iid"]] = ((request.json or {}).get("data") or {}).get("choices", [])
        arrived.set()
        return fake._callback(request, match)

    fake.add_route("POST", r"/interactions/(?P<iid>\d+)/(?P<token>[^/]+)/callback", callback)
    with fake.patch_discord():
        settings = Settings(discord_api_base=fake.api_base, discord_gateway_url=fake.gateway_url)
        point_at(settings)
        bot = BenchBot(
            ctx, settings, scheduled=False, guild_ready_timeout=0.05, chunk_guilds_at_startup=False
        )
        task = asyncio.create_task(bot.start("fake-token"))
        await fake.wait_ready()
        await bot.wait_until_ready()
        await fake.wait_for(lambda r: r.method == "PUT" and r.path.endswith("/commands"))

        async def send(name: str, query: str, kind: str) -> tuple[str, str]:
            at = time.perf_counter()
            iid = await fake.send_interaction(name=name, options={"film": query}, type=4, focused="film")
            sent[iid] = at
            return iid, kind

        # One schedule: critibot's keystrokes at --rate, the baseline's at --baseline-rate, interleaved.
        events = [(i / args.rate, "critibot", k.query, k.absent) for i, k in enumerate(keystrokes)]
        count = int(len(keystrokes) / args.rate * args.baseline_rate)
        events += [(i / args.baseline_rate + 0.013, "baseline", "constante", False) for i in range(count)]
        events.sort(key=lambda e: e[0])
        warm_until = args.warmup
        begin = time.perf_counter()
        kinds: dict[str, tuple[str, bool, bool]] = {}  # iid → (kind, measured, absent)
        for offset, kind, query, missing in events:
            delay = begin + offset - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            name = "note" if kind == "critibot" else "constante"
            iid, _ = await send(name, query, kind)
            kinds[iid] = (kind, offset >= warm_until, missing)
        async with asyncio.timeout(30):
            while len(done) < len(sent):
                arrived.clear()
                await arrived.wait()
        elapsed = time.perf_counter() - begin
        await bot.close()
        await task

    times: dict[str, list[float]] = {"critibot": [], "baseline": []}
    offered = typed_absent = 0
    for iid, (kind, measured, missing) in kinds.items():
        if measured:
            times[kind].append((done[iid] - sent[iid]) * 1000)
        if kind == "critibot" and missing and measured:
            typed_absent += 1
            offered += any("AlloCiné" in c["name"] for c in answers[iid])
    return {
        "critibot": Latency.of(times["critibot"]),
        "baseline": Latency.of(times["baseline"]),
        "rate": round(len(times["critibot"]) / max(elapsed - args.warmup, 1e-9), 1),
        "absent_keystrokes": typed_absent,
        "allocine_offered": offered,
        "searches": ctx.suggestions.searches,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--films", type=int, default=100_000, help="films in the title index")
    parser.add_argument("--rate", type=float, default=20.0, help="autocomplete requests per second")
    parser.add_argument("--baseline-rate", type=float, default=4.0, help="baseline requests per second")
    parser.add_argument("--seconds", type=float, default=60.0, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds sent first, not measured")
    parser.add_argument("--allocine-delay", type=float, default=2.0, help="the polite client's delay (s)")
    parser.add_argument("--seed", type=int, default=1)
    args = parse_args(parser, argv, QUICK)
    logging.basicConfig(level=logging.ERROR)  # a search failing in the background is no news here
    result = asyncio.run(measure(args))
    critibot, baseline = result["critibot"], result["baseline"]
    rows: list[list[Cell]] = [
        ["critibot /note film:", *critibot.cells()],
        ["baseline (constant)", *baseline.cells()],
    ]
    films = format_cell(args.films)
    print_table(
        ["autocomplete", *LATENCY_COLUMNS],
        rows,
        title=f"{films} films, {result['rate']} requêtes/s mesurées pendant {args.seconds:g} s",
    )
    print(
        f"index construit en {result['build_s']:.1f} s · frappes d'un film absent du catalogue : "
        f"{result['absent_keystrokes']}, dont {result['allocine_offered']} avec des propositions AlloCiné"
        f" · recherches AlloCiné de fond : {result['searches']} ({result['allocine_requests']} requêtes)"
        f" · cible p99 ≤ {TARGET_P99_MS:g} ms"
    )
    print_figures(
        {
            "films": args.films,
            "rate": result["rate"],
            "calls": critibot.calls,
            "p50_ms": round(critibot.p50, 2),
            "p99_ms": round(critibot.p99, 2),
            "max_ms": round(critibot.max, 2),
            "baseline_p50_ms": round(baseline.p50, 2),
            "baseline_p99_ms": round(baseline.p99, 2),
            "allocine_offered": result["allocine_offered"],
            "searches": result["searches"],
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
