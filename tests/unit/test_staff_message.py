"""Staff's message to everyone coming, in plain Python: who decides when it goes (shared/kinds.py),
what a registrant reads (the staff_message template, within two SMS segments where the text
allows), what the API takes, and what the staff page says of a refusal."""
import pytest

from services.gateway.pages import announcement
from services.notifications import messages
from shared import gsm
from shared.api import EventMessage, parse_body
from shared.errors import ValidationFailed
from shared.kinds import immediate, telling

EVENT = {"id": "e1", "title": {"fi": "Valtakunnallinen Asunnottomien Yö", "sv": "De bostadslösas natt"},
         "municipality": "Jyväskylä", "place": "Tourujoen puisto", "address": None,
         "starts_at": "2026-10-17T15:00:00Z", "ends_at": "2026-10-17T19:00:00Z", "organizer": "Jyväskylän kaupunki"}
HINTS = {"fi": "vastaa PERU", "sv": "svara PERU", "en": "reply PERU"}


def test_a_message_to_everyone_is_told_by_staff_and_waits_its_turn_unless_urgent():
    told = telling("event_message")
    assert told.template == "staff_message" and told.by_staff  # never counted against a number's daily cap
    assert immediate("event_message") is False  # at the SMS rate, held through the quiet hours
    assert immediate("event_message", urgent=True) is True  # at once, night or not
    # the flag means nothing for the contact person's summary, which always waits
    assert immediate("registration_closed", urgent=True) is False


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_short_message_comes_whole_with_who_writes_and_how_to_answer(language):
    sms = messages.preview_staff_message(EVENT, "Bussi on myöhässä, aloitamme klo 18.30.", language).text
    title = EVENT["title"].get(language) or EVENT["title"]["fi"]
    assert sms.startswith(f"{title} (Jyväskylän kaupunki): Bussi on myöhässä, aloitamme klo 18.30.")
    assert HINTS[language] in sms and gsm.segments(sms) == 1


@pytest.mark.parametrize("length", [200, 250, 280])
def test_a_long_message_keeps_every_word_and_two_segments_leaving_out_the_hint_and_then_the_names(length):
    text = ("Paikka vaihtui Kirkkopuistoon. " * 20)[:length].strip()
    sms = messages.preview_staff_message(EVENT, text).text
    assert text in sms and gsm.segments(sms) <= 2


def test_the_hint_goes_before_the_names_are_cut():
    text = "x" * 230  # fits two segments with the whole title and organizer, but not with the hint too
    sms = messages.preview_staff_message(EVENT, text).text
    assert sms == f"Valtakunnallinen Asunnottomien Yö (Jyväskylän kaupunki): {text}" and gsm.segments(sms) == 2


def test_a_message_longer_than_two_segments_allow_still_comes_whole():
    text = "x" * 300
    assert text in messages.preview_staff_message(EVENT, text).text


def test_the_api_takes_one_paragraph_of_one_to_300_characters():
    assert parse_body(EventMessage, {"text": " Bussi myöhässä\n20 min "}).text == "Bussi myöhässä\n20 min"
    for text, reason in (("  ", "at least 1"), ("x" * 301, "at most 300"), ("Yksi.\n\nKaksi.", "one paragraph"),
                         ("a\u200bb", "invisible")):
        with pytest.raises(ValidationFailed) as refused:
            parse_body(EventMessage, {"text": text})
        assert reason in refused.value.fields["text"]


def test_the_page_says_each_refusal_in_plain_words():
    def words(text):
        try:
            parse_body(EventMessage, {"text": text})
        except ValidationFailed as exc:
            return announcement.errors_of(exc, lambda message, **values: message % values if values else message)
    assert words("") == {"text": "Write the message."}
    assert words("x" * 301) == {"text": "The message is too long. Write at most 300 characters."}
    assert words("a\n\nb") == {"text": "Write the message as one paragraph, without empty lines."}
    assert announcement.errors_of(ValidationFailed("reused", code="idempotency_key_reused"), str) == {
        "form": "This message was already sent with other words. Start a new message."}
