"""The roster as a CSV file that opens right in a Finnish spreadsheet: UTF-8 with a byte order
mark (or Excel guesses the encoding and mangles ä and ö), `;` between fields (`,` is the
decimal separator there), Finnish headings and Helsinki times."""
import csv
import io
import re

from werkzeug.wrappers import Response

from shared.helsinki import staff_time

COLUMNS = ("Nimi", "Yhteystieto", "Paikkoja", "Tila", "Jonosija", "Ilmoittautunut", "Paikalla")
STATUS = {"confirmed": "vahvistettu", "waitlisted": "jonossa", "cancelled": "peruttu"}
# A cell starting with one of these is a formula to a spreadsheet: a name like "=HYPERLINK(…)"
# must show as text, not run.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
E164 = re.compile(r"^\+\d{7,15}$")


def _text(value):
    value = value or ""
    if value.startswith(FORMULA_START) and not E164.match(value):
        return "'" + value
    return value


def csv_bytes(registrations):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in registrations:
        writer.writerow([
            _text(r["name"]), _text(r["phone"] or r["email"]), r["seats"], STATUS.get(r["status"], r["status"]),
            r["waitlist_position"] or "", staff_time(r["created_at"]), "kyllä" if r["attended"] else "",
        ])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def csv_download(registrations, event_id):
    """The roster as a CSV file to save (the API's `?format=csv` and the roster page's alike)."""
    return Response(csv_bytes(registrations), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="ilmoittautuneet-{event_id[:8]}.csv"'})


def with_messages(registrations, notifications):
    """The roster with each registration's messages and whether its phone stopped SMS, as
    notifications knows them (the API's roster and the roster page alike)."""
    messages = notifications.messages_for_registrations([r["id"] for r in registrations]) if registrations else {}
    phones = sorted({r["phone"] for r in registrations if r.get("phone")})
    stopped = set(notifications.stopped_phones(phones)) if phones else set()
    for registration in registrations:
        registration["messages"] = messages.get(registration["id"], [])
        registration["sms_stopped"] = registration.get("phone") in stopped
    return registrations
