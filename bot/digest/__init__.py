"""The daily digest: compose what is new for a server, post it exactly once a day, preview it."""
