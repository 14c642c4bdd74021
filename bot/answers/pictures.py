"""A chart's data → the Image an Answer carries (bot/charts.py draws it, in the answering thread)."""

from __future__ import annotations

import logging

from bot import charts
from bot.answers.model import Image

log = logging.getLogger(__name__)


def image(chart: charts.Chart | None) -> Image | None:
    """The chart as an attachment; None when there is no chart, or drawing failed (logged): the answer
    is still given, with its text histogram, rather than an error."""
    if chart is None:
        return None
    try:
        picture = charts.png(chart)
    except Exception:
        log.exception("graphique %s impossible à dessiner", charts.file_name(chart))
        return None
    return Image(charts.file_name(chart), charts.describe(chart), picture)
