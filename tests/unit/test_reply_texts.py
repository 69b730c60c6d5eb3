"""The replies to residents' texts (templates/<language>/reply_*.j2 through messages.render_reply):
in fi, sv and en, each within two SMS segments however long the event's title."""
import pytest

from shared import gsm
from services.notifications.messages import render_reply

LONG = "Valtakunnallinen asunnottomien yö ja sen jälkeinen keskustelutilaisuus kaupungintalolla " * 5
CHOICES = [{"number": n, "title": {"fi": f"{n} {LONG}", "sv": f"{n} {LONG}"},
            "starts_at": f"2030-01-0{n}T16:00:00+00:00"} for n in range(1, 8)]
REPLIES = [("stopped", {}), ("started", {}), ("language", {}), ("none", {}), ("other", {"forwarded": True}),
           ("help", {"contact": "+358401234567"}), ("choose", {"choices": CHOICES}),
           *[("refused", {"reason": reason, "code": "YO18", "suggestion": "YO17", "title": LONG})
             for reason in ("event_full", "registration_closed", "registration_not_open", "no_such_code", "other")]]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("name, context", REPLIES)
def test_every_reply_has_a_text_of_its_own_in_each_language_within_two_segments(name, context, language):
    reply = render_reply(name, language, context)
    assert reply.language == language and reply.template == f"reply_{name}"
    assert reply.text and gsm.segments(reply.text) <= 2
    if language != "fi":
        assert reply.text != render_reply(name, "fi", context).text


def test_a_long_list_keeps_its_first_choices_numbered_in_order():
    text = render_reply("choose", "fi", {"choices": CHOICES}).text
    assert text.startswith("Mikä perutaan?\nPERU 1 = 1 ")
    numbers = [line.split(" = ")[0] for line in text.splitlines()[1:]]
    assert numbers == [f"PERU {n}" for n in range(1, len(numbers) + 1)] and len(numbers) >= 2


def test_an_unknown_code_suggests_the_closest():
    assert render_reply("refused", "en", {"reason": "no_such_code", "code": "YO18", "suggestion": "YO17"}).text \
        == "No event has the code YO18. Did you mean YO17?"
