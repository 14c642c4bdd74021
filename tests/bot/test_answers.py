"""The answers on the sample data: exact figures, lookup outcomes, quotes, limits, odd input."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine

from bot import render, terminal, texts
from bot.answers.commands import COMMANDS, CommandLineError, answer_line, parse_command_line, run
from bot.answers.context import AnswerContext
from bot.answers.model import (
    DESCRIPTION_MAX,
    EMBED_TOTAL_MAX,
    FIELD_VALUE_MAX,
    FIELDS_MAX,
    TITLE_MAX,
    Answer,
)
from bot.answers.quotes import QUOTE_MAX, QUOTE_MIN
from bot.answers.safe import unescape
from config import get_settings
from storage.importer import import_files
from storage.pages import ParsedSpectatorPage, SiteFigures, SpectatorReview
from storage.store import FilmHint, store_page
from storage.titles import TitleEntry, TitleIndex
from storage.watchlist import load_watchlist
from tests.conftest import SAMPLES


@pytest.fixture
def ctx(engine: Engine) -> AnswerContext:
    summary = import_files(engine, [SAMPLES], watchlist=load_watchlist(get_settings().watchlist))
    assert not summary.failed
    return AnswerContext.open(engine, seed=7)


def ask(ctx: AnswerContext, line: str, scope: str = "test") -> Answer:
    return answer_line(ctx, line, scope=scope)


def assert_fits(answer: Answer) -> None:
    for page in range(len(answer.pages)):
        embed = render.embed(answer, page)
        assert len(embed["title"]) <= TITLE_MAX
        assert len(embed.get("description", "")) <= DESCRIPTION_MAX
        fields = embed.get("fields", [])
        assert len(fields) <= FIELDS_MAX
        assert all(0 < len(f["value"]) <= FIELD_VALUE_MAX for f in fields)
        total = (
            len(embed["title"])
            + len(embed.get("description", ""))
            + len(embed.get("footer", {}).get("text", ""))
        )
        total += sum(len(f["name"]) + len(f["value"]) for f in fields)
        assert total <= EMBED_TOTAL_MAX


# --- /note ---------------------------------------------------------------------------------------------


def test_note_shows_the_site_figures_and_the_histogram(ctx: AnswerContext) -> None:
    answer = ask(ctx, "/note Derrière le masque")
    assert answer.title == "Derrière le masque (2006)"
    assert "**2,3/5**" in answer.description
    assert "158 notes · 39 critiques" in answer.description
    fields = {f.name: f.value for f in answer.fields}
    bars = fields["Répartition des critiques"].strip("`\n").splitlines()
    assert [re.sub(r"[█░]", "", b).split() for b in bars] == [
        ["5", "★", "3"],
        ["4", "★", "7"],
        ["3", "★", "8"],
        ["2", "★", "10"],
        ["1", "★", "2"],
        ["0", "★", "9"],
    ]
    assert bars[3].count("█") == 12  # the longest bar is the 10 of "2 stars"
    stored = fields["Critiques en base"]
    assert "15 critiques (15 notées), moyenne 2,5/5" in stored
    assert "échantillon" in stored and "39 critiques" in stored
    assert fields["Presse"] == "Aucune critique de presse en base."
    assert "Vinz1" in fields["Ce qu'en disent les spectateurs"]  # 4/5, the first of the best
    assert answer.tone == "bad"
    assert answer.footer and answer.footer.startswith("Données AlloCiné du ")
    assert not re.search(r"\b(None|nan)\b", answer.text())


def test_note_says_what_is_unknown(ctx: AnswerContext) -> None:
    answer = ask(ctx, "/note backstage")
    assert answer.title == "Backstage (2005)"
    assert "inconnue" in answer.description
    fields = {f.name: f.value for f in answer.fields}
    assert fields["Critiques en base"] == "11 critiques, sans note"
    assert fields["Presse"] == "24 critiques, sans note connue"
    assert "None" not in answer.text()


# --- /presse --------------------------------------------------------------------------------------------


def test_presse_lists_24_outlets_alphabetically_with_4_link_only(ctx: AnswerContext) -> None:
    answer = ask(ctx, "/presse Backstage")
    assert answer.title == "Backstage (2005) — la presse"
    assert "24 titres · dont 4 en lien seulement" in answer.description
    lines = [line for page in answer.pages for line in page.description.splitlines() if line.startswith("**")]
    assert len(lines) == 24
    outlets = [line.split("**")[1] for line in lines]
    assert outlets[:3] == ["aVoir-aLire.com", "Brazil", "Cahiers du Cinéma"]
    assert sum("critique en lien seulement" in line for line in lines) == 4
    le_monde = next(line for line in lines if line.startswith("**Le Monde**"))
    assert le_monde.startswith("**Le Monde**, Jean-Luc Douin : « Qu'elle dénonce le voyeurisme")
    assert len(answer.pages) == 3  # 8 outlets a page
    assert_fits(answer)


def test_presse_sorts_by_rating_when_ratings_exist(engine: Engine) -> None:
    from storage.pages import ParsedPressPage, PressReview

    page = ParsedPressPage(
        title="Film noté",
        figures=SiteFigures(reviews_count=3),
        reviews=[
            PressReview("Zeta", "A", "Un avis tiède et mesuré sur ce film.", rating=2.0),
            PressReview("Alpha", "B", "Un film sans note qui se lit quand même.", rating=None),
            PressReview("Mu", "C", "Un chef-d'œuvre absolu, à voir d'urgence.", rating=5.0),
        ],
    )
    store_page(engine, page, location="t", raw="t", hint=FilmHint(title="Film noté"))
    answer = ask(AnswerContext.open(engine), "/presse film note")
    outlets = [line.split("**")[1] for line in answer.description.splitlines() if line.startswith("**")]
    assert outlets == ["Mu", "Zeta", "Alpha"]
    assert "Moyenne presse : **3,5/5** sur 2 notes" in answer.description


# --- finding the film -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["derriere le masqe", "Masque derrière", "DERRIÈRE LE MASQUE", "le masque", "behind the mask"]
)
def test_typos_accents_word_order_and_aliases_find_the_film(ctx: AnswerContext, query: str) -> None:
    assert ask(ctx, f"/note {query}").title == "Derrière le masque (2006)"


def test_backstge_finds_backstage(ctx: AnswerContext) -> None:
    assert ask(ctx, "/presse backstge").title == "Backstage (2005) — la presse"


def test_ambiguous_titles_ask_which_one(ctx: AnswerContext, engine: Engine) -> None:
    store_page(
        engine,
        ParsedSpectatorPage(title=None, figures=SiteFigures(average=3.1), reviews=[]),
        location="remake",
        raw="remake",
        hint=FilmHint(title="Backstage", year=2017),
    )
    ctx.reload_titles()
    answer = ask(ctx, "/note Backstage")
    assert answer.title == "Vouliez-vous dire… ?"
    assert "Backstage (2005)" in answer.description and "Backstage (2017)" in answer.description
    assert answer.ephemeral
    assert ask(ctx, "/note Backstage (2017)").title == "Backstage (2017)"


def test_no_match_says_so_and_suggests(ctx: AnswerContext) -> None:
    answer = ask(ctx, "/note Zorglub contre les Martiens")
    assert answer.title == "Film introuvable"
    assert "Zorglub contre les Martiens" in answer.description
    assert answer.ephemeral


def test_autocomplete_value_identifies_the_film(ctx: AnswerContext) -> None:
    choices = ctx.titles.autocomplete("derriere")
    assert choices[0][0].startswith("Derrière le masque")
    assert (
        run(ctx, "note", {"film": choices[0][1]}).title == "Derrière le masque (2006)"
    )  # as Discord sends it


# --- /citation ------------------------------------------------------------------------------------------


def test_citation_gives_whole_sentences_with_their_author(ctx: AnswerContext) -> None:
    for _ in range(20):
        answer = ask(ctx, "/citation Derrière le masque")
        match = re.match(r"« (.+) »\n\n— (.+)\n", answer.description, re.S)
        assert match, answer.description
        quote = match.group(1)
        assert QUOTE_MIN <= len(quote) <= QUOTE_MAX + 20  # escaping may add backslashes
        assert quote[0].isupper() or quote[0] in '«"“[('
        assert quote[-1] in '.!?…»"”)'
        assert "Derrière le masque (2006)" in answer.description


def test_citation_does_not_repeat_until_exhausted(ctx: AnswerContext) -> None:
    seen = [ask(ctx, "/citation Backstage source:presse", scope="salon-1").description for _ in range(20)]
    assert len(set(seen)) == 20  # the press page has more than 20 quotable passages
    other = ask(ctx, "/citation Backstage source:presse", scope="salon-2").description
    assert other  # another channel has its own memory


def test_citation_exhausts_then_starts_again(engine: Engine) -> None:
    reviews = [
        SpectatorReview(
            author=f"Auteur {i}",
            rating=4.0,
            published=None,
            text=f"Voici la phrase numéro {i} de ce test, assez longue.",
        )
        for i in range(3)
    ]
    page = ParsedSpectatorPage(title="Trois avis", figures=SiteFigures(), reviews=reviews)
    store_page(engine, page, location="t", raw="t", hint=FilmHint(title="Trois avis"))
    ctx = AnswerContext.open(engine, seed=1)
    first_round = {ask(ctx, "/citation trois avis").description for _ in range(3)}
    assert len(first_round) == 3
    assert ask(ctx, "/citation trois avis").description in first_round


def test_citation_respects_note_min(ctx: AnswerContext) -> None:
    for _ in range(10):
        answer = ask(ctx, "/citation derriere le masque note_min:4")
        assert "4,0/5" in answer.description
    answer = ask(ctx, "/citation backstage source:spectateurs note_min:4")
    assert answer.title == "Citation" and "Aucune citation" in answer.description


def test_citation_without_film_comes_from_any_film(ctx: AnswerContext) -> None:
    films = {ask(ctx, "/citation").description.rsplit("à propos de ", 1)[1] for _ in range(30)}
    assert films == {"**Derrière le masque (2006)**", "**Backstage (2005)**"}


# --- other commands ---------------------------------------------------------------------------------------


def test_critiques_sorted_and_paged(ctx: AnswerContext) -> None:
    answer = ask(ctx, "/critiques derrière le masque tri:pires")
    assert answer.title == "Derrière le masque (2006) — critiques spectateurs (pires)"
    assert answer.description.splitlines()[0] == "15 sur 15 en base."
    assert "**Ykarpathakis157** · 0,5/5 · 20 mai 2021" in answer.description
    assert len(answer.pages) == 3
    recent = ask(ctx, "/critiques derrière le masque tri:récentes")
    first_review = next(line for line in recent.description.splitlines() if line.startswith("**"))
    assert first_review == "**Shawn777** · 3,0/5 · 25 janvier 2023"
    assert ask(ctx, "/critiques backstage tri:n'importe").tone == "error"


def test_film_search_shows_the_one_clear_film(ctx: AnswerContext) -> None:
    answer = ask(ctx, "/film masque")
    assert answer.title == "Derrière le masque (2006)" and answer.film_id is not None
    assert "**2,3/5**" in answer.description


def test_film_search_lists_candidates_with_scores(engine: Engine) -> None:
    names = ("Nuit noire", "Nuit blanche", "Nuit d'été", "Nuit et brouillard")
    titles = TitleIndex(TitleEntry(i, name, 2000 + i) for i, name in enumerate(names, start=1))
    answer = ask(AnswerContext(engine, titles), "/film nuit")
    lines = answer.description.splitlines()
    assert len(lines) == 4 and lines[0].startswith("1. Nuit") and lines[0].endswith("%")


def test_top_needs_enough_ratings(ctx: AnswerContext) -> None:
    answer = ask(ctx, "/top")
    assert "1. **Derrière le masque (2006)** — 2,3/5 (158 notes)" in answer.description
    assert "Backstage" not in answer.description
    assert ask(ctx, "/top 0").tone == "error"


def test_aide_lists_every_command(ctx: AnswerContext) -> None:
    answer = ask(ctx, "/aide")
    names = [f.name.split()[0] for f in answer.fields]
    assert names == [f"/{name}" for name in COMMANDS]  # in the declaration's order
    assert names[7:10] == ["/suivre", "/ne-plus-suivre", "/suivis"]


# --- bad input and limits ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "/note",
        "/note     ",
        "/note '; DROP TABLE film;--",
        "/note 🎬🍿🎥",
        "/note @everyone",
        "/note **gras** _it_ <@123>",
        "/note " + "masque " * 100,
        "/citation source:radio",
        "/citation note_min:9",
        "/presse \x00\x07",
    ],
)
def test_odd_input_gets_a_french_answer(ctx: AnswerContext, line: str) -> None:
    answer = ask(ctx, line)
    assert answer.title in {"Oups", "Film introuvable", "Vouliez-vous dire… ?"} or answer.title.startswith(
        "Derrière"
    )
    assert "Traceback" not in answer.text()
    assert "@everyone" not in answer.text()
    assert not re.search(r"(?<!\\)<@123>", answer.text())  # shown escaped, so it pings no one
    assert_fits(answer)


def test_film_table_survives_injection(ctx: AnswerContext) -> None:
    ask(ctx, "/note '; DROP TABLE film;--")
    assert ask(ctx, "/note backstage").title == "Backstage (2005)"


def test_quoted_text_is_escaped(engine: Engine) -> None:
    text = (
        "Un film **énorme** pour @everyone et <@123> et <@&456>, vraiment à voir. "
        "Une merveille absolue, je le dis."
    )
    page = ParsedSpectatorPage(
        title="Piège", figures=SiteFigures(), reviews=[SpectatorReview("@here", 5.0, None, text)]
    )
    store_page(engine, page, location="t", raw="t", hint=FilmHint(title="Piège"))
    ctx = AnswerContext.open(engine)
    for answer in (ask(ctx, "/citation piege"), ask(ctx, "/note piege"), ask(ctx, "/critiques piege")):
        said = answer.text()
        assert "@everyone" not in said and "@here" not in said
        assert not re.search(r"(?<!\\)<@123>", said) and "\\<@123>" in said
        assert "**énorme**" not in said
        assert render.message(answer)["allowed_mentions"] == {"parse": []}


def test_a_huge_review_still_fits(engine: Engine) -> None:
    sentence = "Ce film est une expérience que je recommande à tous les amateurs du genre. "
    huge = (sentence * 300)[:20_000]
    reviews = [SpectatorReview(f"Auteur{i}", 3.0, None, huge) for i in range(60)]
    page = ParsedSpectatorPage(title="Fleuve " * 60, figures=SiteFigures(average=3.0), reviews=reviews)
    store_page(engine, page, location="t", raw="t", hint=FilmHint(title="Fleuve " * 60))
    ctx = AnswerContext.open(engine)
    for line in ("/note fleuve", "/critiques fleuve", "/citation fleuve"):
        answer = ask(ctx, line)
        assert answer.tone != "error", line
        assert_fits(answer)


def test_command_line_parsing() -> None:
    assert parse_command_line("/citation Backstage source:presse note_min:3,5") == (
        "citation",
        {"film": "Backstage", "source": "presse", "note_min": 3.5},
    )
    assert parse_command_line("/note film:Derrière le masque") == ("note", {"film": "Derrière le masque"})
    with pytest.raises(CommandLineError, match="/aide"):
        parse_command_line("/inconnue x")
    with pytest.raises(CommandLineError, match="nombre"):
        parse_command_line("/top beaucoup")


@pytest.mark.parametrize("value", ["²", "①", "٣", "1e3", "0x10", "3,5", "--2"])
def test_numbers_are_parsed_strictly(value: str) -> None:
    """Only ASCII digits make a whole number: `²` or `①` pass str.isdigit() but are no count."""
    with pytest.raises(CommandLineError) as refused:
        parse_command_line(f"/top nombre:{value}")
    assert unescape(str(refused.value)) == f"« {value} » n'est pas un nombre."


@pytest.mark.parametrize("value", ["0", "51", "-3", "9" * 5000])
def test_numbers_out_of_range_get_the_range(value: str) -> None:
    with pytest.raises(CommandLineError) as refused:
        parse_command_line(f"/top nombre:{value}")
    assert str(refused.value) == "Le nombre de films va de 1 à 50."


@pytest.mark.parametrize("value", ["5,5", "-1", "9" * 5000])
def test_a_minimum_rating_out_of_range_gets_the_range(value: str) -> None:
    with pytest.raises(CommandLineError) as refused:
        parse_command_line(f"/citation note_min:{value}")
    assert str(refused.value) == "La note minimale va de 0 à 5 (par exemple 3,5)."


def test_an_option_of_another_command_is_refused_not_read_as_the_title() -> None:
    with pytest.raises(CommandLineError) as refused:
        parse_command_line("/note Backstage tri:récentes")
    assert str(refused.value) == "/note n'a pas d'option « tri » (ses options : film)."
    # A colon inside a title is still part of it.
    assert parse_command_line("/note Mission:Impossible") == ("note", {"film": "Mission:Impossible"})


def test_a_search_with_nothing_searchable_says_so(ctx: AnswerContext) -> None:
    answer = ask(ctx, "/film 🎬")
    assert answer.tone == "info" and answer.pages[0].description == texts.SEARCH_NOTHING
    assert "0 %" not in terminal.to_text(answer)


def test_film_titles_are_escaped_in_embed_titles(engine: Engine) -> None:
    page = ParsedSpectatorPage(
        title="**Gras** @everyone",
        figures=SiteFigures(average=3.0, ratings_count=30, reviews_count=1),
        reviews=[SpectatorReview(author="A", rating=3.0, published=None, text="Bien.")],
    )
    store_page(engine, page, location="x", raw="x")
    ctx = AnswerContext.open(engine)
    for line in ("/note Gras everyone", "/presse Gras everyone", "/critiques Gras everyone"):
        title = render.embed(ask(ctx, line))["title"]
        assert title.startswith("\\*\\*Gras\\*\\* @\u200beveryone"), (line, title)


def test_terminal_text_has_no_markdown(ctx: AnswerContext) -> None:
    text = terminal.to_text(ask(ctx, "/note Derrière le masque"))
    assert "2,3/5" in text and "158 notes" in text and "**" not in text and "```" not in text


def test_unexpected_failure_is_a_french_message(ctx: AnswerContext, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("base en panne")

    monkeypatch.setattr("bot.answers.film_answers.film_stats", broken)
    answer = ask(ctx, "/note Backstage")
    assert answer.tone == "error" and answer.ephemeral
    assert "réessayez" in answer.description


def test_storage_problems_are_worded_for_where_the_page_came_from() -> None:
    from bot.wording import problem_text
    from storage.problems import Problem
    from storage.store import AmbiguousFilm, NoFilmNamed

    unnamed = Problem.of(NoFilmNamed())
    assert problem_text(unnamed, "import") == (
        "la page ne dit pas de quel film elle parle : précisez-le avec --film TITRE"
    )
    assert "--film" not in problem_text(unnamed, "inbox") and "liste de suivi" in problem_text(
        unnamed, "inbox"
    )
    twice = Problem.of(AmbiguousFilm("Backstage", [2005, None]))
    assert problem_text(twice, "import") == (
        "plusieurs films s'appellent « Backstage » (2005, année inconnue) : précisez --year"
    )
    # A report recorded by another version, with a code or details this one does not know.
    assert problem_text(Problem("nouveau"), "site") == "erreur inattendue (nouveau)"
    assert problem_text(Problem("other_film", {}), "site") == "erreur inattendue (other_film)"
