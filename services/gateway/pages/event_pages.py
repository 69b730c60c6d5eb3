"""Entrypoints only: the event list (GET /), an event with its sign-up form (GET|POST /events/{id}) and the answer page."""


class EventPages:
    pass
