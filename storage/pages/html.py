"""HTML parser: an AlloCiné review page saved as HTML → a typed result.

The markup is read where it is recognised (`div.review-card` for spectators, `div.item.hred` for the
press, JSON-LD for the film's title and figures). AlloCiné renames and obfuscates its classes over the
years, so when no such markup is found the page's visible text (`text_layer`) goes to the text parser,
and figures the markup does not give are taken from that text too.
"""

from __future__ import annotations

import base64
import binascii
import html as html_lib
import json
import math
import re
import unicodedata
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser

from bs4 import BeautifulSoup
from bs4.builder import HTMLTreeBuilder
from bs4.builder._htmlparser import BeautifulSoupHTMLParser
from bs4.element import CData, NavigableString, PreformattedString
from bs4.exceptions import ParserRejectedMarkup

from storage.pages.checks import BARE_LEVELS, PageTooDeep, Reading, scrub, site_link, tick, web_link
from storage.pages.french import normalize_spaces, parse_count, parse_date, parse_decimal
from storage.pages.model import (
    STARS,
    PageError,
    ParsedOutletPage,
    ParsedPage,
    ParsedPressPage,
    ParsedSpectatorPage,
    PressReview,
    SiteFigures,
    SpectatorReview,
)
from storage.pages.text import parse_text
from storage.pages.vocabulary import (
    CARD_CHROME,
    CRITIC,
    FULL_REVIEW_NOTE,
    HISTO_COUNT,
    HISTO_ROW,
    HISTO_STAR,
    LINK_ONLY,
    LINK_WORDS,
    NOT_AN_OUTLET,
    OUTLET_PAGE,
    PRESS_COUNT,
    RATINGS_COUNT,
    SPECTATOR_COUNT,
    STAR_LABELS,
    TITLE_PREFIX,
    TITLE_SPLIT,
    TITLE_SUFFIX,
    author_stats,
    is_anonymous,
    is_site_words,
    out_of_five,
)

__all__ = ["parse_html", "text_layer"]

# Never rendered by a browser: left out of the text layer.
_HIDDEN = frozenset(
    {"script", "style", "noscript", "template", "head", "title", "meta", "link", "svg", "iframe", "object"}
)
_PARAGRAPHS = frozenset({"p", "blockquote", "pre", "table"})  # a blank line around them
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "body", "caption", "dd", "details", "dialog", "div",
        "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "hgroup", "hr", "html", "legend", "li", "main", "menu", "nav", "ol", "option", "section",
        "summary", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")  # HTML collapses these; NBSP and its kin are text
_SPACES = re.compile(r" {2,}")
_BLANKS = re.compile(r"\n{3,}")
_MARK = "\ue000"  # private-use character marking where a card starts, removed from the output

_REVIEW_ID = re.compile(r"^review_?(\d{1,18})$")
_PRESS_ID = re.compile(r"^pressreview_?(\d{1,18})$")
_STARS_CLASS = re.compile(r"^n(\d{2})$")  # rating-mdl n35 → 3.5 stars
_CONTENT_CLASSES = frozenset({"content-txt", "review-card-content"})


# --- text layer ------------------------------------------------------------------------------


class _Layer:
    __slots__ = ("lines", "starts")  # a plain class: cards make thousands, a frozen dataclass is slower

    def __init__(self, lines: list[str], starts: dict[int, int]) -> None:
        self.lines = lines
        self.starts = starts  # id() of a marked element → 1-based line where its text starts

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def text_layer(html: str) -> str:
    """The page's visible text, one block element per line, blank lines between paragraphs."""
    return _layer(_soup(html).root).text


class _Element:
    """An element of the page: what the parsers read of it, and nothing else (bs4's Tag costs several
    times more to build, and a page may hold hundreds of thousands)."""

    __slots__ = ("attrs", "class_list", "classes", "contents", "name", "parent")

    def __init__(self, name: str, attrs: dict[str, str], parent: _Element | None) -> None:
        self.name = name
        self.attrs = attrs
        self.parent = parent
        self.contents: list[_Element | _Text] = []
        css = attrs.get("class")
        # Split as bs4 splits a multi-valued attribute; in page order (obfuscated links take the first).
        self.class_list: Sequence[str] = _WORDS.findall(css) if css else ()
        self.classes = frozenset(self.class_list) if self.class_list else _EMPTY

    def get(self, key: str) -> str | None:
        return self.attrs.get(key)

    @property
    def is_empty_element(self) -> bool:  # what BeautifulSoupHTMLParser asks of a new element
        return not self.contents and self.name in _VOID


class _Text:
    """A run of text between two tags. `kind` is the class bs4 would give it (Comment, Script…);
    `shown` is False for comments, doctypes, CDATA and the like."""

    __slots__ = ("kind", "parent", "shown", "text")

    def __init__(self, text: str, parent: _Element, kind: type[NavigableString]) -> None:
        self.text = text
        self.parent = parent
        self.kind = kind
        self.shown = kind is NavigableString or not issubclass(kind, PreformattedString)


_VOID = frozenset(HTMLTreeBuilder.DEFAULT_EMPTY_ELEMENT_TAGS or ())
_PRESERVE_SPACE = frozenset(HTMLTreeBuilder.DEFAULT_PRESERVE_WHITESPACE_TAGS)
_CONTAINERS = HTMLTreeBuilder.DEFAULT_STRING_CONTAINERS  # script → Script…: its texts' class
_MAIN_STRINGS = frozenset({NavigableString, CData})  # what get_text() reads of other elements
_WORDS = re.compile(r"\S+")
_ASCII_SPACES = "\x20\x0a\x09\x0c\x0d"
_ROOT = "[document]"
_EMPTY: frozenset[str] = frozenset()
_NONE: dict[str, str] = {}  # no attributes: shared, never changed
_LD_JSON = re.compile(r"ld\+json", re.IGNORECASE)


class _Settings:
    """The builder settings BeautifulSoupHTMLParser reads."""

    attribute_dict_class = dict
    store_line_numbers = False


class _Tree:
    """The page's tree, built from BeautifulSoupHTMLParser's calls exactly as BeautifulSoup builds its
    own with html.parser (same tokens, same merged texts, same end-tag rules: an end tag closes the most
    recent open element of its name and everything open inside it, or nothing), with plain objects.

    It also notes, as it goes, what the metadata is read from: scripts, the first og:title and title."""

    builder = _Settings()

    def __init__(self) -> None:
        self.root = _Element(_ROOT, {}, None)
        self.current = self.root
        self.stack = [self.root]
        self.open: dict[str, int] = {}  # open elements by name
        self.preserving: list[_Element] = []  # open <pre> and <textarea>
        self.containers: list[_Element] = []
        self.data: list[str] = []
        self.tags = 0
        self.bare = 0  # elements open since the last text (see checks.BARE_LEVELS)
        self.scripts: list[_Element] = []
        self.og_title: _Element | None = None
        self.title: _Element | None = None
        self.contains_replacement_characters = False

    def handle_starttag(
        self, name: str, namespace: object, nsprefix: object, attrs: dict[str, str], **_where: object
    ) -> _Element:
        self.tags += 1
        if not self.tags & 4095:
            tick()
        self.endData()
        tag = _Element(name, attrs, self.current)
        self.current.contents.append(tag)
        self.stack.append(tag)
        self.current = tag
        self.open[name] = self.open.get(name, 0) + 1
        self.bare += 1
        if self.bare > BARE_LEVELS:
            raise PageTooDeep(BARE_LEVELS)
        if name in _PRESERVE_SPACE:
            self.preserving.append(tag)
        if name in _CONTAINERS:
            self.containers.append(tag)
        if name == "script":
            self.scripts.append(tag)
        elif name == "meta" and self.og_title is None and attrs.get("property") == "og:title":
            self.og_title = tag
        elif name == "title" and self.title is None:
            self.title = tag
        return tag

    def handle_endtag(self, name: str, nsprefix: object = None) -> None:
        self.endData()
        if not self.open.get(name):
            return
        while len(self.stack) > 1:
            if self._pop().name == name:
                break

    def _pop(self) -> _Element:
        tag = self.stack.pop()
        self.open[tag.name] -= 1
        if self.bare:
            self.bare -= 1
        if self.preserving and tag is self.preserving[-1]:
            self.preserving.pop()
        if self.containers and tag is self.containers[-1]:
            self.containers.pop()
        self.current = self.stack[-1]
        return tag

    def handle_data(self, data: str) -> None:
        self.data.append(data)

    def endData(self, kind: type[NavigableString] | None = None) -> None:
        if not self.data:
            return
        text = self.data[0] if len(self.data) == 1 else "".join(self.data)
        self.data = []
        if not self.preserving and not text.strip(_ASCII_SPACES):
            text = "\n" if "\n" in text else " "
        elif kind is None and not text.isspace():
            self.bare = 0
        if kind is None:
            kind = _CONTAINERS[self.containers[-1].name] if self.containers else NavigableString
        self.current.contents.append(_Text(text, self.current, kind))

    def finish(self) -> None:
        self.endData()
        while len(self.stack) > 1:
            self._pop()

    @staticmethod
    def get_text(tag: _Element) -> str:
        """bs4's get_text(): the texts inside `tag`, at any depth, of the kinds it deems its own."""
        kinds = {_CONTAINERS[tag.name]} if tag.name in _CONTAINERS else _MAIN_STRINGS
        out: list[str] = []
        stack: list[_Element | _Text] = [tag]
        while stack:
            node = stack.pop()
            if isinstance(node, _Text):
                if node.kind in kinds:
                    out.append(node.text)
            else:
                stack.extend(reversed(node.contents))
        return "".join(out)


class _Parser(BeautifulSoupHTMLParser):
    """bs4's own html.parser listener (entities, character references, empty elements, comments as
    bs4 reads them), building a _Tree instead of a BeautifulSoup."""

    def handle_starttag(
        self, tag: str, attrs: list[tuple[str, str | None]], handle_empty_element: bool = True
    ) -> None:
        # bs4's, without its per-tag overhead: the last of duplicate attributes wins, None becomes "".
        self.start(tag, {k: "" if v is None else v for k, v in attrs}, handle_empty_element)

    def start(self, tag: str, attrs: dict[str, str], handle_empty_element: bool = True) -> None:
        tree: _Tree = self.soup  # type: ignore[assignment]
        element = tree.handle_starttag(tag, None, None, attrs)
        if handle_empty_element and element.is_empty_element:
            self.handle_endtag(tag, check_already_closed=False)
            self.already_closed_empty_element.append(tag)
        if self._root_tag_name is None:
            self._root_tag_encountered(tag)


def _soup(html: str) -> _Tree:
    if not isinstance(html, str):
        raise PageError("le contenu HTML doit être du texte")
    if not html.strip():
        raise PageError("la page est vide")
    if _FAST_TOKENS:
        tree = _Tree()
        if _tokenize(html, _Parser(tree, convert_charrefs=False)):  # type: ignore[arg-type]
            tree.finish()
            return tree
    tree = _Tree()  # markup the fast reading does not take: html.parser reads it all again
    parser = _Parser(tree, convert_charrefs=False)  # type: ignore[arg-type]
    try:
        parser.feed(html)
        parser.close()
    except PageError:
        raise  # past the time limit
    except (ParserRejectedMarkup, AssertionError, ValueError, RecursionError) as error:
        raise _refusal(html, error) from None
    tree.finish()
    return tree


# --- the fast reading of plain markup ------------------------------------------------------------
#
# html.parser finds each token with several regular expressions and Python steps; one expression for
# the common, unambiguous forms (plain tags and attributes, `;`-terminated references, simple comments)
# reads the same tokens several times faster. Anything else (a `<` or `&` it does not take) makes the
# whole page go through html.parser instead, so that every page reads exactly as html.parser reads it.
_SPACE = r"[ \t\n\r\f]"  # what html.parser's tag names stop at; `\s` would take NBSP and the like
_NAME = r"[a-zA-Z_:@][-a-zA-Z0-9_:.@]*"
_ATTRS = rf"""(?:{_SPACE}+{_NAME}(?:{_SPACE}*={_SPACE}*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*"""
_ATTR = re.compile(rf"""{_SPACE}+({_NAME})(?:{_SPACE}*={_SPACE}*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_TOKEN = re.compile(
    "(?P<text>[^<&]+)"
    f"|<(?P<start>[a-zA-Z][-a-zA-Z0-9_:.]*)(?P<attrs>{_ATTRS}){_SPACE}*(?P<empty>/?)>"
    f"|</(?P<end>[a-zA-Z][-a-zA-Z0-9_:.]*){_SPACE}*>"
    "|<!--(?!-?>)(?P<comment>(?:[^-]|-(?!-))*)-->"  # no `--` inside: read alike by every Python
    "|&(?P<entity>[a-zA-Z][-.a-zA-Z0-9]*);"
    "|&#(?P<charref>[0-9]+|[xX][0-9a-fA-F]+);"
    "|(?P<amp>&)(?![a-zA-Z#])"  # a lone `&` is text
    "|(?P<lt><)(?![a-zA-Z/!?])"  # so is a lone `<`
    "|<!(?P<doctype>[dD][oO][cC][tT][yY][pP][eE][^>]*)>"
)
# Where html.parser ends a script or style (3.11; later versions differ on odd forms, left to it).
_RAW_END = {name: re.compile(rf"</\s*{name}", re.IGNORECASE) for name in ("script", "style")}
# The fast reading knows html.parser's raw-text elements as Python 3.11 has them; a Python that has
# others (RCDATA, in later releases) reads every page with html.parser.
_FAST_TOKENS = HTMLParser.CDATA_CONTENT_ELEMENTS == ("script", "style") and not hasattr(
    HTMLParser, "RCDATA_CONTENT_ELEMENTS"
)


def _tokenize(html: str, parser: _Parser) -> bool:
    """Feed `parser` the page's tokens as html.parser would; False (and a tree to throw away) at the
    first markup that is not plain."""
    match, pos, size = _TOKEN.match, 0, len(html)
    while pos < size:
        token = match(html, pos)
        if token is None:
            return False
        pos = token.end()
        kind = token.lastgroup
        if kind == "text":
            parser.handle_data(token.group("text"))
        elif kind == "attrs" or kind == "empty":  # a start tag: its last group is the one that closed
            name = token.group("start").lower()
            raw = token.group("attrs")
            # The last of duplicate attributes wins, as in bs4; elements never change their attributes,
            # so those without share one empty dict.
            attrs = {k.lower(): _unescape(a or b or c) for k, a, b, c in _ATTR.findall(raw)} if raw else _NONE
            if token.group("empty"):  # handle_startendtag
                parser.start(name, attrs, handle_empty_element=False)
                parser.handle_endtag(name, check_already_closed=False)
                continue
            parser.start(name, attrs)
            if name in _RAW_END:
                end = _RAW_END[name].search(html, pos)
                if end is None or not html.startswith(f"</{name}>", end.start()):
                    return False
                if "<!--" in html[pos : end.start()]:
                    return False  # script-escaped text: Python versions read it differently
                if end.start() > pos:
                    parser.handle_data(html[pos : end.start()])
                parser.handle_endtag(name)
                pos = end.start() + len(name) + 3
        elif kind == "end":
            parser.handle_endtag(token.group("end").lower())
        elif kind == "comment":
            parser.handle_comment(token.group("comment"))
        elif kind == "entity":
            parser.handle_entityref(token.group("entity"))
        elif kind == "charref":
            parser.handle_charref(token.group("charref"))
        elif kind == "amp" or kind == "lt":
            parser.handle_data(token.group(kind))
        else:
            parser.handle_decl(token.group("doctype"))
    return True


def _unescape(value: str) -> str:
    return html_lib.unescape(value) if "&" in value else value


def _refusal(html: str, error: Exception) -> PageError:
    """Markup html.parser gives up on (rare): refused in bs4's words, as before the tree was ours."""
    try:
        BeautifulSoup(html, "html.parser")
    except (ParserRejectedMarkup, AssertionError, ValueError, RecursionError) as bs4_error:
        error = bs4_error
    return PageError(f"HTML illisible : {error}")


def _layer(
    root: _Element,
    marked: Sequence[_Element] = (),
    skip: frozenset[int] = frozenset(),
    limit: int | None = None,
) -> _Layer:
    """Render `root` as text; remember the line where each element of `marked` starts.

    Elements whose id() is in `skip` (other cards inside this one) are left out; `limit` stops the
    rendering after about that many characters."""
    contents = root.contents
    entered: list[int] = []
    if not marked and len(contents) == 1 and isinstance(text := contents[0], _Text) and text.shown:
        # An element holding one text (a name, a date, a rating): what _render makes of it, directly.
        raw = "" if root.name in _HIDDEN else _HTML_SPACE.sub(" ", text.text.replace(_MARK, ""))
    else:
        raw, entered = _render(root, {id(tag) for tag in marked}, skip, limit)
    lines: list[str] = []
    starts: dict[int, int] = {}
    pending: list[int] = []
    taken = 0  # marks of `entered` already given to a line
    for n, line in enumerate(normalize_spaces(raw).split("\n")):
        if not n & 1023:
            tick()
        marks = line.count(_MARK)
        if marks:
            pending.extend(entered[taken : taken + marks])
            taken += marks
            line = line.replace(_MARK, "")
        line = _SPACES.sub(" ", line).strip()
        if not line and (not lines or not lines[-1]):
            continue  # one blank line at most, none at the top
        lines.append(line)
        if line:
            starts.update(dict.fromkeys(pending, len(lines)))
            pending.clear()
    while lines and not lines[-1]:
        lines.pop()
    return _Layer(lines, starts)


def _render(
    root: _Element, marked: set[int], skip: frozenset[int], limit: int | None
) -> tuple[str, list[int]]:
    """Text with line breaks, and the marked elements in the order their marks were written.

    Breaks owed by blocks merge (a `</div><div>` is one line break, a `<p>` a blank line), those of
    `<br>` add up. The walk is iterative: deeply nested pages must not exhaust the stack.
    """
    out: list[str] = []
    entered: list[int] = []
    waiting: list[int] = []  # marked elements whose first text is still to come
    owed = 0  # line breaks owed before the next text
    size = 0
    stack: list[_Element | _Text | int] = [root]
    while stack:
        node = stack.pop()
        size += 1
        if not size & 4095:
            tick()
        if isinstance(node, int):  # the end of a block
            owed = max(owed, node)
        elif isinstance(node, _Text):
            if not node.shown:  # comments, doctypes, CDATA
                continue
            text = _HTML_SPACE.sub(" ", node.text.replace(_MARK, ""))
            if not text.strip():
                if not owed:
                    out.append(text)  # the space between two inline elements
                continue
            if owed and out:
                out.append("\n" * owed)
            owed = 0
            out.append(_MARK * len(waiting))  # the marks begin the line of their element's first text
            entered.extend(waiting)
            waiting.clear()
            out.append(text)
            if limit is not None:
                limit -= len(text)
                if limit < 0:
                    break
        elif node.name not in _HIDDEN and (node is root or id(node) not in skip):
            if node.name == "br":
                owed += 1
                continue
            level = 2 if node.name in _PARAGRAPHS else 1 if node.name in _BLOCKS else 0
            if level:
                owed = max(owed, level)
                stack.append(level)
            if id(node) in marked:
                waiting.append(id(node))
            stack.extend(reversed(node.contents))
    return "".join(out), entered


def _block_text(tag: _Element | None, skip: frozenset[int] = frozenset()) -> str:
    """An element's text: lines as rendered, paragraphs separated by a blank line."""
    return "\n".join(_layer(tag, skip=skip).lines) if tag is not None else ""


def _inline_text(tag: _Element | None, skip: frozenset[int] = frozenset(), limit: int | None = None) -> str:
    """An element's text on one line."""
    if tag is None:
        return ""
    return " ".join(line for line in _layer(tag, skip=skip, limit=limit).lines if line)


# --- what the markup holds, found in one walk ----------------------------------------------------

_INFOS, _META, _CONTENT = 1, 2, 4  # where an element sits inside its card
_BLOCK_CLASSES = {_INFOS: "review-card-user-infos", _META: "review-card-meta"}
_HISTOGRAMS = frozenset({"rating-histogram", "histogram", "rating-repartition", "repartition"})


@dataclass
class _Own:
    """A card's (or a press item's) own elements, in page order: those inside it but not inside a card
    or item nested in it. Its fields are read from these alone: nested cards (left open by a broken
    page) must neither lend their fields nor make reading quadratic."""

    tag: _Element
    elements: list[tuple[_Element, frozenset[str], int]] = field(default_factory=list)  # tag, classes, where
    strings: list[_Text] = field(default_factory=list)
    # css class → its own elements (with where they sit), in page order: built on the first question,
    # so that the dozen questions asked of a card do not each walk all its elements.
    _by_class: dict[str, list[tuple[_Element, int]]] | None = None

    def _with(self, css_class: str) -> list[tuple[_Element, int]]:
        if self._by_class is None:
            self._by_class = {}
            for tag, classes, at in self.elements:
                for name in classes:
                    self._by_class.setdefault(name, []).append((tag, at))
        return self._by_class.get(css_class, [])

    def first(self, css_class: str, where: int = 0, name: str | None = None) -> _Element | None:
        """The first own element with `css_class` (and tag `name`), inside the `where` block if the card
        has one."""
        scoped = bool(where) and self.has(_BLOCK_CLASSES[where])
        for tag, at in self._with(css_class):
            if (name is None or tag.name == name) and (not scoped or at & where):
                return tag
        return None

    def has(self, css_class: str, where: int = 0) -> bool:
        return any(not where or at & where for _, at in self._with(css_class))


@dataclass
class _Survey:
    cards: list[_Own] = field(default_factory=list)
    items: list[_Own] = field(default_factory=list)
    histogram: _Element | None = None
    big_note: _Element | None = None  # `.big-note .note`
    note_count: _Element | None = None  # `.user-note-count`
    headings: list[_Element] = field(default_factory=list)  # the first h1 and h2

    @property
    def nested(self) -> frozenset[int]:
        return frozenset(id(own.tag) for own in (*self.cards, *self.items))


def _survey(root: _Element) -> _Survey:
    """One walk over the page: cards and press items with their own elements, and the few blocks the
    page's figures are read from. Linear in the page's size, whatever its nesting."""
    survey = _Survey()
    stack: list[tuple[_Element | _Text, _Own | None, int, bool]] = [(root, None, 0, False)]
    walked = 0
    while stack:
        node, owner, where, in_big_note = stack.pop()
        walked += 1
        if not walked & 4095:
            tick()
        if isinstance(node, _Text):
            if owner is not None and node.shown:
                owner.strings.append(node)
            continue
        classes = node.classes
        if node.name == "div" and "review-card" in classes:
            owner, where = _Own(node), 0
            survey.cards.append(owner)
        elif node.name == "div" and "item" in classes and "hred" in classes:
            owner, where = _Own(node), 0
            survey.items.append(owner)
        else:
            if owner is not None:
                owner.elements.append((node, classes, where))
            if classes:
                if survey.histogram is None and classes & _HISTOGRAMS:
                    survey.histogram = node
                if survey.big_note is None and in_big_note and "note" in classes:
                    survey.big_note = node
                if survey.note_count is None and "user-note-count" in classes:
                    survey.note_count = node
                in_big_note = in_big_note or "big-note" in classes
                if "review-card-user-infos" in classes:
                    where |= _INFOS
                if "review-card-meta" in classes:
                    where |= _META
                if "content-txt" in classes or "review-card-content" in classes:
                    where |= _CONTENT
            if node.name in {"h1", "h2"} and len(survey.headings) < 20:
                survey.headings.append(node)
        stack.extend((child, owner, where, in_big_note) for child in reversed(node.contents))
    return survey


# --- page ------------------------------------------------------------------------------------


def parse_html(html: str, reading: Reading | None = None) -> ParsedPage:
    """Read an AlloCiné page saved as HTML. Raises PageError (only) when it cannot."""
    reading = reading or Reading()
    with reading.timed():
        return scrub(_parse_html(html, reading))


def _parse_html(html: str, reading: Reading) -> ParsedPage:
    tree = _soup(html)
    meta = _metadata(tree)
    survey = _survey(tree.root)
    cards, items = survey.cards, survey.items
    layer = _layer(tree.root, [own.tag for own in (*cards, *items)])

    if outlet := _outlet_heading(survey, layer, meta):
        page = parse_text(layer.text, reading)
        if isinstance(page, ParsedOutletPage):
            return page
        raise PageError(f"page « Toutes les critiques de {outlet} » (films d'un titre de presse) illisible")

    if cards and len(cards) >= len(items):
        spectator = _spectator_page(survey, layer, meta, reading)
        if spectator is not None:
            return spectator
    elif items:
        press = _press_page(survey, layer, meta, reading)
        if press is not None:
            return press
    # Unknown markup (or none of it usable): the page as a browser shows it.
    return parse_text(layer.text, reading)


def _text_parse(layer: _Layer, reading: Reading) -> ParsedPage | None:
    """The text parser's reading of the page, to fill what the markup lacks; None when it has none."""
    try:
        return parse_text(layer.text, reading)
    except PageError:
        return None


@dataclass(frozen=True)
class _Metadata:
    title: str | None
    average: float | None
    ratings_count: int | None
    reviews_count: int | None
    heading: str | None  # <title> or og:title as written, for the outlet-page check


def _metadata(tree: _Tree) -> _Metadata:
    """JSON-LD's film and aggregate rating, else og:title, else <title>."""
    film: dict[str, object] = {}
    for script in tree.scripts:
        kind = script.get("type")
        if kind is None or not _LD_JSON.search(kind):
            continue
        try:
            data = json.loads(tree.get_text(script))
        except (ValueError, RecursionError):  # broken JSON, or integers too long to read
            continue
        film = next(_films(data), film)
        if film:
            break
    rating = film.get("aggregateRating")
    rating = rating if isinstance(rating, dict) else {}

    og_title = tree.og_title.get("content") if tree.og_title is not None else None
    page_title = tree.get_text(tree.title) if tree.title is not None else None
    candidates = [_json_text(film.get("name")), og_title, page_title]
    return _Metadata(
        title=next((t for t in (_clean_title(c) for c in candidates if isinstance(c, str)) if t), None),
        average=_json_average(rating.get("ratingValue")),
        ratings_count=json_count(rating.get("ratingCount")),
        reviews_count=json_count(rating.get("reviewCount")),
        heading=" ".join(c for c in (og_title, page_title) if isinstance(c, str)) or None,
    )


def _films(data: object) -> Iterator[dict[str, object]]:
    """JSON-LD objects that describe the film: a Movie (or series), or anything with a rating."""
    todo = deque([data])
    while todo:
        item = todo.popleft()
        if isinstance(item, list):
            todo.extend(item)
        elif isinstance(item, dict):
            kind = item.get("@type")
            kinds = {k for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)}
            if kinds & {"Movie", "TVSeries", "CreativeWork", "TVEpisode"} or "aggregateRating" in item:
                yield item
            if isinstance(item.get("@graph"), list):
                todo.extend(item["@graph"])


def _json_text(value: object) -> str | None:
    # AlloCiné's JSON-LD also holds HTML entities (`&#039;`).
    return html_lib.unescape(value) if isinstance(value, str) else None


def _json_average(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        parsed = parse_decimal(normalize_spaces(value))
        if parsed is None:
            return None
        number = parsed
    else:
        return None
    return round(number, 2) if math.isfinite(number) and 0 <= number <= 5 else None


def json_count(value: object) -> int | None:
    """A JSON-LD count (`ratingCount`…): a number or digits, within what the site can show; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return value if 0 <= value < 10**9 else None
    if isinstance(value, str) and len(value) <= 15:
        return parse_count(value)
    return None


def _clean_title(raw: str) -> str | None:
    if len(raw) > 1000:  # no film's title: and stripping suffixes one by one must stay cheap
        return None
    title = TITLE_PREFIX.sub("", _clean(raw))
    while (shorter := TITLE_SUFFIX.sub("", title)) != title:
        title = shorter
    title = title.strip()
    return title if title and not title.casefold().startswith("allocin") else None


def _clean(text: str) -> str:
    return _SPACES.sub(" ", normalize_spaces(text).replace("\n", " ")).strip()


def _outlet_heading(survey: _Survey, layer: _Layer, meta: _Metadata) -> str | None:
    """`Toutes les critiques de Le Figaro` as the page's heading: an outlet's page, not a film's."""
    first_mark = min(layer.starts.values(), default=len(layer.lines) + 1)
    # A heading left open holds the rest of the page: a few hundred characters are enough here.
    candidates = [_inline_text(h, limit=300) for h in survey.headings]
    candidates += [_clean(part) for part in TITLE_SPLIT.split(meta.heading or "")]
    candidates += layer.lines[: min(first_mark - 1, 40)]
    for text in candidates:
        if (match := OUTLET_PAGE.match(text)) and not NOT_AN_OUTLET.match(outlet := match.group("outlet")):
            return TITLE_SUFFIX.sub("", outlet).strip()
    return None


# --- spectator pages -------------------------------------------------------------------------


def _spectator_page(
    survey: _Survey, layer: _Layer, meta: _Metadata, reading: Reading
) -> ParsedSpectatorPage | None:
    warnings: list[str] = []
    nested = survey.nested
    reviews = [
        review for card in survey.cards if (review := _read_card(card, layer, warnings, reading, nested))
    ]
    if not reviews:
        return None  # cards whose insides changed: the text parser does better

    average = meta.average
    if average is None and survey.big_note is not None:
        average = out_of_five(_inline_text(survey.big_note, nested, limit=100))
    ratings_count = meta.ratings_count
    if ratings_count is None and survey.note_count is not None:
        match = RATINGS_COUNT.search(_inline_text(survey.note_count, nested, limit=200))
        ratings_count = parse_count(match.group("n")) if match else None
    reviews_count = meta.reviews_count
    if reviews_count is None:
        reviews_count = _count_line(layer, SPECTATOR_COUNT)
    histogram = _histogram(survey.histogram, nested, warnings)
    title = meta.title

    if None in (average, ratings_count, reviews_count, histogram, title):
        # The figures sit above the first card: reading the cards' text again would double the work.
        first_card = min(layer.starts.values(), default=len(layer.lines) + 1)
        textual = _text_parse(_Layer(layer.lines[: first_card - 1], {}), reading)
        if isinstance(textual, ParsedSpectatorPage):
            found = textual.figures
            average = average if average is not None else found.average
            ratings_count = ratings_count if ratings_count is not None else found.ratings_count
            reviews_count = reviews_count if reviews_count is not None else found.reviews_count
            histogram = histogram or found.histogram
            title = title or textual.title
    figures = SiteFigures(
        average=average, ratings_count=ratings_count, reviews_count=reviews_count, histogram=histogram
    )
    return ParsedSpectatorPage(title=title, figures=figures, reviews=reviews, warnings=warnings)


def _count_line(layer: _Layer, pattern: re.Pattern[str]) -> int | None:
    """The count on the first line such as `39 critiques spectateurs`."""
    return next((parse_count(m.group("n")) for line in layer.lines if (m := pattern.match(line))), None)


def _where(line: int | None) -> str:
    return f"ligne {line}" if line else "HTML"


def _read_card(
    card: _Own, layer: _Layer, warnings: list[str], reading: Reading, nested: frozenset[int]
) -> SpectatorReview | None:
    tick()
    line = layer.starts.get(id(card.tag))
    name = _inline_text(card.first("meta-title", _INFOS), nested, limit=500)
    author = None if not name or is_anonymous(name) or is_site_words(name) else name

    stats_tag = card.first("meta-content", _INFOS) or card.first("meta-sub", _INFOS)
    followers, author_reviews = author_stats(_inline_text(stats_tag, nested, limit=500))

    note = card.first("stareval-note", _META, name="span")
    rating = out_of_five(_inline_text(note, nested, limit=100)) if note else _stars_of(card, _META)
    date_tag = card.first("review-card-meta-date", _META)
    published = parse_date(_inline_text(date_tag, nested, limit=200)) if date_tag else None

    content = next(
        (tag for tag, classes, _ in card.elements if tag.name == "div" and classes >= _CONTENT_CLASSES),
        None,
    ) or next((tag for tag, classes, _ in card.elements if classes & _CONTENT_CLASSES), None)
    lines = _block_text(content, nested).split("\n")
    text = _BLANKS.sub("\n\n", "\n".join(line for line in lines if not CARD_CHROME.match(line))).strip()
    if not text:
        warnings.append(f"{_where(line)} : critique sans texte, ignorée")
        return None
    if published is None:
        warnings.append(f"{_where(line)} : date de publication illisible")
    published = reading.checked_date(published, _where(line), warnings)

    card_id = _REVIEW_ID.match(str(card.tag.get("id") or ""))
    return SpectatorReview(
        author=author,
        rating=rating,
        published=published,
        text=text,
        followers=followers,
        author_reviews=author_reviews,
        spoiler=content is not None and card.has("spoiler-content", _CONTENT),
        site_id=card_id.group(1) if card_id else None,
        line=line,
    )


def _histogram(block: _Element | None, nested: frozenset[int], warnings: list[str]) -> dict[str, int] | None:
    """Rows of a star value and `N critiques`, in a `.rating-histogram` (or similarly named) block."""
    if block is None:
        return None
    lines = [line for line in _layer(block, skip=nested).lines if line]
    found: dict[str, int] = {}
    i = 0
    while i < len(lines):
        # A star on its own line takes the count below it first: "1 009 critiques" alone would
        # otherwise read as star 1 with 9 reviews.
        if (star := HISTO_STAR.match(lines[i])) and (count := HISTO_COUNT.match(_next(lines, i))):
            found[star.group("star")] = parse_count(count.group("n")) or 0
            i += 2
            continue
        if match := HISTO_ROW.match(lines[i]):
            found[match.group("star")] = parse_count(match.group("n")) or 0
        i += 1
    if set(found) != set(STARS):
        if found:
            warnings.append(f"histogramme incomplet ({len(found)} barres sur 6), ignoré")
        return None
    return {star: found[star] for star in STARS}


def _next(lines: list[str], i: int) -> str:
    return lines[i + 1] if i + 1 < len(lines) else ""


# --- press pages -----------------------------------------------------------------------------


def _press_page(survey: _Survey, layer: _Layer, meta: _Metadata, reading: Reading) -> ParsedPressPage | None:
    warnings: list[str] = []
    nested = survey.nested
    reviews = [review for item in survey.items if (review := _read_press_item(item, layer, warnings, nested))]
    if not reviews:
        return None
    # JSON-LD's aggregateRating is the spectators': the press figures come from the page's text.
    textual = _text_parse(layer, reading)
    found = textual.figures if isinstance(textual, ParsedPressPage) else SiteFigures()
    count = found.reviews_count
    if count is None:
        count = _count_line(layer, PRESS_COUNT)
    if count is not None and count != len(reviews):
        warnings.append(f"la page annonce {count} critiques presse, {len(reviews)} lues")
    title = meta.title or (textual.title if isinstance(textual, ParsedPressPage) else None)
    figures = SiteFigures(average=found.average, reviews_count=count)
    return ParsedPressPage(title=title, figures=figures, reviews=reviews, warnings=warnings)


def _read_press_item(
    item: _Own, layer: _Layer, warnings: list[str], nested: frozenset[int]
) -> PressReview | None:
    tick()
    line = layer.starts.get(id(item.tag))
    outlet = _inline_text(item.first("title", name="h2") or item.first("title"), nested, limit=500)
    if not outlet:
        warnings.append(f"{_where(line)} : critique presse sans nom de journal, ignorée")
        return None
    author = _inline_text(item.first("author"), nested, limit=500)
    critic = (match.group("critic") if (match := CRITIC.match(author)) else author).strip() or None
    quote = _block_text(item.first("text", name="p") or item.first("text"), nested) or None
    item_id = _PRESS_ID.match(str(item.tag.get("id") or ""))
    return PressReview(
        outlet=outlet,
        critic=critic,
        quote=quote,
        link=_press_link(item, nested),
        rating=_stars_of(item),
        site_id=item_id.group(1) if item_id else None,
        line=line,
    )


def _press_link(item: _Own, nested: frozenset[int]) -> str | None:
    """The review on the outlet's site: the link's address, else the site named in its text."""
    for string in item.strings:
        if not LINK_WORDS.search(string.text):
            continue
        tag = string.parent
        # The words may sit in a <span> inside the link: look a few inline levels up for the address.
        for _ in range(3):
            parent = tag.parent if tag is not None else None
            if tag is None or _href(tag) or parent is None or parent is item.tag or parent.name in _BLOCKS:
                break
            tag = parent
        if tag is None:
            continue
        text = _inline_text(tag, nested, limit=500)
        link_only = LINK_ONLY.match(text)
        if not (link_only or FULL_REVIEW_NOTE.match(text)):
            continue
        if href := _href(tag):
            return href
        # A site-relative address is AlloCiné's redirection page: the outlet's site named in the text
        # is better, and the redirection only when the text names none.
        if link_only and (site := site_link(link_only.group("site"))):
            return site
        if href := _href(tag, relative=True):
            return href
    return None


def _href(tag: _Element, relative: bool = False) -> str | None:
    """A web address: `href` (a `/…` one only if `relative`), or one of AlloCiné's obfuscated links
    (class `ACr` + base64)."""
    href = tag.get("href")
    if isinstance(href, str) and (relative or "://" in href) and (link := web_link(href)):
        return link
    for css_class in tag.class_list:
        url = _decode_obfuscated(css_class) if css_class.startswith("ACr") else None
        if url and (relative or "://" in url):
            return web_link(url)
    return None


def _decode_obfuscated(css_class: str) -> str | None:
    encoded = css_class.replace("ACr", "")
    try:
        url = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    return url


def _stars_of(own: _Own, where: int = 0) -> float | None:
    """Stars as a class (`rating-mdl n35 stareval-stars` → 3.5; `n00`: no rating) or a `title` label,
    among the card's own elements (inside its `where` block, if it has one)."""
    scoped = bool(where) and own.has(_BLOCK_CLASSES[where])
    elements = [(tag, classes) for tag, classes, at in own.elements if not scoped or at & where]
    for _stars, classes in elements:
        if "rating-mdl" in classes or "stareval-stars" in classes:
            for css_class in sorted(classes):
                if match := _STARS_CLASS.match(css_class):
                    tenths = int(match.group(1))
                    return tenths / 10 if 0 < tenths <= 50 else None
    for labelled, _classes in elements:
        label = labelled.get("title")
        if isinstance(label, str) and (value := STAR_LABELS.get(_fold_label(label))) is not None:
            return value
    return None


def _fold_label(label: str) -> str:
    label = normalize_spaces(label).replace("’", "'").replace("œ", "oe").replace("Œ", "Oe")
    decomposed = unicodedata.normalize("NFKD", label)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())
