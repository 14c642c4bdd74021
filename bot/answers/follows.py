"""/suivre, /ne-plus-suivre and /suivis: the films a server follows, which its daily digest covers.

The Discord layer says who asks and whether they may *Gérer le serveur* (bot/answers/context.py
Member); the console passes `--server ID`. Following and unfollowing need that permission; the list is
for everyone.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot import texts
from bot.answers.context import AnswerContext, Member
from bot.answers.film_answers import film_link
from bot.answers.film_arg import FilmQuery, error, resolve_film
from bot.answers.model import Answer, Page, paginate
from bot.answers.safe import literal
from bot.wording import plural
from storage import follows, guild_settings
from storage.queries import FilmStats, film_stats

PER_PAGE = 15


def suivre(ctx: AnswerContext, film: FilmQuery, *, member: Member) -> Answer:
    if refused := _refusal(member):
        return refused
    assert member.guild_id is not None
    found = _film_to_follow(ctx, film, "suivre")
    if isinstance(found, Answer):
        return found
    name = _label(found)
    if not follows.follow(ctx.engine, member.guild_id, found.id, member.user_id, datetime.now(UTC)):
        return _answer(texts.FOLLOW_ALREADY.format(film=name), found)
    lines = [texts.FOLLOW_ADDED.format(film=name)]
    if found.allocine_id is None and not found.url:
        lines.append(texts.FOLLOW_NO_ADDRESS)
    digest = guild_settings.get(ctx.engine, member.guild_id)
    if digest.channel_id is None:
        lines.append(texts.FOLLOW_NO_CHANNEL)
    return _answer("\n".join(lines), found)


def ne_plus_suivre(ctx: AnswerContext, film: FilmQuery, *, member: Member) -> Answer:
    if refused := _refusal(member):
        return refused
    assert member.guild_id is not None
    # Only the catalogue: unfollowing never needs to read a film.
    film_id = resolve_film(ctx, film, "ne-plus-suivre", online=False)
    if isinstance(film_id, Answer):
        return film_id
    found = film_stats(ctx.engine, film_id)
    name = _label(found)
    if not follows.unfollow(ctx.engine, member.guild_id, found.id):
        return _answer(texts.FOLLOW_NOT_FOLLOWED.format(film=name), found)
    lines = [texts.FOLLOW_REMOVED.format(film=name)]
    if not follows.followed_ids(ctx.engine, member.guild_id):
        lines.append(texts.FOLLOW_NOW_NONE)
    return _answer("\n".join(lines), found)


def suivis(ctx: AnswerContext, *, member: Member) -> Answer:
    if member.guild_id is None:
        return error(texts.FOLLOW_GUILD_ONLY)
    films = follows.followed_films(ctx.engine, member.guild_id)
    if not films:
        return Answer(title=texts.FOLLOW_TITLE, pages=(Page(texts.FOLLOW_NONE),), tone="info")
    lines = []
    for followed in films:
        name = literal(followed.label)
        url = film_link(followed)
        line = texts.FOLLOW_LINE_LINKED if url else texts.FOLLOW_LINE
        lines.append(line.format(film=name, url=url))
    count = plural(len(films), *texts.FOLLOW_COUNT)
    return Answer(
        title=texts.FOLLOW_TITLE,
        pages=paginate(lines, per_page=PER_PAGE, header=texts.FOLLOW_DIGEST + "\n"),
        footer=count,
        tone="info",
    )


def _film_to_follow(ctx: AnswerContext, film: FilmQuery, command: str) -> FilmStats | Answer:
    """The catalogue film to follow, or the answer that says why there is none. A film AlloCiné knows
    but the catalogue does not is read now (resolve_film, as for /note), its reviews stored as backlog,
    then followed: the refresher reads it from then on, and the digest announces only what comes later.
    """
    film_id = resolve_film(ctx, film, command)
    if isinstance(film_id, Answer):
        return film_id
    return film_stats(ctx.engine, film_id)


def _refusal(member: Member) -> Answer | None:
    if member.guild_id is None:
        return error(texts.FOLLOW_GUILD_ONLY)
    if not member.can_manage:
        return error(texts.FOLLOW_REFUSED)
    return None


def _label(film: FilmStats) -> str:
    return literal(f"{film.title} ({film.year})" if film.year else film.title)


def _answer(line: str, film: FilmStats) -> Answer:
    return Answer(
        title=texts.FOLLOW_TITLE, pages=(Page(line),), url=film_link(film), tone="info", film_id=film.id
    )
