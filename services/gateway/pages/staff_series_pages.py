"""Entrypoints: staff's pages of a weekly group (a series): creating it, its sessions, and its
statistics per session and in total."""


class StaffSeriesPages:
    pass
