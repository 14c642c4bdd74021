"""Plain reviews: one review per line, with no metadata; refused when the text looks like something else."""

from __future__ import annotations

import csv

from storage.pages.model import PageError, ParsedPlainReviews
from storage.pages.text.lines import Line
from storage.pages.vocabulary import AVERAGE


def parse_plain_reviews(content: list[Line], text: str) -> ParsedPlainReviews:
    """One review per line. Refuses pages that look like something else rather than guess."""
    raw = [line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.strip()]
    if separator := _table_separator(raw):
        raise PageError(
            f"ce fichier ressemble à un tableau (colonnes séparées par « {separator} »), "
            "pas à une page de critiques AlloCiné"
        )
    if average := next((line for line in content if AVERAGE.match(line.text)), None):
        raise PageError("page non reconnue : une note moyenne sans critiques lisibles", average.number)
    prose = [line for line in content if len(line.text.split()) >= 5]
    if len(prose) * 2 < len(content):
        raise PageError(
            "page non reconnue : ni critiques spectateurs (« Publiée le … »), ni critiques presse "
            "(« par … »), ni critiques simples (une par ligne, en phrases)"
        )
    return ParsedPlainReviews(texts=[line.text for line in content])


def _table_separator(raw: list[str]) -> str | None:
    """`;`, tab or `,` when every line has as many columns (≥ 2) and the first line reads as column names."""
    if len(raw) < 2:
        return None
    # Prose has commas: a comma-separated table needs three columns to be told apart from it.
    for separator, shown, columns in ((";", ";", 2), ("\t", "tabulation", 2), (",", ",", 3)):
        try:
            rows = list(csv.reader(raw, delimiter=separator))
        except csv.Error:
            continue
        widths = {len(row) for row in rows}
        if len(widths) != 1 or min(widths) < columns:
            continue
        if all(0 < len(cell.strip()) <= 30 and len(cell.split()) <= 3 for cell in rows[0]):
            return shown
    return None
