"""The site's words and patterns, as AlloCiné prints them: declared once, for the text and HTML parsers.

Patterns apply to one stripped line whose spaces are normalised (`french.normalize_spaces`). Only what a
reader sees is here; the markup (CSS classes, element ids) is html.py's business.
"""

from __future__ import annotations

import re

from storage.pages.french import parse_count, parse_decimal

# --- spectator cards ---------------------------------------------------------------------------

PUBLISHED = re.compile(r"^Publiée? le\b", re.IGNORECASE)
RATING = re.compile(r"^\d(?:[,.]\d)?(?: ?/ ?5)?$")  # shaped like a rating; out of 0–5 it is read as None
# A rating with its label, as pages until about 2018 print it: `4.5 - Excellent` (2012–2015, no date),
# `4,0Très bien • Publiée le 05/06/2016` (2016–2018, the date on the same line or the next).
_STAR_WORDS = (
    r"chef[- ]?d['’] ?(?:oe|œ)uvre|excellent|tr[eè]s bien|bien|pas mal|moyen|pas terrible|mauvais"
    r"|tr[eè]s mauvais|nul"
)
STAR_LABEL = re.compile(rf"^(?:{_STAR_WORDS})$", re.IGNORECASE)  # a rating's label on its own line
RATED = re.compile(
    rf"^(?P<value>\d(?:[,.]\d)?) ?(?:- ?)?(?:{_STAR_WORDS})(?: ?[•·|-]? ?(?P<published>Publiée? le\b.*))?$",
    re.IGNORECASE,
)
_ANONYMOUS = {"anonyme", "un visiteur"}
# Buttons inside a card's text that are not the review's words.
CARD_CHROME = re.compile(
    r"^(?:Lire plus|Lire la suite|Voir la suite|Afficher plus)\s*(?:…|\.\.\.)?$", re.IGNORECASE
)

# --- numbers -----------------------------------------------------------------------------------

# `3 461` (thousands apart by a space, once spaces are normalised) or `3461`. Bounded: no count the
# site prints is longer, and a bounded match stays cheap on a hostile line of digits.
NUMBER = r"(?:\d{1,3}(?: \d{3}){1,3}|\d{1,12})"
# A number that starts a word (`.search` must not start inside `12345`), as group `n`.
_COUNT = rf"(?<!\S)(?P<n>{NUMBER})"

# --- an author's stats ------------------------------------------------------------------------

# `574 abonnés`, `3 461 critiques`, `Lire ses 46 critiques`, `Lire sa critique`, `Suivre son activité`:
# in any order, apart or glued (`574 abonnés3 461 critiquesSuivre son activité`).
_STAT = rf"(?<!\d)(?P<n>{NUMBER}) "  # after a letter too: glued to the part before
FOLLOWERS = re.compile(rf"{_STAT}abonnés?", re.IGNORECASE)
AUTHOR_REVIEWS = re.compile(rf"{_STAT}critiques?", re.IGNORECASE)
_STATS_PART = rf"(?:(?:Lire ses )?{NUMBER} (?:abonnés?|critiques?)|Lire sa critique|Suivre(?: son activité)?)"
_STATS_GAP = r"[\s·•|,-]*"
_ONE_REVIEW = re.compile(r"Lire sa critique", re.IGNORECASE)
STATS = re.compile(rf"^{_STATS_PART}(?:{_STATS_GAP}{_STATS_PART})*{_STATS_GAP}$", re.IGNORECASE)

# --- a film's figures --------------------------------------------------------------------------

AVERAGE = re.compile(r"^Note moyenne\s*:?\s*(?P<value>\d(?:[,.]\d)?)?(?: ?/ ?5)?$", re.IGNORECASE)
# The figures on one line: `4,2 23456 notes dont 789 critiques` (2016–2018, after `note moyenne`),
# `Note moyenne : 4,1 pour 12 345 notes dont 678 critiques |` (2012–2015). An average without
# `Note moyenne` or `pour` needs its decimal: `4 123 notes` is a count.
FIGURES_LINE = re.compile(
    rf"^(?:Note moyenne ?:? ?)?(?:(?P<value>\d(?:[,.]\d)?)(?: ?/ ?5)? pour |(?P<bare>\d[,.]\d)(?: ?/ ?5)? )?"
    rf"(?P<notes>{NUMBER}) notes?(?: dont (?P<reviews>{NUMBER}) critiques?)?\b.*$",
    re.IGNORECASE,
)
RATINGS_COUNT = re.compile(rf"{_COUNT} notes?\b", re.IGNORECASE)
SPECTATOR_COUNT = re.compile(rf"^{_COUNT} critiques? spectateurs?$", re.IGNORECASE)
PRESS_COUNT = re.compile(rf"^{_COUNT} (?:critiques? (?:de )?presse|titres? de presse)$", re.IGNORECASE)
# The histogram: a star then its count on the next line, or both on one line.
HISTO_STAR = re.compile(r"^(?P<star>[0-5])(?: ?(?:étoiles?|★))?$", re.IGNORECASE)
HISTO_COUNT = re.compile(rf"^{_COUNT} critiques?$", re.IGNORECASE)
HISTO_ROW = re.compile(rf"^(?P<star>[0-5])(?: ?(?:étoiles?|★))? (?P<n>{NUMBER}) critiques?$", re.IGNORECASE)
# The histogram without star labels (2012–2018), its rows always 5 → 0: `61% (481 critiques)` or
# `400 critiques 59%`, one per line or all six on one line; or `répartition des 789 critiques par note`
# then six bare `N critiques` lines.
_PCT_ROW = rf"\d{{1,3}} ?% ?\(?(?P<n>{NUMBER}) critiques?\)?"
_COUNT_ROW = rf"\(?(?P<n>{NUMBER}) critiques?\)? ?\d{{1,3}} ?%"
PCT_ROWS = re.compile(rf"^(?:{_PCT_ROW} ?){{1,6}}$", re.IGNORECASE)
COUNT_ROWS = re.compile(rf"^(?:{_COUNT_ROW} ?){{1,6}}$", re.IGNORECASE)
PCT_ROW = re.compile(_PCT_ROW, re.IGNORECASE)
COUNT_ROW = re.compile(_COUNT_ROW, re.IGNORECASE)
HISTO_INTRO = re.compile(rf"^répartition des (?P<n>{NUMBER}) critiques? par note$", re.IGNORECASE)
TITLE_PROMPT = re.compile(r"^Votre avis sur (?P<title>.+?) \?$", re.IGNORECASE)

# `Titre : Critique presse`, the first line of old press URLs: the title is `Titre`.
TITLE_OF_REVIEWS = re.compile(
    r"^(?P<title>.+?) ?: ?(?:les )?critiques? (?:de la |des |de )?(?:presse|spectateurs)$", re.IGNORECASE
)

# --- a page's structure ------------------------------------------------------------------------

# The tabs under a film's title, bullets or one line (`Séances Bandes-annonces Casting …`): the title is
# the line before them, never one of them.
_NAV_WORD = (
    r"Séances|Bandes?-annonces?|Casting(?: complet)?|Critiques?(?: (?:des )?spectateurs| presse)?|Photos"
    r"|Musique|Bande originale|Secrets de tournage|Box[- ]?office|Films similaires|Blu-Ray,?|DVD"
    r"|VOD|News|Vidéos|Fiche technique|Infos techniques|Streaming|Saisons?|Épisodes?|Distribution"
    r"|Récompenses|Synopsis|Avis|Sorties?|Programme TV"
)
# Each word is read one way only (no tab's name is two others'), so a long line that fails fails fast.
NAVIGATION = re.compile(rf"^(?:[•·*-] ?)?(?:(?:{_NAV_WORD})(?: ?[|•·] ?| |$))+$", re.IGNORECASE)
# The sort links and filters above the first card (glued in dumps: `Les plus utilesLes plus récentes…`):
# the header is over, no title comes after them.
SORT_OR_FILTER = re.compile(
    r"^(?:[•·*-] ?)?(?:Trier par|Filtrer par|Les plus utiles|Les plus récentes|Critiques les plus"
    r"|Membres avec le plus)",
    re.IGNORECASE,
)

# --- pages that are not one film's reviews -----------------------------------------------------

# A series' review pages: a card's `Critique de la série` or `(A propos de la saison 2)`.
SERIES_MARK = re.compile(r"^(?:Critiques? de la série|\(?A propos de la saison \d{1,3}\)?)$", re.IGNORECASE)
# A film's main page: its synopsis section and the details around it.
MAIN_PAGE_MARK = re.compile(
    r"^(?:Synopsis(?: et détails)?|Date de sortie\b.*|Titre original\b.*|Date de reprise\b.*"
    r"|Casting complet|Infos techniques|Secrets de tournage|Voir les \d+ critiques (?:spectateurs|presse)"
    r"|Bande-annonce)$",
    re.IGNORECASE,
)
# A list of films (`Les films les plus populaires`, `Top des meilleurs films`…).
LIST_HEADING = re.compile(
    r"^(?:(?:Les )?(?:meilleurs |pires )?(?:films|séries)\b.*\b(?:les plus|populaires|à l'affiche"
    r"|du moment|au cinéma|en salle|cultes?|de tous les temps|de l'année|à venir|prochainement)\b.*"
    r"|Top \d+\b.*|Top des .*|Box[- ]?office.*|Meilleurs films.*|Sorties (?:cinéma|de la semaine).*)$",
    re.IGNORECASE,
)
FIGURE_LABEL = re.compile(r"^(?:Presse|Spectateurs)$", re.IGNORECASE)

# --- press entries -----------------------------------------------------------------------------

CRITIC = re.compile(r"^par\s+(?P<critic>\S.*)$", re.IGNORECASE)
_SEE_REVIEW = "Voir la critique sur"
_FULL_REVIEW = "La critique complète est disponible"
LINK_ONLY = re.compile(rf"^{_SEE_REVIEW} (?P<site>\S+)$", re.IGNORECASE)
FULL_REVIEW_NOTE = re.compile(rf"^{_FULL_REVIEW} sur le site\b", re.IGNORECASE)
LINK_WORDS = re.compile(f"{_SEE_REVIEW}|{_FULL_REVIEW}", re.IGNORECASE)  # anywhere in a text node
# The press stars' labels, as AlloCiné prints them in a `title` attribute (accents and case folded).
STAR_LABELS = {
    "chef-d'oeuvre": 5.0, "excellent": 4.5, "tres bien": 4.0, "bien": 3.5, "pas mal": 3.0,
    "moyen": 2.5, "pas terrible": 2.0, "mauvais": 1.5, "tres mauvais": 1.0, "nul": 0.5,
}  # fmt: skip

# --- an outlet's page --------------------------------------------------------------------------

OUTLET_PAGE = re.compile(r"^Toutes les critiques (?:de |du |des |d['’] ?)(?P<outlet>.+)$", re.IGNORECASE)
# What follows `Toutes les critiques de` on pages that are not an outlet's.
NOT_AN_OUTLET = re.compile(r"^(?:la )?(?:presse|spectateurs?|membres?|films?|séries?)\b", re.IGNORECASE)

# --- site chrome -------------------------------------------------------------------------------

# Site chrome that belongs to no review: where a review's text stops.
FOOTER = re.compile(
    r"^(?:Les meilleurs films de tous les temps|Back to Top|Meilleurs films.*|Voir plus de critiques.*"
    r"|Voir toutes les critiques.*|Page suivante|Suivante|Précédente|Retour en haut.*|Vous aimerez aussi.*"
    r"|Top films.*|Films à l'affiche.*|Newsletter.*|Conditions générales d'utilisation.*)$",
    re.IGNORECASE,
)
DISCLAIMER = re.compile(r"^Chaque magazine ou journal ayant son propre système de notation", re.IGNORECASE)
HEADER_NOISE = re.compile(
    r"^(?:Mon compte|Se connecter|Trier par\s*:?.*|Filtrer par\s*:?.*|Les plus utiles.*|Les plus récentes.*"
    r"|En savoir plus.*|Chaque magazine ou journal ayant son propre système de notation.*"
    r"|Critiques? (?:spectateurs|presse)|Films?|Accueil.*|AlloCiné|Séries|Trailers|News)$",
    re.IGNORECASE,
)
# Menus, sort and filter labels, buttons: printed where a member's name could be, never one.
SITE_LABELS = re.compile(
    r"^(?:Toutes les notes|Tous les avis|Toutes les critiques|Membres avec le plus.*|Suivre son activité"
    r"|Suivre|Note moyenne.*|Votre avis sur.*|Mon AlloCiné|Notez des films|Mes amis|Mes cinémas"
    r"|Ma Collection|Déconnexion|Connexion|S'inscrire|Ajouter à ma liste|Signaler.*|Répondre|Partager"
    r"|Utile|Pas utile|Lire sa critique|Lire ses critiques|Voir le profil|Abonnés?|Critiques?"
    r"|Critique de la série|\(A propos de la saison \d+\)|[0-5] étoiles?|Plus d'options.*"
    # filter labels and a logged-in member's menu (2016–2018)
    r"|Tous les avis|(?:Les )?(?:meilleures|moins bonnes) notes|(?:Avec|Sans) spoilers?|Notes? ?: ?\d.*"
    r"|Mon profil|Mes (?:critiques|notes|envies|listes|abonnements|films vus|séries|films|alertes|messages)"
    r"|Mon activité|Mes paramètres|Mon compte|Se déconnecter)$",
    re.IGNORECASE,
)
# What the <title> and og:title wrap around a film's title.
TITLE_PREFIX = re.compile(
    r"^(?:les )?(?:critiques?|avis)(?: (?:des )?spectateurs| (?:de la )?presse)?"
    r" (?:du film|pour le film|sur le film|de la série|du téléfilm)\s+",
    re.IGNORECASE,
)
TITLE_SUFFIX = re.compile(
    r"\s+[-–—|]\s+(?:(?:film|série(?: tv)?|téléfilm)\b.*|AlloCin[ée].*)$", re.IGNORECASE
)
TITLE_SPLIT = re.compile(r"\s+[-–—|]\s+")


def out_of_five(text: str) -> float | None:
    """A rating as the site writes it (`3,5`, `4`, `2,5/5`) → its value, or None outside 0–5."""
    value = parse_decimal(text.split("/")[0])
    return value if value is not None and 0 <= value <= 5 else None


def is_site_words(text: str) -> bool:
    """The site's own words (menus, sort links, buttons, footer, figures' labels): never a member's name.

    Sort links are glued in dumps (`Les plus utilesLes plus récentes…`): matched by their start."""
    return any(pattern.match(text) for pattern in (HEADER_NOISE, FOOTER, SITE_LABELS, CARD_CHROME, AVERAGE))


def is_anonymous(name: str) -> bool:
    """`anonyme` or `Un visiteur`, in any case and with any inner spaces (dumps double them)."""
    return " ".join(name.split()).casefold() in _ANONYMOUS


def author_stats(text: str) -> tuple[int | None, int | None]:
    """An author's followers and reviews written, from a stats line (or the markup's stats text)."""
    followers = FOLLOWERS.search(text)
    reviews = AUTHOR_REVIEWS.search(text)
    written = parse_count(reviews.group("n")) if reviews else None
    if written is None and _ONE_REVIEW.search(text):
        written = 1
    return (parse_count(followers.group("n")) if followers else None, written)


# Where the anchors above may match, found in one pass over a page's lines joined after a line feed
# (each group a kind of anchor): a page has many lines and few anchors. The literal `\n` before each
# line lets the engine skip from line to line (ten times faster on prose than a MULTILINE `^`).
ANCHOR_STARTS = re.compile(
    r"\n(?:(?P<published>Publi)|(?P<critic>par\s)"
    r"|(?P<rated>\d(?:[,.]\d)? ?(?:- ?)?[cetbpmn])"  # the first letter of a star label: RATED checks
    r"|(?P<series>Critiques? de la|\(?A propos de la saison))",
    re.IGNORECASE,
)
