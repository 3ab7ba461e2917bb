"""`conduct audit EXPORT`: what the engine would have flagged in a Slack export, before the
bot is switched on. Reads the export one day file at a time; writes nothing to the database."""
