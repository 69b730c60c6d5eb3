"""Staff of one organizer reach that organizer's things only; an admin reaches every organizer's.
The one check every service makes (catalog, registration, notifications, the gateway): none relies
on another having made it."""
from shared.errors import Forbidden


def check_owner(owner, scope, thing="event"):
    """Forbidden (`other_organizer`) unless an organizer's staff (`scope`) own what they reach
    (`owner`); an admin's scope is None."""
    if scope is not None and owner != scope:
        raise Forbidden(f"This {thing} belongs to another organizer.", code="other_organizer")
