"""Answer → text for the terminal: what Discord shows, without Discord."""

from __future__ import annotations

from bot import texts
from bot.answers.model import Answer, web_url
from bot.answers.safe import unescape

RULE = "─" * 60


def to_text(answer: Answer) -> str:
    """Every page, one after the other; markdown reduced to plain text."""
    out = [answer.title.upper() if answer.tone == "error" else answer.title, RULE]
    for number, page in enumerate(answer.pages):
        if number:
            out.append(RULE)
        if page.description:
            out.append(_plain(page.description))
        for f in page.fields:
            out.extend(["", f"▸ {_plain(f.name)}", _plain(f.value)])
        if len(answer.pages) > 1:
            out.append(f"(page {number + 1}/{len(answer.pages)})")
    if answer.url:
        out.extend(["", answer.url])
    if poster := web_url(answer.thumbnail):
        out.append(texts.TERMINAL_POSTER.format(url=poster))
    if answer.image is not None:
        out.append(texts.TERMINAL_IMAGE.format(name=answer.image.name, description=answer.image.description))
    if answer.footer:
        out.extend(["", answer.footer])
    return "\n".join(out).rstrip() + "\n"


def _plain(text: str) -> str:
    text = text.replace("```\n", "").replace("\n```", "").replace("**", "")
    return unescape(text)
