"""HTTP steps shared by the end-to-end tests."""
import datetime as dt
import time
import zoneinfo

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")


def event_start(days=20):
    """18:00 Helsinki time, `days` from now."""
    day = (dt.datetime.now(HELSINKI) + dt.timedelta(days=days)).date()
    return dt.datetime.combine(day, dt.time(18), HELSINKI)


def finnish_day(moment):
    """How Finnish messages write the day: 17.10."""
    return f"{moment.day}.{moment.month}."


def event_body(**changes):
    starts = event_start()
    return {"title": {"fi": "Valtakunnallinen Asunnottomien Yö", "sv": "De bostadslösas natt"},
            "description": {"fi": "Yhdessä puistossa"}, "municipality": "Jyväskylä", "place": "Tourujoen puisto",
            "starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=4)).isoformat(),
            "capacity": 50, "organizer": "Jyväskylän kaupunki", **changes}


def resident_name(prefix, number):
    """A made-up resident's name for the `number`th one, spelled in letters (a name holds no
    digits): resident_name("Asukas", 120) == "Asukas Bca"."""
    return f"{prefix} {''.join('abcdefghij'[int(digit)] for digit in str(abs(number))).capitalize()}"


def create_event(system, **changes):
    response = system.call("POST", "/api/events", staff=True, json=event_body(**changes))
    assert response.status_code == 201, response.text
    return response.json()


def sign_up(system, event_id, body, headers=None, wait_for_event=True):
    """POST a sign-up. A just-published event reaches registration by an event over the bus a few
    milliseconds after catalog answers; until then registration does not know it, so a sign-up
    made in that instant is retried briefly here."""
    deadline = time.monotonic() + 10
    while True:
        response = system.call("POST", f"/api/events/{event_id}/registrations", json=body, headers=headers or {})
        unknown = response.status_code == 404 and response.json()["error"]["code"] == "event_not_found"
        if not (wait_for_event and unknown and time.monotonic() < deadline):
            return response
        time.sleep(0.05)


def staff_token(system, name, organizer=None, *options):
    """A staff token made with the documented command; returns its Authorization header."""
    import json
    import subprocess
    import sys

    from shared.config import REPO_ROOT

    command = [sys.executable, "-m", "services.catalog.staff_tokens", "create", name, *options]
    if organizer:
        command += ["--organizer", organizer]
    made = subprocess.run(command, cwd=REPO_ROOT, env=system.env, capture_output=True, text=True, check=True)
    return {"Authorization": f"Bearer {json.loads(made.stdout)['token']}"}


class ActivityStream:
    """GET /api/events/{id}/activity read in the background: `items` are the parsed SSE events."""

    def __init__(self, system, event_id, headers, last_event_id=None):
        import threading

        self.items = []
        headers = {**headers, **({"Last-Event-ID": last_event_id} if last_event_id else {})}
        self.response = system.http.get(f"{system.base_url}/api/events/{event_id}/activity", headers=headers,
                                        stream=True, timeout=60)
        assert self.response.status_code == 200, self.response.text
        assert self.response.headers["Content-Type"].startswith("text/event-stream")
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        import json

        fields = {}
        try:
            for line in self.response.iter_lines(decode_unicode=True):
                if line == "":
                    if "data" in fields:
                        self.items.append({"id": fields.get("id"), "event": fields.get("event"),
                                           "data": json.loads(fields["data"])})
                    fields = {}
                elif not line.startswith(":"):
                    name, _, value = line.partition(":")
                    fields[name] = value.lstrip(" ")
        except Exception:  # closed by the test
            pass

    def wait_for(self, predicate, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [item for item in self.items if predicate(item)]
            if found:
                return found[0]
            time.sleep(0.05)
        raise AssertionError(f"no such item on the activity stream; got {self.items}")

    def close(self):
        """Hang up, as a phone losing its connection would."""
        import socket

        connection = self.response.raw.connection
        if connection is not None and connection.sock is not None:
            connection.sock.shutdown(socket.SHUT_RDWR)  # the reader sees the end of the stream
        self.thread.join(timeout=5)
        self.response.close()


def where_found(database_urls, needles):
    """Every (table, column) of the given databases holding any of `needles` (case-insensitive),
    read straight from the tables."""
    from sqlalchemy import MetaData, String, Text, select

    from shared.database import make_engine

    found = []
    for url in database_urls:
        engine = make_engine(url)
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            for table in metadata.sorted_tables:
                for column in table.columns:
                    if not isinstance(column.type, (String, Text)):
                        continue
                    for (value,) in connection.execute(select(column)):
                        if value and any(needle.lower() in value.lower() for needle in needles):
                            found.append((table.name, column.name, value))
        engine.dispose()
    return found

