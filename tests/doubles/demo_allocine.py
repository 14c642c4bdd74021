"""A local fake AlloCiné for demos: `python -m tests.doubles.demo_allocine` serves two invented films
(search answers, main pages, spectator and press pages) on 127.0.0.1 until Ctrl-C, and prints the line
to point critibot at it. Nothing here is real AlloCiné data."""

from __future__ import annotations

import asyncio
import contextlib

from tests.doubles.fakeallocine import FakeAllocine
from tests.doubles.films import INCEPTION, ORIGINE_2019, serve_film


async def serve() -> None:
    async with FakeAllocine() as site:
        inception = serve_film(site, INCEPTION, "Inception")
        site.set_autocomplete("Inception", [inception])
        origine = serve_film(site, ORIGINE_2019, "Origine", year=2019, director="Anne Autre")
        site.set_autocomplete("Origine", [origine])
        print(
            f"Fake AlloCiné on {site.base_url}: try\n  CRITIBOT_ALLOCINE_BASE_URL={site.base_url} "
            'critibot ask "/note Inception"\nCtrl-C to stop.',
            flush=True,
        )
        await asyncio.Event().wait()


def main() -> None:
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())


if __name__ == "__main__":
    main()
