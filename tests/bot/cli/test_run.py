"""`critibot ask`, `console` and `run` (without a token: the console), as a user types them."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from bot.cli import app
from config import get_settings
from tests.bot.cli.conftest import run, runner
from tests.conftest import SAMPLES
from tests.doubles.fakeallocine import FakeAllocine
from tests.doubles.films import INCEPTION, serve_film


def test_ask_prints_the_answer_and_its_discord_payload(db: str) -> None:
    run("import", str(SAMPLES), "--db", db)
    code, output = run("ask", "/note Derrière le masque", "--db", db)
    assert code == 0, output
    assert output.startswith("Derrière le masque (2006)\n")
    assert "2,3/5" in output and "158 notes · 39 critiques" in output and "**" not in output

    code, output = run("ask", "/presse backstage", "--json", "--db", db)
    payload = json.loads(output)
    assert set(payload) == {"content", "embeds", "allowed_mentions"}
    assert payload["allowed_mentions"] == {"parse": []}
    (embed,) = payload["embeds"]
    assert embed["title"] == "Backstage (2005) — la presse"
    assert "24 titres · dont 4 en lien seulement" in embed["description"]
    assert embed["footer"]["text"].startswith("Page 1/3 · Données AlloCiné du ")

    code, output = run("ask", "note sans barre", "--db", db)
    assert code == 1 and "commence par « / »" in output


def test_console_answers_until_asked_to_leave(db: str) -> None:
    run("import", str(SAMPLES), "--db", db)
    result = runner.invoke(app, ["console", "--db", db], input="/note backstge\n/inconnue\nquitter\n/aide\n")
    assert result.exit_code == 0, result.output
    assert "Backstage (2005)" in result.output
    assert "Je ne connais pas la commande « inconnue »" in result.output
    assert "Ce que critibot sait faire" not in result.output  # nothing after « quitter »


def test_run_without_token_imports_the_samples_and_opens_the_console(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    get_settings.cache_clear()
    result = runner.invoke(app, ["run", "--db", db], input="/note derriere le masque\n")
    assert result.exit_code == 0, result.output
    assert "3 pages importées" in result.output
    assert "DISCORD_TOKEN n'est pas défini" in result.output
    assert "**2,3/5**" not in result.output and "2,3/5" in result.output


async def test_a_new_user_asks_about_any_film_follows_it_and_its_digest_covers_it(
    db: str, fake_allocine: FakeAllocine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A fresh install pointed at a local fake AlloCiné (CRITIBOT_ALLOCINE_BASE_URL), as the README says."""
    fake_allocine.set_autocomplete("Inception", [serve_film(fake_allocine, INCEPTION, "Inception")])
    monkeypatch.setenv("CRITIBOT_ALLOCINE_BASE_URL", fake_allocine.base_url)
    monkeypatch.setenv("CRITIBOT_ONDEMAND_ENABLED", "true")
    monkeypatch.setenv("CRITIBOT_ALLOCINE_DELAY", "0")
    get_settings.cache_clear()
    try:
        code, output = await asyncio.to_thread(run, "ask", "/note Inception", "--db", db)
        assert code == 0, output
        assert output.startswith("Inception (2010)\n") and "4,4/5" in output
        code, output = await asyncio.to_thread(run, "ask", "/suivre Inception", "--server", "77", "--db", db)
        assert code == 0 and "Inception (2010)" in output, output
        assert len(fake_allocine.requests) == 4  # one search, one read: the rest from the catalogue
        # A review written since: the refresh reads the film followed, the server's digest announces it,
        # and never the reviews there were when it was first read (its backlog).
        newer = {"author": "Nouvelle", "rating": 4.0, "text": "Revu hier soir, toujours aussi fort."}
        serve_film(fake_allocine, INCEPTION, "Inception", newer=[newer])
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        monkeypatch.setenv("CRITIBOT_INBOX_DIRS", f'["{inbox}"]')
        get_settings.cache_clear()
        code, output = await asyncio.to_thread(run, "refresh", "--db", db)
        assert code == 0, output
        code, output = await asyncio.to_thread(run, "digest", "--preview", "--server", "77", "--db", db)
        assert code == 0 and "Inception" in output and "Nouvelle" in output, output
        assert "Rêveuse" not in output
    finally:
        get_settings.cache_clear()


async def test_with_no_network_ask_says_alloCine_cannot_be_reached_within_the_timeout(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRITIBOT_ALLOCINE_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("CRITIBOT_ONDEMAND_ENABLED", "true")
    monkeypatch.setenv("CRITIBOT_ONDEMAND_DEADLINE", "3")
    get_settings.cache_clear()
    try:
        started = time.monotonic()
        code, output = await asyncio.to_thread(run, "ask", "/note Inception", "--db", db)
        assert time.monotonic() - started < 6
        assert code == 1 and "AlloCiné ne répond pas" in output, output
    finally:
        get_settings.cache_clear()
