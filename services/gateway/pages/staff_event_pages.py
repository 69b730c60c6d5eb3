"""Entrypoints only: the organizer's events (/staff/events…): list, create, edit, publish, cancel."""


class StaffEventPages:
    pass
