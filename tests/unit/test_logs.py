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
