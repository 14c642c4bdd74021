"""`critibot ask`, `console` and `run` (without a token: the console), as a user types them."""

from __future__ import annotations

import json

import pytest

from bot.cli import app
from config import get_settings
from tests.bot.cli.conftest import run, runner
from tests.conftest import SAMPLES


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
