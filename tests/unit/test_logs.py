"""Logs never contain a full phone number or email address."""
import json
import logging

from shared.logs import JsonFormatter, redact


def test_phone_numbers_and_emails_are_masked_but_timestamps_and_status_lines_are_not():
    line = redact('sent to +358401234567 and 040 123 4567, maija.meikalainen@example.fi at 2026-11-27T17:55:57 "GET /health" 200 2 0.04')
    assert "+358401234567" not in line and "040 123 4567" not in line and "maija.meikalainen" not in line
    assert "2026-11-27T17:55:57" in line and "200 2 0.04" in line and "@example.fi" in line


def test_a_log_record_is_one_json_line_with_the_message_masked():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "sms to %s", ("+358401234567",), None)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "INFO" and entry["msg"] == "sms to +358*******67"


def test_the_access_log_never_shows_a_cancel_code_or_link_token():
    line = redact('127.0.0.1 - - "GET /api/registrations/K7MX-4PRA HTTP/1.1" 200 "DELETE /r/q3J9xW2kLm8vN4pR7sT1uQ?x=1"'
                  ' "POST /api/registrations/K7MX4PRA/erase HTTP/1.1"')
    assert "K7MX" not in line and "q3J9" not in line
    assert "/api/registrations/*** HTTP/1.1" in line and "/r/***?x=1" in line and "/***/erase" in line


def nameko_worker_record(message, error, level):
    """A record as nameko's container writes it when an entrypoint raised `error`."""
    try:
        raise error
    except Exception:
        import sys
        exc_info = sys.exc_info()
    return logging.LogRecord("nameko.containers", level, __file__, 1, message, ("<WorkerContext>", error), exc_info)


def test_a_client_mistake_reported_by_nameko_becomes_one_info_line_without_traceback():
    from shared.errors import NotFound
    from shared.logs import ExpectedErrors

    record = nameko_worker_record("(expected) error handling worker %s: %s",
                                  NotFound("No such event.", code="event_not_found"), logging.WARNING)
    assert ExpectedErrors().filter(record) in (True, False)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "INFO" and "exc" not in entry
    assert "answered 404 event_not_found: No such event." in entry["msg"]


def test_our_own_fault_stays_an_error_with_its_traceback():
    from shared.logs import ExpectedErrors

    record = nameko_worker_record("error handling worker %s: %s", KeyError("seats"), logging.ERROR)
    assert ExpectedErrors().filter(record) is True
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "ERROR" and entry["exc"].count("Traceback") == 1 and "KeyError" in entry["exc"]
