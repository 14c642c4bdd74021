"""A chart's data → the Image an Answer carries, and its drawing at the edge that sends it."""

from __future__ import annotations

import logging
from functools import partial

from bot import charts
from bot.answers.model import Image

log = logging.getLogger(__name__)


def image(chart: charts.Chart | None) -> Image | None:
    """The chart as an attachment to draw when sent (bot/charts.py); None when there is no chart."""
    if chart is None:
        return None
    return Image(charts.file_name(chart), charts.describe(chart), partial(charts.png, chart))


def drawn(picture: Image) -> bytes | None:
    """The picture's PNG, or None when drawing failed (logged): the answer is then sent without it, its
    text histogram still there, rather than as an error. Blocking: call it off the event loop."""
    try:
        return picture.png
    except Exception:
        log.exception("graphique %s impossible à dessiner", picture.name)
        return None
