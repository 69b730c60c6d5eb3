"""A batch of events of one kind (shared/batch_handlers.py) becomes messages and organizers'
webhook POSTs, recorded in one transaction: the registrant's message in their language (the one
their number chose by text, if it did) or the contact person's summary, and what staff follow.

Each event keeps its own fate: one that breaks its contract, cannot be written or fails in the
database fails alone (its outcome is the exception), the others are recorded."""
from services.notifications import messages
from shared.activity import activity
from shared.contracts import EnrolmentEvent
from shared.events import parse_envelope


def record_batch(store, kind, payloads):
    """One outcome per payload, in order: the message recorded (a row, claimed for sending when
    its status is `sending`), None (nothing to send: seen before, nobody to tell, held), or the
    exception that event failed on. Raises only when the database cannot be read at all."""
    outcomes = [None] * len(payloads)
    heard = []
    for index, payload in enumerate(payloads):
        try:
            envelope, data = parse_envelope(payload, kind.name)
        except Exception as exc:  # breaks its contract: set aside alone
            outcomes[index] = exc
            continue
        if isinstance(data, EnrolmentEvent) and data.reason == "erased":
            # an enrolment erased: its own messages are blanked as a registration's are (its
            # sessions' by their registration_erased); nobody is told
            try:
                store.erase(envelope, data.enrolment_id)
            except Exception as exc:
                outcomes[index] = exc
            continue
        heard.append((index, payload, envelope, data))
    phones = {data.phone for _, _, _, data in heard if kind.registrant and data.channel == "sms" and data.phone}
    languages = store.inbound.languages_of(phones)
    units = []
    for index, payload, envelope, data in heard:
        try:
            units.append((index, _recording(store, kind, payload, envelope, data, languages)))
        except Exception as exc:  # a message that cannot be written
            outcomes[index] = exc
    for (index, _), outcome in zip(units, store.record_all([unit for _, unit in units])):
        outcomes[index] = outcome
    return outcomes


def _recording(store, kind, payload, envelope, data, languages):
    if kind.contact_template:
        return store.summary_recording(envelope, data, messages.render_summary(kind.contact_template, data))
    if kind.registrant:
        data = in_numbers_language(data, languages)
        return store.recording(envelope, data, messages.render(kind.name, data), activity(payload))
    return store.activity_recording(envelope, data, activity(payload))


def in_numbers_language(data, languages):
    """A message by SMS is in the language its number chose by text (FI/SV/EN), if it did
    (`languages`: {phone: language}, InboundStore.languages_of)."""
    language = languages.get(data.phone) if data.channel == "sms" and data.phone else None
    return data.model_copy(update={"language": language}) if language else data
