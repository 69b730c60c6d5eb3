"""Entrypoints only: a message to everyone coming (/staff/events/{id}/message)."""


class AnnouncementPages:
    pass
