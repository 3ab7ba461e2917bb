"""Transparency report: aggregate queries over the database, charts, HTML/Markdown/CSV."""
