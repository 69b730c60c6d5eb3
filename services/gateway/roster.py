"""The roster as a CSV file that opens right in a Finnish spreadsheet: UTF-8 with a byte order
mark (or Excel guesses the encoding and mangles ä and ö), `;` between fields (`,` is the
decimal separator there), Finnish headings and Helsinki times."""
import csv
import io
import re

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
