"""Entrypoints only: the door page (/staff/events/{id}/door…) with check-in and walk-ins, its live feed, and the roster with its CSV."""


class DoorPages:
    pass
