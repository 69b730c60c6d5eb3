"""Code every Yhdessä service shares: event contracts, configuration, database and outbox helpers."""
