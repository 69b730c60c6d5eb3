"""Who may reach what: staff of one organizer reach that organizer's events only; an admin
token reaches everything."""
from shared.errors import Forbidden
from shared.organizers import check_owner


def scope(staff):
    """The organizer whose events `staff` may reach, or None for an admin (every organizer)."""
    if staff["admin"]:
        return None
    if not staff["organizer"]:
        raise Forbidden("This staff token belongs to no organizer.", code="no_organizer")
    return staff["organizer"]


def check_event(staff, event):
    """Forbidden unless `staff` may read and change `event`."""
    check_owner(event["organizer"], scope(staff))


def check_organizer_field(staff, body):
    """An organizer's staff create and change events of their own organizer only: a missing
    organizer is theirs, another one is refused. Admins name any organizer."""
    organizer = scope(staff)
    if organizer is None or not isinstance(body, dict):
        return body
    given = body.get("organizer", organizer)
    if given != organizer:
        raise Forbidden("Staff of one organizer cannot make events for another.", code="other_organizer")
    return {**body, "organizer": organizer}


def check_organizer_change(staff, body):
    """A change that names an organizer is checked as a new event's would be (check_organizer_field)."""
    if isinstance(body, dict) and "organizer" in body:
        check_organizer_field(staff, body)


def organizer_asked_for(staff, wanted):
    """The organizer a request is about: an admin's choice (None: every one), or the staff
    member's own; another organizer's is refused."""
    organizer = scope(staff)
    if organizer is None:
        return wanted
    if wanted not in (None, organizer):
        raise Forbidden("Staff of one organizer reach that organizer's data only.", code="other_organizer")
    return organizer


# What only the event's own staff see of it: its contact person.
STAFF_ONLY_FIELDS = ("summary_phone", "summary_email")


def visible(staff, event):
    """The event as this caller may see it: the contact person's details only for staff who
    reach the event."""
    if staff is not None and (scope(staff) is None or scope(staff) == event["organizer"]):
        return event
    return {key: value for key, value in event.items() if key not in STAFF_ONLY_FIELDS}


def assisting(staff):
    """Who signs a resident up on their behalf (None: the resident themselves), as registration
    records it: the staff member, and where messages go for a resident without phone or email."""
    return {field: staff.get(field) for field in ("id", "name", "phone", "email")} if staff else None


def staff_reference(staff):
    """What other services record of a staff member: id and name, no secret."""
    return {"id": staff["id"], "name": staff["name"]}
