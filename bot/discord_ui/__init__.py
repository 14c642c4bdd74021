"""Discord: slash commands, autocomplete, embeds, pages. Renders bot/answers; never queries the database."""
