"""A film's (or series') main page on AlloCiné → its facts and the site's figures. Pure: no I/O.

`/film/fichefilm_gen_cfilm={id}.html` and `/series/ficheserie_gen_cserie={id}.html` (allocine-site.md §3,
§6). The JSON-LD object (`Movie` / `TVSeries`, at the very end of <body>) is read first where present;
the markup fills what it lacks: the overview card's `.meta-body` (date, duration, genres, `De …`), the
labelled items (`Titre original`, `Année de production`), the synopsis section, and the rating blocks,
matched by their label (`Presse`, `Spectateurs`), never by position: a friends block can sit between
them. The 2020 markup lost many class names (`<div class="">`), so items are found by their labels and
links rather than by classes alone.
"""

from __future__ import annotations

import base64
import binascii
import html as html_lib
import json
import math
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from bs4 import BeautifulSoup, Tag
from bs4.exceptions import ParserRejectedMarkup

from storage.pages.checks import PARSE_SECONDS, Reading, strip_controls, tick, web_link
from storage.pages.french import normalize_spaces, parse_count, parse_date, parse_decimal
from storage.pages.html import json_count
from storage.pages.model import PageError, SiteFigures
from storage.pages.vocabulary import NUMBER, RATINGS_COUNT, TITLE_SUFFIX, out_of_five

__all__ = ["SYNOPSIS_LENGTH", "ParsedFilmPage", "parse_film_page"]

SYNOPSIS_LENGTH = 300  # what an embed shows comfortably


@dataclass(frozen=True)
class ParsedFilmPage:
    """What a film's main page says of it. Tuples are empty and other fields None when it does not say."""

    title: str
    original_title: str | None
    year: int | None
    release_date: date | None
    directors: tuple[str, ...]  # a series' creators
    genres: tuple[str, ...]
    duration_minutes: int | None
    poster_url: str | None
    synopsis: str | None  # short: whole sentences up to SYNOPSIS_LENGTH characters
    allocine_id: int | None  # the caller's id, else the one id the page declares
    declared_ids: tuple[int, ...]  # the ids the page says it is about (head links, JSON-LD url)
    kind: str  # film | series
    spectators: SiteFigures  # average, ratings_count, reviews_count
    press: SiteFigures  # average, reviews_count


_MAIN_PAGES = frozenset({"allocine__moviepage", "allocine__seriespage"})  # <body> id or class
_OVERVIEW = ".entity-card-overview, .entity-card-player-ovw"  # 2020, about 2024
_LD_FILMS = frozenset({"Movie", "TVSeries"})
_SERIES_OG = "video.tv_show"

# An id where a page says what it is: its own address or its app link.
_DECLARED_ID = re.compile(
    r"(?:fichefilm_gen_cfilm=|fichefilm-|ficheserie_gen_cserie=|ficheserie-|open/(?:movie|series)\?code=)"
    r"(\d{1,12})(?!\d)"
)
_SERIES_ADDRESS = re.compile(r"ficheserie|open/series\?")
_TITLE_YEAR = re.compile(r"(?:^|[\s-])(?:film|série(?: tv)?|téléfilm)\s+(\d{4})\b", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(1[89]\d{2}|2[01]\d{2})(?!\d)")
_ISO_DURATION = re.compile(r"^PT?(?:(\d{1,3})H)?(?:(\d{1,4})M)?(?:(\d{1,6})S)?$", re.IGNORECASE)
_DURATION = re.compile(r"(?<!\d)(?:(\d{1,2}) ?h ?(?:(\d{1,2}) ?min)?|(\d{1,3}) ?min)\b", re.IGNORECASE)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_REVIEWS = re.compile(rf"(?<!\S)(?P<n>{NUMBER}) (?:critiques?|articles?)\b", re.IGNORECASE)
# Where a sentence ends: its punctuation (and closing quotes), then a space.
_SENTENCE_END = re.compile(r"[.!?…](?:[»\"”)]+)?(?=\s)")
_GLUED_PARAGRAPH = re.compile(r"…(?=[A-ZÀ-ÖØ-Þ])")
# Labels read in the header only (films recommended further down name their own directors), and in
# the whole page (the 2020 page gives the original title in its details section).
_HEADER_LABELS = ("de", "par")
_PAGE_LABELS = ("titre original", "année de production")
_RATING_LABELS = {"presse": "press", "spectateurs": "spectators"}


def parse_film_page(
    html: str, *, allocine_id: int | None = None, seconds: float | None = PARSE_SECONDS
) -> ParsedFilmPage:
    """Read a film's or series' main page. Raises PageError (only) for anything else, for the page of
    another film than `allocine_id`, or (PageTooSlow) past `seconds` of reading (None: no limit)."""
    with Reading(seconds=seconds).timed():
        return _parse(html, allocine_id)


def _parse(html: str, allocine_id: int | None) -> ParsedFilmPage:
    soup = _soup(html)
    tick()
    body = soup.body
    main = soup.select_one("#content-layout") or body or soup
    card = main.select_one(_OVERVIEW)
    tokens = _tokens(body) if body is not None else set()
    if not (tokens & _MAIN_PAGES or card is not None):
        raise PageError("ce n'est pas la page principale d'un film ou d'une série")

    ld = _json_ld_film(soup)
    og_type = _meta(soup, "og:type")
    declared = _declared_ids(soup, main, ld)
    if allocine_id is not None and declared and allocine_id not in declared:
        listed = ", ".join(map(str, declared))
        raise PageError(f"cette page est celle de l'identifiant AlloCiné {listed}, pas {allocine_id}")
    series = (
        "TVSeries" in _ld_types(ld)
        or og_type == _SERIES_OG
        or "allocine__seriespage" in tokens
        or any(_SERIES_ADDRESS.search(a) for a in _declaring_addresses(soup, ld))
    )

    title = _title(soup, main, ld)
    if title is None:
        raise PageError("page de film sans titre")
    header = (card or main).select_one(".meta-body")
    info = _info_item(header)
    info_text = _inline(info)
    labelled = _labelled(header, _HEADER_LABELS) | _labelled(main, _PAGE_LABELS)

    release = _ld_date(ld.get("datePublished")) or _ld_date(ld.get("startDate"))
    date_tag = info.select_one(".date") if info is not None else None
    date_text = _inline(date_tag) if date_tag is not None else info_text
    release = release or parse_date(date_text)

    directors = _ld_names(ld.get("director"))
    if series:
        directors = directors or _ld_names(ld.get("creator"))
    directors = directors or _label_values(labelled.get("de"))
    if series:
        directors = directors or _label_values(labelled.get("par"))

    figures = _rating_figures(card, main)
    rating = ld.get("aggregateRating")
    rating = rating if isinstance(rating, dict) else {}
    spectators = figures.get("spectators", SiteFigures())
    spectators = SiteFigures(
        average=_first(_ld_average(rating.get("ratingValue")), spectators.average),
        ratings_count=_first(json_count(rating.get("ratingCount")), spectators.ratings_count),
        reviews_count=_first(json_count(rating.get("reviewCount")), spectators.reviews_count),
    )
    return ParsedFilmPage(
        title=title,
        original_title=_ld_text(ld.get("alternateName")) or _first_value(labelled.get("titre original")),
        year=_year(soup, ld, release, date_text, labelled),
        release_date=release,
        directors=directors,
        genres=_ld_names(ld.get("genre")) or _markup_genres(info),
        duration_minutes=_ld_duration(ld.get("duration")) or _duration(info_text),
        poster_url=_poster(soup, card, ld),
        synopsis=_synopsis(_ld_synopsis(ld.get("description")) or _markup_synopsis(main)),
        allocine_id=allocine_id if allocine_id is not None else (declared[0] if len(declared) == 1 else None),
        declared_ids=declared,
        kind="series" if series else "film",
        spectators=spectators,
        press=figures.get("press", SiteFigures()),
    )


# --- reading the document ----------------------------------------------------------------------------


def _soup(html: str) -> BeautifulSoup:
    if not isinstance(html, str):
        raise PageError("le contenu HTML doit être du texte")
    if not html.strip():
        raise PageError("la page est vide")
    try:
        return BeautifulSoup(html, "html.parser")
    except (ParserRejectedMarkup, AssertionError, ValueError, RecursionError) as error:
        raise PageError(f"HTML illisible : {error}") from None


def _clean(text: str) -> str:
    # Control characters too: PostgreSQL refuses NUL, and none belongs in a title or a name.
    return " ".join(strip_controls(normalize_spaces(text)).split())


def _inline(tag: Tag | None) -> str:
    """An element's visible text on one line (its scripts and styles left out)."""
    if tag is None:
        return ""
    parts = (s for s in tag.find_all(string=True) if s.parent is None or s.parent.name not in _HIDDEN)
    return _clean(" ".join(parts))


_HIDDEN = frozenset({"script", "style", "noscript", "template"})


def _tokens(tag: Tag) -> set[str]:
    classes: list[str] = list(tag.get("class") or [])
    ident = tag.get("id")
    return {*classes, *([ident] if isinstance(ident, str) else [])}


def _meta(soup: BeautifulSoup, name: str) -> str | None:
    tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
    content = tag.get("content") if isinstance(tag, Tag) else None
    return content.strip() if isinstance(content, str) and content.strip() else None


def _fold(text: str) -> str:
    return _clean(text).casefold().rstrip(" :")


_T = TypeVar("_T")


def _first(*values: _T | None) -> _T | None:
    return next((v for v in values if v is not None), None)


# --- JSON-LD -----------------------------------------------------------------------------------------


def _json_ld_film(soup: BeautifulSoup) -> dict[str, object]:
    """The page's Movie or TVSeries object ({} when there is none)."""
    for script in soup.find_all("script", attrs={"type": re.compile(r"ld\+json", re.IGNORECASE)}):
        try:
            data = json.loads(script.get_text(), strict=False)
        except (ValueError, RecursionError):  # broken JSON, or integers too long to read
            continue
        for item in _objects(data):
            if _ld_types(item) & _LD_FILMS:
                return item
    return {}


def _objects(data: object) -> Iterator[dict[str, object]]:
    """The top-level objects of a JSON-LD block: itself, its list items, its @graph."""
    todo = deque([data])
    while todo:
        item = todo.popleft()
        if isinstance(item, list):
            todo.extend(item)
        elif isinstance(item, dict):
            yield item
            if isinstance(item.get("@graph"), list):
                todo.extend(item["@graph"])


def _ld_types(item: dict[str, object]) -> set[str]:
    kind = item.get("@type")
    return {k for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)}


def _ld_text(value: object) -> str | None:
    # AlloCiné's JSON-LD holds HTML entities (`&#039;`).
    return (_clean(html_lib.unescape(value)) or None) if isinstance(value, str) else None


def _ld_synopsis(value: object) -> str | None:
    # The JSON-LD glues the synopsis' paragraphs together ("imminente…Inspiré"): part them again.
    text = _ld_text(value)
    return _GLUED_PARAGRAPH.sub("… ", text) if text else None


def _ld_names(value: object) -> tuple[str, ...]:
    """A person, a genre or a list of them (objects with a `name`, or plain strings) → names, once each."""
    items = value if isinstance(value, list) else [value]
    names = (_ld_text(item.get("name") if isinstance(item, dict) else item) for item in items)
    return _unique(names)


def _unique(names: Iterable[str | None]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for name in names:
        tick()
        if name:
            seen.setdefault(name.casefold(), name)
    return tuple(seen.values())


def _ld_average(value: object) -> float | None:
    """`"2,2"` (a decimal comma, as AlloCiné writes it), `"2.2"` or 2.2 → 2.2; None outside 0–5."""
    if isinstance(value, bool):
        return None
    number: float | None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        number = parse_decimal(normalize_spaces(value))
    else:
        return None
    return round(number, 2) if number is not None and math.isfinite(number) and 0 <= number <= 5 else None


def _ld_duration(value: object) -> int | None:
    """`PT02H02M00S` → 122."""
    match = _ISO_DURATION.match(value.strip()) if isinstance(value, str) else None
    if not match or not any(match.groups()):
        return None
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    total = hours * 60 + minutes + round(seconds / 60)
    return total if 0 < total < 100_000 else None


def _ld_date(value: object) -> date | None:
    match = _ISO_DATE.match(value.strip()) if isinstance(value, str) else None
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _ld_image(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return _address(value)


def _address(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = html_lib.unescape(value.strip())
    return web_link(value) if value.startswith(("https://", "http://")) else None


# --- what the page is ----------------------------------------------------------------------------------


def _declaring_addresses(soup: BeautifulSoup, ld: dict[str, object]) -> list[str]:
    """The addresses by which a page says what it is: canonical, og:url, app links, the JSON-LD url."""
    found: list[str] = []
    for link in soup.find_all("link", rel="canonical", limit=5):
        if isinstance(href := link.get("href"), str):
            found.append(href)
    for tag in soup.find_all("meta", limit=500):
        name = tag.get("property") or tag.get("name") or ""
        content = tag.get("content")
        declares = isinstance(name, str) and (name == "og:url" or name.startswith("twitter:app:url"))
        if declares and isinstance(content, str):
            found.append(content)
    found += [v for key in ("url", "@id") if isinstance(v := ld.get(key), str)]
    return found


def _declared_ids(soup: BeautifulSoup, main: Tag, ld: dict[str, object]) -> tuple[int, ...]:
    addresses = _declaring_addresses(soup, ld)
    # The tab bar's current tab: the page's own address (a.home.current in 2020, span… in 2024).
    home = main.select_one(".home.current[href]")
    if home is not None and isinstance(href := home.get("href"), str):
        addresses.append(href)
    ids = {int(m.group(1)) for address in addresses for m in _DECLARED_ID.finditer(address)}
    return tuple(sorted(ids))


def _title(soup: BeautifulSoup, main: Tag, ld: dict[str, object]) -> str | None:
    if name := _ld_text(ld.get("name")):
        return name
    for tag in (main.select_one(".titlebar-page .titlebar-title"), main.select_one("h1")):
        if text := _inline(tag):
            return text
    page_title = soup.find("title")
    for raw in (_meta(soup, "og:title"), page_title.get_text() if isinstance(page_title, Tag) else None):
        if raw:
            title = _clean(raw)
            while (shorter := TITLE_SUFFIX.sub("", title)) != title:
                title = shorter
            if title and not title.casefold().startswith("allocin"):
                return title
    return None


def _year(
    soup: BeautifulSoup,
    ld: dict[str, object],
    release: date | None,
    date_text: str,
    labelled: dict[str, list[Tag]],
) -> int | None:
    """The site's year for the film (`<title>… - film 2020 - AlloCiné`), else its release's, its
    header's (`Depuis 2024`, `2020 - 2024` for a series), then its production's."""
    page_title = soup.find("title")
    for raw in (page_title.get_text() if isinstance(page_title, Tag) else None, _meta(soup, "og:title")):
        if raw and (match := _TITLE_YEAR.search(_clean(raw))):
            return int(match.group(1))
    if release is not None:
        return release.year
    for text in (date_text, _first_value(labelled.get("année de production")) or ""):
        if match := _YEAR.search(text):
            return int(match.group(1))
    return None


# --- the header and labelled items ---------------------------------------------------------------------


def _info_item(header: Tag | None) -> Tag | None:
    """The header's first line: date, release type, duration, genres (`.meta-body-info`; the first
    item when the class names are gone, as in 2020)."""
    if header is None:
        return None
    return header.select_one(".meta-body-info") or header.find(True, recursive=False)


def _labelled(root: Tag | None, labels: tuple[str, ...]) -> dict[str, list[Tag]]:
    """The elements after each known label (`<span class="light">De</span> <span>Name</span>`), for the
    first occurrence of each label: a page repeats none of them in its header or details."""
    found: dict[str, list[Tag]] = {}
    if root is None:
        return found
    for label in root.select(".light, .what"):
        tick()
        key = _fold(label.get_text())
        if key in labels and key not in found:
            found[key] = [s for s in label.find_next_siblings(True) if "spacer" not in (s.get("class") or [])]
            if len(found) == len(labels):
                break
    return found


def _label_values(tags: list[Tag] | None) -> tuple[str, ...]:
    return _unique(_inline(tag) for tag in tags or ())


def _first_value(tags: list[Tag] | None) -> str | None:
    return next((text for tag in tags or () if (text := _inline(tag))), None)


def _markup_genres(info: Tag | None) -> tuple[str, ...]:
    """The genre links of the header's first line (`/films/genre-13008/`, often an obfuscated span)."""
    if info is None:
        return ()
    return _unique(_inline(tag) for tag in info.find_all(["a", "span"]) if "/genre-" in _link(tag))


def _link(tag: Tag) -> str:
    """An element's address: its href, or one of AlloCiné's obfuscated links (class `ACr…` + base64)."""
    href = tag.get("href")
    if isinstance(href, str):
        return href
    for css_class in tag.get("class") or []:
        if "ACr" in css_class:
            encoded = css_class.replace("ACr", "").split("#")[0]
            try:
                return base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True).decode()
            except (binascii.Error, ValueError):
                continue
    return ""


def _duration(text: str) -> int | None:
    """`2h 02min`, `1h`, `52min` → minutes."""
    match = _DURATION.search(text)
    if not match:
        return None
    hours, minutes, alone = match.groups()
    total = int(hours) * 60 + int(minutes or 0) if hours is not None else int(alone)
    return total or None


def _poster(soup: BeautifulSoup, card: Tag | None, ld: dict[str, object]) -> str | None:
    if poster := _ld_image(ld.get("image")) or _address(_meta(soup, "og:image")):
        return poster
    img = card.select_one("img.thumbnail-img") if card is not None else None
    return _first(*(_address(img.get(a)) for a in ("src", "data-src"))) if img is not None else None


# --- ratings -------------------------------------------------------------------------------------------


def _rating_figures(card: Tag | None, main: Tag) -> dict[str, SiteFigures]:
    """`Presse` and `Spectateurs` blocks, by their label, in the film's own header: the overview card, or
    else the rating holder of the first labelled block (films recommended further down have theirs)."""
    titles = (card or main).select(".rating-title")
    labelled = [(key, t) for t in titles if (key := _RATING_LABELS.get(_fold(t.get_text())))]
    if card is None and labelled:
        holder = _ancestor(labelled[0][1], "rating-holder", 6)
        if holder is not None:
            labelled = [(key, t) for key, t in labelled if _ancestor(t, "rating-holder", 6) is holder]
    figures: dict[str, SiteFigures] = {}
    for key, title in labelled:
        tick()
        if key not in figures:
            item = _ancestor(title, "rating-item-content", 3) or _ancestor(title, "rating-item", 3)
            figures[key] = _block_figures(key, item or title.parent or title)
    return figures


def _ancestor(tag: Tag, css_class: str, levels: int) -> Tag | None:
    parent = tag.parent
    for _ in range(levels):
        if parent is None:
            return None
        if css_class in (parent.get("class") or []):
            return parent
        parent = parent.parent
    return None


def _block_figures(key: str, item: Tag) -> SiteFigures:
    note = item.select_one(".stareval-note")
    average = out_of_five(_inline(note)) if note is not None else None  # `--`: no rating yet
    counts = _inline(item.select_one(".stareval-review") or item)
    reviews = _REVIEWS.search(counts)
    reviews_count = parse_count(reviews.group("n")) if reviews else None
    if key == "press":
        return SiteFigures(average=average, reviews_count=reviews_count)
    ratings = RATINGS_COUNT.search(counts)  # `488 notes dont 101 critiques`, `3015 notes, 301 critiques`
    ratings_count = parse_count(ratings.group("n")) if ratings else None
    return SiteFigures(average=average, ratings_count=ratings_count, reviews_count=reviews_count)


# --- synopsis ------------------------------------------------------------------------------------------


def _markup_synopsis(main: Tag) -> str | None:
    section = main.select_one("#synopsis-details") or main.select_one(".ovw-synopsis")
    if section is None:
        return None
    text = section.select_one(".content-txt")
    if text is None:  # 2020: the text's <div> lost its class; it is the first one that is no title or detail
        skip = {"titlebar", "advice", "ovw-synopsis-info", "more-hidden"}
        text = next(
            (d for d in section.find_all("div", recursive=False) if not skip & set(d.get("class") or [])),
            None,
        )
    return _inline(text) or None


def _synopsis(text: str | None) -> str | None:
    """Whole sentences up to SYNOPSIS_LENGTH characters; a first sentence longer than that is cut at a
    word and ends with `…`."""
    if not text:
        return None
    if len(text) <= SYNOPSIS_LENGTH:
        return text
    end = 0
    for match in _SENTENCE_END.finditer(text, 0, SYNOPSIS_LENGTH + 1):
        if match.end() <= SYNOPSIS_LENGTH:
            end = match.end()
    if end:
        return text[:end].strip()
    cut = text.rfind(" ", 0, SYNOPSIS_LENGTH)
    return text[: cut if cut > 0 else SYNOPSIS_LENGTH - 1].rstrip(" ,;:-–") + "…"
