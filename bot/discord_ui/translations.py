"""English names and descriptions for English-language Discord clients; French is the default."""

from __future__ import annotations

from discord import Locale, app_commands

ENGLISH: dict[str, str] = {
    # command and option names
    "note": "rating",
    "presse": "press",
    "citation": "quote",
    "critiques": "reviews",
    "tendance": "trend",
    "film": "film",
    "top": "top",
    "aide": "help",
    "suivre": "follow",
    "ne-plus-suivre": "unfollow",
    "suivis": "followed",
    "reglages": "settings",
    "digest": "digest",
    "salon": "channel",
    "heure": "time",
    "off": "off",
    "voir": "show",
    "source": "source",
    "note_min": "min_rating",
    "tri": "sort",
    "nombre": "count",
    "recherche": "search",
    # choices
    "spectateurs": "audience",
    "utiles": "most helpful",
    "récentes": "most recent",
    "meilleures": "best",
    "pires": "worst",
    # descriptions
    "La note des spectateurs d'un film": "A film's audience rating",
    "Ce qu'en a dit la presse": "What the press said",
    "Une citation tirée d'une critique": "A quote from a review",
    "Les critiques des spectateurs d'un film": "A film's audience reviews",
    "La note des spectateurs au fil du temps": "The audience rating over time",
    "Chercher un film dans le catalogue": "Search the catalogue for a film",
    "Les films les mieux notés": "The best-rated films",
    "Ce que critibot sait faire": "What critibot can do",
    "Suivre un film : le résumé quotidien du serveur annonce ses critiques": (
        "Follow a film: the server's daily digest announces its reviews"
    ),
    "Ne plus suivre un film sur ce serveur": "Stop following a film on this server",
    "Les films que suit ce serveur": "The films this server follows",
    "Le film (titre, même approximatif)": "The film (title, even approximate)",
    "Le film (facultatif)": "The film (optional)",
    "Spectateurs ou presse": "Audience or press",
    "Note minimale de la critique (0 à 5)": "Minimum rating of the review (0 to 5)",
    "L'ordre des critiques": "Order of the reviews",
    "Le titre cherché": "The title to search for",
    "Combien de films (1 à 50)": "How many films (1 to 50)",
    "Selon les spectateurs ou la presse": "By the audience or the press",
    "Réglages de critibot sur ce serveur": "critibot's settings on this server",
    "Le résumé quotidien des critiques": "The daily review digest",
    "Le salon où poster le résumé quotidien": "The channel to post the daily digest in",
    "Le salon": "The channel",
    "L'heure du résumé quotidien": "The time of the daily digest",
    "L'heure, par exemple 09:00": "The time, for example 09:00",
    "Arrêter le résumé quotidien": "Stop the daily digest",
    "Voir les réglages": "Show the settings",
}
ENGLISH_LOCALES = {Locale.american_english, Locale.british_english}


class EnglishTranslator(app_commands.Translator):
    async def translate(
        self, string: app_commands.locale_str, locale: Locale, context: app_commands.TranslationContextTypes
    ) -> str | None:
        if locale in ENGLISH_LOCALES:
            return ENGLISH.get(string.message)
        return None
