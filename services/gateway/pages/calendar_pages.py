"""Entrypoints only: calendar files (GET /events/{id}.ics, GET /events.ics)."""


class CalendarPages:
    pass
