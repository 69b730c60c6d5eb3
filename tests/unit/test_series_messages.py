"""What residents of a weekly group (a series) read: which session a message is about, the one
message of an enrolment with its first dates, the question PERU asks — in fi, sv and en, each SMS
within two GSM-7 segments."""
import datetime as dt

import pytest

from services.notifications import messages
from shared import gsm
from shared.contracts import EnrolmentEvent, RegistrationEvent, StaffMessage

UTC = dt.timezone.utc
FIRST = dt.datetime(2026, 9, 5, 14, tzinfo=UTC)  # la 5.9. klo 17
LONG_TITLE = "Maahanmuuttajanuorten vertaisryhmä Jyväskylän keskustan nuorisotilassa, teemana arki ja opiskelu"
LONG_PLACE = "Nuorisotila Kompassi, Kauppakatu 1, toinen kerros, sisäänkäynti sisäpihan puolelta"
LONG_NAME = "Maija-Liisa Meikäläinen-Virtanen"
SESSION = {"fi": ("viikko 2/4", "kerta 2/4"), "sv": ("vecka 2/4", "träff 2/4"),
           "en": ("week 2 of 4", "session 2 of 4")}


def snapshot(number=2, count=4, weekly=True, title="Nuorten vertaisryhmä", place="Kompassi"):
    starts = FIRST + dt.timedelta(weeks=number - 1)
    return {"id": f"e{number}", "title": {"fi": title}, "municipality": "Jyväskylä", "place": place,
            "starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
            "organizer": "Monikulttuurikeskus", "series_id": "s1", "session_number": number, "session_count": count,
            "series_weekly": weekly}


def session_registration(language="fi", channel="sms", event=None, **changes):
    return RegistrationEvent.model_validate({
        "registration_id": "r1", "status": "confirmed", "name": "Amina", "phone": "+358401234567",
        "email": "amina@example.fi", "language": language, "channel": channel, "seats": 1,
        "cancel_code": "K7MX-4PRA", "enrolment_id": "n1", "event": event or snapshot(), **changes})


def sessions(count, waiting=(), start=FIRST, weeks=True):
    return [{"event_id": f"e{n}", "session_number": n,
             "starts_at": (start + (dt.timedelta(weeks=n - 1) if weeks else dt.timedelta(days=3 * (n - 1)))).isoformat(),
             "status": "waitlisted" if n in waiting else "confirmed",
             "waitlist_position": 100 + n if n in waiting else None} for n in range(1, count + 1)]


def enrolment(language="fi", channel="sms", count=6, waiting=(2,), name="Amina", title="Nuorten vertaisryhmä",
              place="Kompassi", weeks=True, **changes):
    return EnrolmentEvent.model_validate({
        "enrolment_id": "n1", "series_id": "s1", "status": "confirmed", "name": name, "phone": "+358401234567",
        "email": "amina@example.fi", "language": language, "channel": channel, "seats": 1, "cancel_code": "K7MX-4PRA",
        "token": "q3J9xW2kLm8vN4pR7sT1uQ", "sessions": sessions(count, waiting, weeks=weeks),
        "event": snapshot(1, count, weeks, title, place), **changes})


ABOUT_A_SESSION = [("registration_reminder", {}), ("registration_promoted", {}),
                   ("registration_cancelled", {"status": "cancelled", "reason": "by_registrant"}),
                   ("registration_cancelled", {"status": "cancelled", "reason": "event_cancelled"}),
                   ("registration_event_changed", {"changed": ["starts_at"]})]


@pytest.mark.parametrize("event_type, changes", ABOUT_A_SESSION)
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("weekly", [True, False])
def test_every_message_about_a_session_says_which_week_or_which_time_it_is(event_type, changes, language, weekly):
    words = SESSION[language][0 if weekly else 1]
    sms = messages.render(event_type, session_registration(language, event=snapshot(weekly=weekly), **changes))
    email = messages.render(event_type, session_registration(language, "email", event=snapshot(weekly=weekly),
                                                             **changes))
    assert words in sms.text and words in email.subject and words in email.text
    assert gsm.segments(sms.text) <= 2


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_staff_message_to_everyone_coming_to_a_session_says_which_week(language):
    data = StaffMessage.model_validate({**session_registration(language).model_dump(mode="json"),
                                        "message_id": "m1", "text": "Tänään syödään pizzaa, tule ajoissa!"})
    assert SESSION[language][0] in messages.render("event_message", data).text


@pytest.mark.parametrize("event_type, changes", ABOUT_A_SESSION)
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_session_message_fits_two_segments_with_the_longest_names_and_keeps_code_and_week(event_type, changes,
                                                                                             language):
    data = session_registration(language, name=LONG_NAME, event=snapshot(12, 60, title=LONG_TITLE, place=LONG_PLACE),
                                **changes)
    sms = messages.render(event_type, data)
    assert gsm.segments(sms.text) <= 2 and ("12/60" in sms.text or "12 of 60" in sms.text)


def test_an_event_that_is_no_session_says_no_week():
    event = {**snapshot(), "series_id": None, "session_number": None, "session_count": None}
    sms = messages.render("registration_reminder", session_registration(event=event))
    assert "viikko" not in sms.text and "kerta" not in sms.text and "()" not in sms.text


@pytest.mark.parametrize("event_type, changes", [("registration_confirmed", {}),
                                                 ("registration_waitlisted", {"status": "waitlisted"}),
                                                 ("registration_cancelled", {"status": "cancelled",
                                                                             "reason": "by_registrant"})])
def test_a_session_made_or_cancelled_with_its_enrolment_is_told_only_by_the_enrolments_message(event_type, changes):
    assert messages.render(event_type, session_registration(told_with_enrolment=True, **changes)) is None
    assert messages.render(event_type, session_registration(**changes)) is not None


def test_the_enrolment_sms_names_the_weekday_time_first_four_dates_the_waiting_one_and_how_to_cancel():
    sms = messages.render("enrolment_confirmed", enrolment())
    assert sms.template == "enrolled"
    for part in ("Nuorten vertaisryhmä", "lauantaisin klo 17-19", "Kompassi", "5.9., 12.9. (jonossa 102.), 19.9., 26.9.",
                 "ja 2 muuta", "K7MX-4PRA", "vastaa PERU", "/r/K7MX-4PRA"):
        assert part in sms.text, part
    assert "3.10." not in sms.text and gsm.segments(sms.text) <= 2


def test_the_enrolment_email_lists_every_date_with_a_seat_or_the_waiting_place_and_the_own_page():
    email = messages.render("enrolment_confirmed", enrolment(channel="email"))
    assert email.subject == "Olet mukana: Nuorten vertaisryhmä"
    assert "12.9.: jonossa sijalla 102" in email.text and "10.10.: paikkasi on varattu" in email.text
    assert "/r/q3J9xW2kLm8vN4pR7sT1uQ?lang=fi" in email.text and "/r/K7MX-4PRA" in email.html


def test_dates_on_different_weekdays_name_no_weekday():
    sms = messages.render("enrolment_confirmed", enrolment(weeks=False, count=3))
    assert "lauantaisin" not in sms.text and ", klo 17-19," in sms.text and "muuta" not in sms.text


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("waiting", [(), (1, 2, 3, 4, 5)])
def test_the_enrolment_sms_fits_two_segments_in_every_language_even_at_its_longest(language, waiting):
    data = enrolment(language, count=60, waiting=waiting, name=LONG_NAME, title=LONG_TITLE, place=LONG_PLACE,
                     status="waitlisted" if waiting else "confirmed")
    sms = messages.render("enrolment_confirmed", data)
    assert gsm.segments(sms.text) <= 2 and "K7MX-4PRA" in sms.text and "PERU" in sms.text


@pytest.mark.parametrize("language, words", [("fi", "kaikki 4 jäljellä olevaa kertaa"),
                                             ("sv", "alla 4 träffar som är kvar"), ("en", "all 4 sessions left")])
def test_cancelling_the_whole_enrolment_says_how_many_sessions_went(language, words):
    data = enrolment(language, count=4, status="cancelled", reason="by_registrant",
                     sessions=[{**s, "status": "cancelled"} for s in sessions(4)])
    sms = messages.render("enrolment_cancelled", data)
    assert sms.template == "enrolment_cancelled" and words in sms.text and gsm.segments(sms.text) <= 2


def test_an_erased_enrolment_tells_nobody():
    assert messages.render("enrolment_cancelled", enrolment(status="cancelled", reason="erased", name=None)) is None


@pytest.mark.parametrize("language, words", [
    ("fi", "perutaanko vain seuraava kerta (la 12.9.) vai kaikki? Vastaa 1 = vain seuraava, 2 = kaikki."),
    ("sv", "avbokar vi bara nästa träff (lör 12.9.) eller alla? Svara 1 = bara nästa, 2 = alla."),
    ("en", "cancel only the next session (Sat 12 Sep) or all? Reply 1 = only the next, 2 = all.")])
@pytest.mark.parametrize("title", ["Nuorten vertaisryhmä", LONG_TITLE * 3])
def test_peru_with_an_enrolment_asks_only_the_next_or_all_within_two_segments(language, words, title):
    reply = messages.render_reply("next_or_all", language, {"title": title, "when": messages.day_text(
        FIRST + dt.timedelta(weeks=1), language)})
    assert reply.text.endswith(words) and gsm.segments(reply.text) <= 2
