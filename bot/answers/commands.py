"""The commands critibot understands: one declaration that Discord and the terminal both read.

Discord's slash commands are built from COMMANDS (bot/discord_ui/cogs.py), so what Discord shows (names,
descriptions, option types, choices, ranges, autocomplete) and what the console parses cannot drift.
/reglages alone is Discord's own (it takes a channel): it is declared in bot/discord_ui/cogs.py, and its
logic is bot/answers/settings.py. The commands about a server (`server`: /suivre, /ne-plus-suivre, /suivis)
get the Member who asks: Discord says who and where, the console takes `--server ID`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot import texts
from bot.answers.catalogue import TOP_MAX, aide, film_search, top
from bot.answers.citation import NOTE_MIN_RANGE, SOURCES, citation
from bot.answers.context import AnswerContext, Member
from bot.answers.film_answers import SORTS, critiques, note, presse
from bot.answers.film_arg import error
from bot.answers.follows import ne_plus_suivre, suivis, suivre
from bot.answers.model import Answer, fit
from bot.answers.ondemand import Asking, ask_as
from bot.answers.safe import literal
from bot.answers.trend import tendance

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Option:
    name: str
    description: str
    type: type = str  # str, int or float
    required: bool = False
    choices: tuple[str, ...] = ()
    min_value: float | None = None  # numbers: Discord refuses values outside; the handler checks too
    max_value: float | None = None
    film: bool = False  # a film title: autocompletes through the title index
    out_of_range: str = ""  # what to say of a number outside min_value … max_value


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    topic: str  # the Discord cog that holds it: notes, presse, citations, recherche
    handler: Callable[..., Answer]
    options: tuple[Option, ...] = ()
    scoped: bool = False  # the handler remembers things per channel (quotes already given)
    server: bool = False  # about the server it is typed on: the handler gets `member` (Member)
    manage: bool = False  # for members who may *Gérer le serveur* (Discord hides it from the others)


FILM = Option("film", "Le film (titre, même approximatif)", required=True, film=True)
COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        Command("note", "La note des spectateurs d'un film", "notes", note, (FILM,)),
        Command("presse", "Ce qu'en a dit la presse", "presse", presse, (FILM,)),
        Command(
            "citation",
            "Une citation tirée d'une critique",
            "citations",
            citation,
            (
                Option("film", "Le film (facultatif)", film=True),
                Option("source", "Spectateurs ou presse", choices=SOURCES),
                Option(
                    "note_min",
                    "Note minimale de la critique (0 à 5)",
                    type=float,
                    min_value=NOTE_MIN_RANGE[0],
                    max_value=NOTE_MIN_RANGE[1],
                    out_of_range=texts.NOTE_MIN_INVALID,
                ),
            ),
            scoped=True,
        ),
        Command(
            "critiques",
            "Les critiques des spectateurs d'un film",
            "notes",
            critiques,
            (FILM, Option("tri", "L'ordre des critiques", choices=SORTS)),
        ),
        Command("tendance", "La note des spectateurs au fil du temps", "notes", tendance, (FILM,)),
        Command(
            "film",
            "Chercher un film dans le catalogue",
            "recherche",
            film_search,
            (Option("recherche", "Le titre cherché", required=True),),
        ),
        Command(
            "top",
            "Les films les mieux notés",
            "recherche",
            top,
            (
                Option(
                    "nombre",
                    "Combien de films (1 à 50)",
                    type=int,
                    min_value=1,
                    max_value=TOP_MAX,
                    out_of_range=texts.TOP_COUNT_INVALID.format(maximum=TOP_MAX),
                ),
                Option("tri", "Selon les spectateurs ou la presse", choices=SOURCES),
            ),
        ),
        Command(
            "suivre",
            "Suivre un film : le résumé quotidien du serveur annonce ses critiques",
            "suivis",
            suivre,
            (FILM,),
            server=True,
            manage=True,
        ),
        Command(
            "ne-plus-suivre",
            "Ne plus suivre un film sur ce serveur",
            "suivis",
            ne_plus_suivre,
            (FILM,),
            server=True,
            manage=True,
        ),
        Command("suivis", "Les films que suit ce serveur", "suivis", suivis, server=True),
        Command("aide", "Ce que critibot sait faire", "recherche", aide),
    )
}


class CommandLineError(ValueError):
    """A typed command that cannot be understood; the message is for the user, in French."""


def run(
    ctx: AnswerContext,
    name: str,
    arguments: dict[str, Any],
    *,
    scope: str = "console",
    member: Member | None = None,
    consulting: Callable[[], None] | None = None,
) -> Answer:
    """Run a command. Whatever happens, the user gets an Answer that fits Discord; never a traceback.
    `member`: who asks, on which server (None: no server, as in the console without --server).
    `consulting`: called just before AlloCiné is asked for a film the catalogue lacks (Discord then
    says "Je consulte AlloCiné…" at once)."""
    command = COMMANDS.get(name)
    if command is None:
        return error(texts.UNKNOWN_COMMAND.format(name=literal(name[:50])))
    undo = ask_as(Asking(budget_scope(member, scope), consulting))
    try:
        kwargs = {o.name: arguments.get(o.name) for o in command.options}
        if command.scoped:
            kwargs["scope"] = scope
        if command.server:
            kwargs["member"] = member or Member(guild_id=None)
        return fit(command.handler(ctx, **kwargs))
    except Exception:
        log.exception("commande /%s échouée, arguments %r", name, arguments)
        return error(texts.INTERNAL_ERROR)
    finally:
        undo()


def budget_scope(member: Member | None, scope: str) -> str:
    """The on-demand budget a request counts against: its server's, else its user's, else the console's."""
    if member is not None and member.guild_id is not None:
        return f"guild:{member.guild_id}"
    if member is not None and member.user_id is not None:
        return f"user:{member.user_id}"
    return scope


def answer_line(ctx: AnswerContext, line: str, *, scope: str, member: Member | None = None) -> Answer:
    """A typed command line (`/note Backstage`) → its Answer; a line that cannot be understood → an error
    Answer saying why. What the terminal does with what the user types."""
    try:
        name, arguments = parse_command_line(line)
    except CommandLineError as problem:
        return error(str(problem))
    return run(ctx, name, arguments, scope=scope, member=member)


def parse_command_line(line: str) -> tuple[str, dict[str, Any]]:
    """`/citation Backstage source:presse note_min:3,5` → ("citation", {...}), as Discord would pass them.

    Text before any `option:` goes to the command's first option; an option's value runs to the next one.
    """
    line = line.strip()
    if not line.startswith("/"):
        raise CommandLineError(texts.NOT_A_COMMAND)
    name, _, rest = line[1:].partition(" ")
    name = name.lower()
    command = COMMANDS.get(name)
    if command is None:
        raise CommandLineError(texts.UNKNOWN_COMMAND.format(name=literal(name[:50])))
    names = {o.name: o for o in command.options}
    marker = re.compile(r"(?:^|\s)(" + "|".join(map(re.escape, names)) + r"):") if names else None
    arguments: dict[str, Any] = {}
    pieces = marker.split(rest) if marker else [rest]
    for piece in pieces[::2]:  # the values: an option of another command there is a mistake, not a title
        if (other := _OTHER_OPTION.search(piece)) and other.group(1) in _ALL_OPTIONS.keys() - names.keys():
            raise CommandLineError(
                texts.UNKNOWN_OPTION.format(
                    command=name, option=other.group(1), options=", ".join(names) or texts.NO_OPTIONS
                )
            )
    positional = pieces[0].strip()
    for option_name, value in zip(pieces[1::2], pieces[2::2], strict=True):
        arguments[option_name] = value.strip()
    if positional:
        if not command.options:
            pass  # /aide ignores extra words, as a forgiving human would
        elif command.options[0].name not in arguments:
            arguments[command.options[0].name] = positional
    for option_name, value in list(arguments.items()):
        arguments[option_name] = _convert(names[option_name], value)
    return name, arguments


_OTHER_OPTION = re.compile(r"(?:^|\s)([a-z_]+):")
_ALL_OPTIONS = {o.name: o for c in COMMANDS.values() for o in c.options}
# ASCII digits only: `²`, `①` or `٣` pass str.isdigit() but are no number anyone types on purpose.
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")
_DIGITS_MAX = 12  # beyond, a number is out of any range (and int() refuses 4 300 digits)


def _convert(option: Option, value: str) -> Any:
    if option.type is str:
        return value
    if not (_INTEGER if option.type is int else _DECIMAL).fullmatch(value):
        raise CommandLineError(texts.BAD_NUMBER.format(value=literal(value[:50])))
    number: float
    if len(value) > _DIGITS_MAX:
        number = float("-inf") if value.startswith("-") else float("inf")
    else:
        number = int(value) if option.type is int else float(value.replace(",", "."))
    low = option.min_value if option.min_value is not None else float("-inf")
    high = option.max_value if option.max_value is not None else float("inf")
    if not low <= number <= high:
        raise CommandLineError(option.out_of_range or texts.BAD_NUMBER.format(value=literal(value[:50])))
    return number
