"""The human verification page: templates, static files and their presentation helpers."""
