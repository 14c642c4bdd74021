"""Every sentence critibot says to its users, in one place, so it can be reviewed and localised.

Values passed in are already formatted (numbers with bot.wording) and escaped (bot.answers.safe).
"""

from __future__ import annotations

# --- finding the film -------------------------------------------------------------------------------
FILM_MISSING = "Indiquez un film, par exemple `/note Backstage`."
FILM_NONE = "Aucun film ne ressemble à « {query} » dans le catalogue de critibot."
FILM_NONE_TITLE = "Film introuvable"
FILM_SUGGEST = "Le plus proche : {suggestions}."
FILM_EMPTY_CATALOGUE = "Le catalogue est vide : aucune page de critiques n'a encore été importée."
FILM_AMBIGUOUS_TITLE = "Vouliez-vous dire… ?"
FILM_AMBIGUOUS = "Plusieurs films correspondent à « {query} » :"
FILM_AMBIGUOUS_HINT = "Choisissez-en un dans la liste proposée, ou précisez l'année : `/{command} {example}`."
QUERY_CUT = "(recherche coupée à {limit} caractères)"

# --- on demand: a film the catalogue lacks, asked of AlloCiné ------------------------------------------
ONDEMAND_CONSULTING = "🔎 Je consulte AlloCiné…"
ONDEMAND_SEVERAL = "Le catalogue ne connaît pas « {query} » ; sur AlloCiné, plusieurs films correspondent :"
ONDEMAND_SEVERAL_HINT = (
    "Choisissez-en un avec les boutons, ou tapez son titre et son année : `/{command} {example}`."
)
ONDEMAND_LINE = "• {film}"
ONDEMAND_BY = " — de {directors}"
ONDEMAND_NONE = "Ni le catalogue de critibot ni AlloCiné ne connaissent de film nommé « {query} »."
ONDEMAND_SERIES_ONLY = (
    "Sur AlloCiné, « {query} » est une série : critibot ne lit que les films (leurs critiques)."
)
ONDEMAND_SERIES = "« {title} » est une série sur AlloCiné : critibot ne lit que les films (leurs critiques)."
ONDEMAND_TROUBLE_TITLE = "AlloCiné indisponible"
ONDEMAND_UNREACHABLE = (
    "AlloCiné ne répond pas pour l'instant : je n'ai pas pu y chercher « {query} ». Rien n'a été gardé ; "
    "réessayez dans quelques minutes."
)
ONDEMAND_TOO_SLOW = (
    "AlloCiné ne répond pas à temps pour « {query} » : rien n'a été gardé, réessayez dans un moment."
)
ONDEMAND_BLOCKED = (
    "AlloCiné refuse nos requêtes pour l'instant (page de vérification anti-robots) : rien n'a été gardé. "
    "Réessayez dans {wait}."
)
ONDEMAND_UNREADABLE = (
    "La page AlloCiné de ce film n'a pas pu être lue correctement : rien n'a été gardé. Réessayez plus tard."
)
ONDEMAND_BUDGET_TITLE = "Trop de recherches"
ONDEMAND_BUDGET_SERVER = (
    "Ce serveur a déjà beaucoup consulté AlloCiné cette heure-ci ({what}) : réessayez dans {wait}. "
    "Les films déjà lus restent disponibles."
)
ONDEMAND_BUDGET_TOTAL = (
    "critibot a déjà beaucoup consulté AlloCiné cette heure-ci : réessayez dans {wait}. "
    "Les films déjà lus restent disponibles."
)
ONDEMAND_BUDGET_WHAT = {"search": "recherches", "read": "films lus"}
ONDEMAND_SOON = "quelques minutes"

# --- /note -----------------------------------------------------------------------------------------
NOTE_AVERAGE = "{stars} **{average}/5** — note moyenne des spectateurs sur AlloCiné"
NOTE_AVERAGE_UNKNOWN = "Note moyenne des spectateurs : inconnue (la page des spectateurs n'a pas été lue)."
NOTE_COUNTS = "{ratings} · {reviews}"
NOTE_HISTOGRAM = "Répartition des critiques"
NOTE_STORED = "Critiques en base"
NOTE_STORED_NONE = "Aucune critique de spectateur en base."
NOTE_STORED_AVERAGE = "{count}, moyenne {average}/5"
NOTE_STORED_UNRATED = "{count}, sans note"
NOTE_SAMPLE = "C'est un échantillon : AlloCiné en compte {total}."
NOTE_PRESS = "Presse"
NOTE_PRESS_AVERAGE = "{average}/5 ({count})"
NOTE_PRESS_UNRATED = "{count}, sans note connue"
NOTE_PRESS_NONE = "Aucune critique de presse en base."
NOTE_VOICES = "Ce qu'en disent les spectateurs"
NOTE_VOICE = "{mark} **{who}** ({rating}) : « {excerpt} »"
# A film's facts, from its main page on AlloCiné (/note, /film).
DETAILS_RELEASE = "Sortie : {date}"
DETAILS_DIRECTORS = "Réalisé par {names}"
DETAILS_CREATORS = "Créé par {names}"  # a series
DETAILS_SEPARATOR = " · "
AND = "et"
DURATION_HOURS = "{hours} h {minutes:02d}"  # 1 h 38
DURATION_WHOLE_HOURS = "{hours} h"
DURATION_MINUTES = "{minutes} min"
TERMINAL_POSTER = "Affiche : {url}"
FOOTER_DATA = "Données AlloCiné du {date}"
FOOTER_NO_DATA = "Données AlloCiné"

# --- /presse ----------------------------------------------------------------------------------------
PRESS_TITLE = "{film} — la presse"
PRESS_NONE = "Aucune critique de presse en base pour ce film."
PRESS_SUMMARY = "{outlets} · dont {link_only} en lien seulement"
PRESS_AVERAGE = "Moyenne presse : **{average}/5** sur {count}"
PRESS_AVERAGE_UNKNOWN = "Moyenne presse : inconnue (les pages lues ne donnent pas de notes)."
PRESS_LINE = "**{outlet}**{critic}{rating} : {body}"
PRESS_LINK_ONLY = "critique en lien seulement"
PRESS_SORTED_BY_RATING = "Des avis les plus enthousiastes aux plus sévères."
PRESS_SORTED_BY_NAME = "Par ordre alphabétique des titres de presse."

# --- /citation -----------------------------------------------------------------------------------------
QUOTE_TITLE = "Citation"
QUOTE_ON = "à propos de **{film}**"
QUOTE_NONE = "Aucune citation ne convient{filters}."
QUOTE_NONE_HINT = "Essayez sans filtre, ou un autre film."
QUOTE_BY = "— {who}"
QUOTE_ANONYMOUS = "un visiteur"
QUOTE_SOURCE_INVALID = "La source vaut « spectateurs » ou « presse »."
NOTE_MIN_INVALID = "La note minimale va de 0 à 5 (par exemple 3,5)."

# --- /critiques -----------------------------------------------------------------------------------------
REVIEWS_TITLE = "{film} — critiques spectateurs ({sort})"
REVIEWS_NONE = "Aucune critique de spectateur en base pour ce film."
REVIEWS_HEADER = "{shown} sur {total} en base."
REVIEW_LINE = "**{who}** · {rating} · {date}\n> {excerpt}"
SORT_INVALID = "Le tri vaut {choices}."
NO_RATING = "sans note"
NO_DATE = "date inconnue"

# --- /film, /top, /aide ---------------------------------------------------------------------------------
SEARCH_TITLE = "Recherche : « {query} »"
SEARCH_LINE = "{rank}. {label} — {score} %"
SEARCH_NONE = "Aucun film ne ressemble à cette recherche."
SEARCH_NOTHING = "Cette recherche ne contient ni lettre ni chiffre : tapez un titre, même approximatif."
SEARCH_OTHERS = "Autres films proches"
# Autocomplete: an AlloCiné candidate, not read yet (Discord's choices: 100 characters at most).
CHOICE_ALLOCINE = " · AlloCiné"
SEARCH_ALLOCINE = "Sur AlloCiné, pas encore lus (`/note` les lit) :"
SEARCH_ALLOCINE_LINE = "• {film} · AlloCiné"
SEARCH_ALLOCINE_TROUBLE = "AlloCiné n'a pas pu être consulté : {reason}"
TOP_TITLE_SPECTATORS = "Les films les mieux notés par les spectateurs"
TOP_TITLE_PRESS = "Les films les mieux notés par la presse"
TOP_RULE = "Au moins {minimum} pour entrer au classement."
TOP_LINE = "{rank}. **{title}** — {average}/5 ({count})"
TOP_NONE = "Aucun film n'a encore assez de notes pour un classement."
TOP_COUNT_INVALID = "Le nombre de films va de 1 à {maximum}."

HELP_TITLE = "critibot — les critiques AlloCiné à portée de commande"
HELP_INTRO = (
    "Je lis les critiques des spectateurs et de la presse sur AlloCiné. Les titres se tapent comme on "
    "veut : sans accents, avec une faute de frappe, ou en partie. Un film que je n'ai pas encore lu, je le "
    "cherche sur AlloCiné et je le lis aussitôt (les films seulement, pas les séries)."
)
HELP_COMMANDS = (
    ("/note <film>", "La note des spectateurs, la répartition des étoiles et ce qu'en disent les critiques.",
     "/note Derrière le masque"),
    ("/presse <film>", "Ce qu'en a dit la presse, titre par titre.", "/presse Backstage"),
    ("/citation [film] [source] [note_min]", "Une citation tirée d'une critique, au hasard.",
     "/citation Backstage source:presse"),
    ("/critiques <film> [tri]", "Les critiques des spectateurs : récentes, utiles, meilleures ou pires.",
     "/critiques Derrière le masque tri:pires"),
    ("/tendance <film>", "La note des spectateurs au fil du temps, en graphique.",
     "/tendance Derrière le masque"),
    ("/film <recherche>", "La fiche d'un film (affiche, genres, réalisation…), ou les films qui "
     "correspondent.", "/film masque"),
    ("/top [nombre] [tri]", "Les films les mieux notés, par les spectateurs ou la presse.", "/top 10"),
    ("/suivre <film>", "Ce serveur suit ce film : son résumé quotidien annonce ses nouvelles critiques "
     "(membres qui peuvent gérer le serveur).", "/suivre Backstage"),
    ("/ne-plus-suivre <film>", "Ce serveur ne suit plus ce film (membres qui peuvent gérer le serveur).",
     "/ne-plus-suivre Backstage"),
    ("/suivis", "Les films que suit ce serveur. S'il n'en suit aucun, son résumé couvre ceux que choisit "
     "l'administrateur de critibot.", "/suivis"),
    ("/aide", "Ce message.", "/aide"),
)  # fmt: skip
HELP_EXAMPLE = "Exemple : `{example}`"

# --- errors ------------------------------------------------------------------------------------------
ERROR_TITLE = "Oups"
UNKNOWN_COMMAND = "Je ne connais pas la commande « {name} ». Tapez `/aide` pour la liste."
NOT_A_COMMAND = "Une commande commence par « / », par exemple `/note Backstage`. Tapez `/aide` pour la liste."
BAD_ARGUMENT = "L'option « {name} » n'existe pas pour /{command}."
BAD_NUMBER = "« {value} » n'est pas un nombre."
UNKNOWN_OPTION = "/{command} n'a pas d'option « {option} » (ses options : {options})."
NO_OPTIONS = "aucune"
INTERNAL_ERROR = (
    "Quelque chose s'est mal passé de mon côté. L'équipe est prévenue ; réessayez dans un moment."
)

# --- /reglages ------------------------------------------------------------------------------------------
SETTINGS_TITLE = "Réglages de critibot sur ce serveur"
SETTINGS_REFUSED = "Seuls les membres qui peuvent **gérer le serveur** changent les réglages de critibot."
SETTINGS_GUILD_ONLY = "Les réglages se font sur un serveur, pas en message privé."
SETTINGS_DIGEST_ON = "Résumé quotidien : chaque jour à {time} ({zone}) dans {channel}."
SETTINGS_DIGEST_NO_CHANNEL = (
    "Résumé quotidien : désactivé (aucun salon choisi). Choisissez-en un avec `/reglages digest salon`."
)
SETTINGS_DIGEST_OFF = (
    "Résumé quotidien : désactivé (il sera posté à {time} dans {channel} si vous le réactivez)."
)
SETTINGS_CHANNEL_SET = (
    "C'est noté : le résumé quotidien sera posté dans {channel}, chaque jour à {time} ({zone})."
)
SETTINGS_CHANNEL_CANNOT_POST = (
    "Attention : je ne peux pas poster dans {channel} (il me manque la permission {missing}). "
    "Donnez-la-moi, ou choisissez un autre salon."
)
SETTINGS_TIME_SET = "C'est noté : le résumé quotidien partira chaque jour à {time} ({zone})."
SETTINGS_TIME_INVALID = "« {value} » n'est pas une heure : écrivez-la comme 09:00 ou 18h30."
SETTINGS_FOLLOWS_NONE = "Films suivis : aucun pour l'instant (`/suivre <film>` en ajoute un)."
SETTINGS_FOLLOWS_FRESH = "Films suivis : {films}, à jour il y a {ago} au plus (le moins récent : *{title}*)."
SETTINGS_FOLLOWS_UNREAD = "Films suivis : {films}, pas encore relus sur AlloCiné."
# (one, several): the details after the line above.
SETTINGS_FOLLOWS_NEVER_READ = (
    "{count} film pas encore relu, en premier au prochain rafraîchissement",
    "{count} films pas encore relus, en premier au prochain rafraîchissement",
)
SETTINGS_FOLLOWS_FAILING = (
    "{count} film en échec à sa dernière lecture, réessayé bientôt",
    "{count} films en échec à leur dernière lecture, réessayés bientôt",
)
SETTINGS_FOLLOWS_OFFLINE = (
    "{count} film sans adresse AlloCiné, nourri seulement par des imports",
    "{count} films sans adresse AlloCiné, nourris seulement par des imports",
)
AGO_DAYS = "{days} j"
SETTINGS_OFF = "Le résumé quotidien est désactivé. `/reglages digest salon` le relance."
PAGER_NOT_YOURS = "Ces boutons sont à la personne qui a posé la question : lancez votre propre commande."

# --- /suivre, /ne-plus-suivre, /suivis ------------------------------------------------------------------
FOLLOW_TITLE = "Les films suivis par ce serveur"
FOLLOW_REFUSED = (
    "Seuls les membres qui peuvent **gérer le serveur** choisissent les films qu'il suit. "
    "`/suivis` montre la liste à tout le monde."
)
FOLLOW_GUILD_ONLY = (
    "Les films suivis sont ceux d'un serveur Discord : utilisez cette commande sur un serveur "
    "(dans le terminal : critibot ask … --server ID)."
)
FOLLOW_ADDED = (
    "C'est noté : ce serveur suit **{film}**. Ses nouvelles critiques figureront dans son résumé quotidien."
)
FOLLOW_ALREADY = "Ce serveur suit déjà **{film}**."
FOLLOW_NO_ADDRESS = (
    "Je ne connais pas son adresse AlloCiné : ses nouvelles critiques n'arriveront que par les pages "
    "importées par l'administrateur de critibot."
)
FOLLOW_NO_CHANNEL = "Le résumé quotidien n'a pas encore de salon : `/reglages digest salon` le lance."
FOLLOW_REMOVED = "Ce serveur ne suit plus **{film}**."
FOLLOW_NOT_FOLLOWED = "Ce serveur ne suivait pas **{film}**."
FOLLOW_NOW_NONE = (
    "Il ne suit plus aucun film : son résumé quotidien couvre la liste choisie par l'administrateur "
    "de critibot."
)
FOLLOW_NONE = (
    "Ce serveur ne suit aucun film : son résumé quotidien couvre la liste choisie par l'administrateur "
    "de critibot. `/suivre <film>` en ajoute un (membres qui peuvent gérer le serveur)."
)
FOLLOW_LINE = "• **{film}**"
FOLLOW_LINE_LINKED = "• **{film}** · {url}"
FOLLOW_COUNT = ("film suivi", "films suivis")  # after the number
FOLLOW_DIGEST = "Le résumé quotidien de ce serveur couvre ces films."

# --- the daily digest -------------------------------------------------------------------------------------
DIGEST_TITLE = "Le résumé du jour — {date}"
DIGEST_SINCE_LAST = "Depuis le résumé précédent"
DIGEST_SINCE_DAY = "Les dernières 24 heures"
DIGEST_SUMMARY_SPECTATORS = "**{reviews}** de spectateurs sur {films}"
DIGEST_SUMMARY_PRESS = "**{reviews}** de presse"
DIGEST_SUMMARY_MOVED = "{films} dont la note a bougé"
DIGEST_NEW_REVIEW = ("nouvelle critique", "nouvelles critiques")  # singular, plural
DIGEST_FILM = "{film} — {reviews}"
DIGEST_REVIEW_LINE = "**{who}** · {rating} : « {excerpt} »"
DIGEST_ANONYMOUS = "Un visiteur"
DIGEST_PRESS = "Presse — {film}"
DIGEST_PRESS_LINE = "**{who}**{rating} : {body}"
DIGEST_PRESS_LINK_ONLY = "critique en lien seulement"
DIGEST_MOVED = "Les notes qui bougent"
DIGEST_MOVED_LINE = "**{film}** : {change}"
DIGEST_MOVED_AVERAGE = "{before} → {after}"
DIGEST_RATINGS_UP = "+{ratings}"
DIGEST_RATINGS_DOWN = "−{ratings}"
DIGEST_QUOTE = "La citation du jour"
DIGEST_MORE = ("et 1 autre…", "et {count} autres…")
DIGEST_ALSO = "Et aussi"
DIGEST_MORE_FILMS = (
    "et 1 autre film avec de nouvelles critiques : {films}",
    "et {count} autres films avec de nouvelles critiques : {films}",
)
DIGEST_MORE_PRESS = (
    "et 1 autre film avec de la presse : {films}",
    "et {count} autres films avec de la presse : {films}",
)
DIGEST_MORE_HINT = "`/critiques <film>` et `/presse <film>` pour tout lire."
DIGEST_EMPTY = "Rien de neuf depuis le résumé précédent : ni nouvelle critique, ni note qui bouge."
DIGEST_EMPTY_DAY = "Rien de neuf ces dernières 24 heures : ni nouvelle critique, ni note qui bouge."
# The digest's footer carries the day's reference: a digest found in the channel is recorded, not reposted.
DIGEST_FOOTER_REF = "{footer} · réf. {ref}"
DIGEST_PREVIEW_NOTE = "Aperçu : rien n'est posté ni enregistré."
DIGEST_PREVIEW_SILENT = (
    "Rien de neuf : avec digest_when_empty = « nothing », le serveur ne recevrait aucun message."
)
DIGEST_PREVIEW_ONLY = (
    "Le résumé est posté par le bot, à l'heure choisie par chaque serveur. "
    "Ici, seul l'aperçu existe : critibot digest --preview [--server ID]."
)

# --- the database's schema (critibot db) -----------------------------------------------------------------
DB_CURRENT = "Le schéma de la base est à jour (version {revision})."
DB_BEHIND = (
    "Le schéma de la base est en version {revision}, critibot attend {head} : « critibot db upgrade »."
)
DB_UNVERSIONED = (
    "La base n'a pas encore de version de schéma (vide, ou créée avant les migrations) : "
    "« critibot db upgrade » la met en version {head}."
)
DB_CREATED = "Base créée, schéma en version {revision}."
DB_UPGRADED = "Schéma mis à jour : {before} → {after}."
DB_NO_VERSION = "sans version"
DB_TOO_NEW = (
    "Cette base a été mise à jour par un critibot plus récent (schéma {found}, celui-ci connaît jusqu'à "
    "{head}) : lancez cette version-là, ou restaurez une sauvegarde. La base n'a pas été modifiée."
)

# --- what went wrong reading or storing a page (storage.problems.Problem codes) -------------------------
# `{…}` are the problem's own details. Some depend on where the page came from: "import" (critibot import),
# "inbox" (a file dropped in an inbox folder), "site" (a watched film read from AlloCiné).
PROBLEMS = {
    "not_found": "fichier ou dossier introuvable",
    "file_name": "nom de fichier illisible (pas en UTF-8), fichier ignoré : renommez-le",
    "broken_link": "lien symbolique cassé (sa cible n'existe pas), ignoré",
    "refresh_busy": (
        "un autre rafraîchissement est en cours sur cette base : celui-ci n'est pas lancé "
        "(réessayez quand il aura fini)"
    ),
    "interrupted": "rafraîchissement interrompu ({error}) : le film en cours sera relu au prochain tour",
    "file_unreadable": "lecture impossible : {reason}",
    "page_unreadable": "page illisible : {reason}",
    "page_too_slow": "page trop longue à lire (plus de {seconds:g} s), ignorée : elle est sans doute piégée",
    "unexpected_page": "{url} n'est pas la page attendue (lu : {kind})",
    "fetch": "{reason}",  # reports written before fetch problems had codes of their own
    # AlloCiné over HTTP (storage/sources/allocine.py FetchError reasons).
    "bad_address": "adresse invalide (http ou https attendu) : {url}",
    "page_missing": "page introuvable sur le site ({status})",
    "http_refused": "le site refuse la page ({status})",
    "wait_too_long": "le site demande d'attendre {wait:.0f} s, au-delà des {max_wait:.0f} s acceptées (429)",
    "site_down": "le site ne répond pas après {attempts} essais : erreur du site ({status})",
    "too_many_requests": "le site ne répond pas après {attempts} essais : trop de requêtes (429)",
    "no_answer": "le site ne répond pas après {attempts} essais : pas de réponse en {timeout:g} s",
    "network": "le site ne répond pas après {attempts} essais : erreur réseau ({error})",
    "too_large": "page refusée : plus de {limit} octets (une vraie page en fait environ 500 000)",
    "not_html": "page refusée : ce n'est pas du HTML (Content-Type : {content_type})",
    "not_json": "réponse refusée : du JSON était attendu (Content-Type : {content_type})",
    "bad_search_answer": (
        "la recherche AlloCiné a répondu autre chose que sa liste de résultats habituelle : rien n'est "
        "gardé, réessayez plus tard"
    ),
    "bad_encoding": "page refusée : compression illisible ({encoding})",
    "redirect_elsewhere": (
        "le site renvoie ailleurs ({location}) : critibot ne suit que les redirections sur le site"
    ),
    "too_many_redirects": "trop de redirections (plus de {limit})",
    "blocked": (
        "AlloCiné bloque les requêtes (page de vérification « {marker} », statut {status}) : rien n'est "
        "gardé, et critibot ne l'interroge plus pendant {pause} s"
    ),
    "other_film_page": (
        "l'adresse du film {allocine_id} donne la page d'un autre film (« {page_title} », identifiant "
        "{page_id}) : rien n'est gardé"
    ),
    "unproven_page": (
        "la page reçue pour le film {allocine_id} ne montre pas qu'elle est la sienne (ni son identifiant, "
        "ni un de ses noms : « {page_title} ») : rien n'est gardé"
    ),
    "deadline": "délai dépassé avant d'avoir la page",
    "film_deadline": "délai dépassé ({seconds:g} s pour ce film) : ce qui a été lu est gardé",
    "not_reached": (
        "pas lu : le rafraîchissement a dépassé son délai ({seconds:g} s), ce film passera en premier"
    ),
    "budget_spent": (
        "budget de requêtes atteint ({per_hour} par heure, tous les rafraîchissements et les lectures à la "
        "demande ensemble) : les films restants passeront au prochain tour"
    ),
    "round_deadline": (
        "délai du rafraîchissement atteint ({seconds:g} s) : les films restants passeront au prochain tour"
    ),
    "blocked_earlier": "pas demandé : AlloCiné bloque les requêtes (encore {seconds} s de pause)",
    "database": "erreur de la base de données, rien n'a été gardé : {error}",
    "outlet_page": (
        "page « Toutes les critiques de {outlet} » : elle couvre plusieurs films d'un même titre de "
        "presse, critibot n'importe que les pages d'un film"
    ),
    "film_main_page": (
        "page principale d'un film : ses extraits ne sont pas ses critiques, rien n'est gardé (importez "
        "plutôt sa page « Critiques spectateurs » ou « Critiques presse »)"
    ),
    "film_list_page": (
        "liste de plusieurs films : ce n'est pas la page de critiques d'un film, rien n'est gardé"
    ),
    "series_page": "critiques d'une série : critibot ne garde que les critiques de films, rien n'est gardé",
    "other_film": "la page parle de « {page_title} », pas de « {expected} »",
    "no_film_named": "la page ne dit pas de quel film elle parle",
    "ambiguous_film": "plusieurs films s'appellent « {title} » ({years})",
}
# What the reader can do about it, by where the page came from.
PROBLEM_REMEDIES = {
    ("no_film_named", "import"): "précisez-le avec --film TITRE",
    (
        "no_film_named",
        "inbox",
    ): "ajoutez le film à la liste de suivi, avec un motif « files » pour ce fichier",
    ("ambiguous_film", "import"): "précisez --year",
    ("ambiguous_film", "inbox"): "donnez son année (year) dans la liste de suivi",
    ("ambiguous_film", "site"): "donnez son année (year) dans la liste de suivi",
}
PROBLEM_UNKNOWN = "erreur inattendue ({code})"
YEAR_UNKNOWN = "année inconnue"

# --- charts (bot/charts.py): /note's picture, /tendance, the digest's moves --------------------------------
# On the pictures themselves (short: they sit beside bars and axes).
CHART_SITE = "Spectateurs AlloCiné — {reviews}"
CHART_STORED = "Critiques en base (échantillon) — {reviews}"
CHART_STARS = "{star} ★"
CHART_BAR = "{count} ({share} %)"
CHART_AVERAGE = "moyenne {average}"
CHART_RATINGS = "{ratings}"
CHART_TREND_TITLE = "{film} — note des spectateurs"
CHART_TREND_AVERAGE = "Note moyenne (sur 5)"
CHART_TREND_COUNT = "Nombre de notes"
CHART_TREND_PRESS = "Presse : {average}"
CHART_MOVES_TITLE = "Les notes qui bougent"
CHART_MOVES_AXIS = "Note moyenne des spectateurs (sur 5)"
# Alt texts (the attachment's description on Discord): the same numbers, in words.
ALT_NOTE = "Graphique : répartition des {reviews} de spectateurs sur AlloCiné pour {film}. {bars}.{average}"
ALT_NOTE_AVERAGE = " Note moyenne : {average} sur 5{ratings}."
ALT_NOTE_RATINGS = ", sur {ratings}"
ALT_NOTE_STORED = " À côté, les {reviews} notées en base (un échantillon) : {bars}.{average}"
ALT_STORED_AVERAGE = " Leur moyenne : {average} sur 5."
ALT_BAR = "{stars} : {count} ({share} %)"
ALT_STARS = ("{star} étoile", "{star} étoiles")  # 0 and 1: singular
ALT_TREND = "Graphique : note moyenne des spectateurs de {film} au fil du temps. {points}.{press}"
ALT_TREND_POINT = "le {date}, {average} sur 5 ({ratings})"
ALT_TREND_PRESS = " Moyenne de la presse : {average} sur 5."
ALT_MOVES = "Graphique : les notes qui bougent. {moves}."
ALT_MOVE = "{film} passe de {before} à {after} sur 5"
ALT_UNKNOWN = "?"
TERMINAL_IMAGE = "Image : {name} — {description}"
TERMINAL_IMAGE_WRITTEN = "Image écrite : {path}"

# --- /tendance ---------------------------------------------------------------------------------------------
TREND_TITLE = "{film} — la note au fil du temps"
TREND_SUMMARY = "{count} depuis le {first} : de **{first_average}/5** à **{last_average}/5** ({ratings})."
TREND_POINTS = ("mesure", "mesures")  # after the number: a refresh that changed the figures
TREND_LINE = "• {date} : {average}/5 · {ratings}"
TREND_PRESS = "Moyenne de la presse : {average}/5."
TREND_FEW_ONE = (
    "Pas encore de tendance pour {film} : critibot n'a qu'une mesure de ses chiffres ({average}/5, "
    "{ratings}, le {date}). Il en faut deux pour tracer une évolution."
)
TREND_FEW_NONE = (
    "Pas encore de tendance pour {film} : critibot n'a encore aucune mesure de ses chiffres "
    "(sa page des spectateurs n'a pas été lue)."
)
TREND_NEXT = "Prochaine relecture d'AlloCiné prévue le {date} vers {time}."
TREND_TIME = "{hour} h {minute:02d}"  # 18 h 05
TREND_UNKNOWN = "?"
TREND_RATINGS_UNKNOWN = "notes : ?"
TREND_NEXT_SOON = "La prochaine relecture d'AlloCiné est imminente."
TREND_NEXT_UNKNOWN = (
    "Ce film n'est pas relu automatiquement : un serveur qui le suit (`/suivre`) le fait relire "
    "régulièrement."
)
TREND_LATER = "Une nouvelle mesure s'ajoute chaque fois qu'une relecture trouve des chiffres qui ont bougé."
