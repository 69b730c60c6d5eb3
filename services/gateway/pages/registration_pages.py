"""Entrypoints only: your registration (GET /r, GET /r/{code}), cancelling and erasing it with a confirmation step."""


class RegistrationPages:
    pass
