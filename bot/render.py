"""Answer → Discord's message JSON: what the bot sends, and what `critibot ask --json` prints."""

from __future__ import annotations

from typing import Any

from bot.answers.model import Answer, Tone, web_url

COLOURS: dict[Tone, int] = {
    "good": 0x2ECC71,
    "mixed": 0xF1C40F,
    "bad": 0xE74C3C,
    "neutral": 0x95A5A6,
    "info": 0x3498DB,
    "error": 0xE67E22,
}
EPHEMERAL_FLAG = 1 << 6


def page_footer(answer: Answer, page: int) -> str | None:
    marker = f"Page {page + 1}/{len(answer.pages)}" if len(answer.pages) > 1 else None
    parts = [p for p in (marker, answer.footer) if p]
    return " · ".join(parts) or None


def embed(answer: Answer, page: int = 0) -> dict[str, Any]:
    shown = answer.pages[page]
    data: dict[str, Any] = {"type": "rich", "title": answer.title, "color": COLOURS[answer.tone]}
    if shown.description:
        data["description"] = shown.description
    if url := web_url(answer.url):
        data["url"] = url
    if thumbnail := web_url(answer.thumbnail):
        data["thumbnail"] = {"url": thumbnail}
    if answer.image is not None:
        data["image"] = {"url": answer.image.url}
    if shown.fields:
        data["fields"] = [{"name": f.name, "value": f.value, "inline": f.inline} for f in shown.fields]
    if footer := page_footer(answer, page):
        data["footer"] = {"text": footer}
    return data


def message(answer: Answer, page: int = 0) -> dict[str, Any]:
    """The message the bot sends: one embed, and no mention of anyone, ever."""
    payload: dict[str, Any] = {
        "content": "",
        "embeds": [embed(answer, page)],
        "allowed_mentions": {"parse": []},
    }
    if answer.ephemeral:
        payload["flags"] = EPHEMERAL_FLAG
    if answer.image is not None:
        # As Discord takes it beside the file part (files[0]) of a multipart request.
        payload["attachments"] = [
            {"id": 0, "filename": answer.image.name, "description": answer.image.description}
        ]
    return payload
