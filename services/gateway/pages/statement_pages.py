"""Entrypoints only: the accessibility statement (GET /saavutettavuus) and the privacy notice (GET /tietosuoja)."""


class StatementPages:
    pass
