"""Entrypoints only: a message to everyone coming (/staff/events/{id}/message): write it, see it
as a registrant reads it, send it once, and see whom it went to."""
from services.gateway import access
from services.gateway.pages import announcement
from services.gateway.pages.endpoint import page
from services.gateway.pages.event_view import in_language
from services.gateway.pages.rendering import NO_STORE
from services.gateway.pages.staff_session import signed_in
from shared.api import EventMessage, parse_body
from shared.errors import ValidationFailed


class AnnouncementPages:
    @page("GET", "/staff/events/<string:event_id>/message")
    def message_form(self, request, event_id):
        staff = signed_in(self, request)
        event = self._event_for(staff, event_id)
        drawn = announcement.values({})
        return self._message_form(self.pages.page(request), staff, event, drawn, announcement.new_key())

    @page("POST", "/staff/events/<string:event_id>/message")
    def message_step(self, request, event_id):
        """`action`: "preview" (checked, shown as sent, nothing sent), "edit" (back to the
        form) or "send" (once per the form's key; then the result page)."""
        page_ = self.pages.page(request)
        page_.check_form()
        staff = signed_in(self, request)
        event = self._event_for(staff, event_id)
        drawn = announcement.values(request.form)
        key = announcement.key(request.form) or announcement.new_key()
        action = request.form.get("action")
        try:
            if action == "preview":
                parse_body(EventMessage, announcement.body(drawn))  # the API's rules: nothing to show otherwise
                return self._message_preview(page_, staff, event, drawn, key)
            if action == "send":
                sent = self.registration.message_everyone(event_id, announcement.body(drawn),
                                                          access.staff_reference(staff),
                                                          organizer=access.scope(staff), idempotency_key=key)
                return page_.redirect(f"/staff/events/{event_id}/message/{sent['id']}")
        except ValidationFailed as exc:
            return self._message_form(page_, staff, event, drawn, key, announcement.errors_of(exc, page_._), 422)
        return self._message_form(page_, staff, event, drawn, key)

    @page("GET", "/staff/events/<string:event_id>/message/<string:message_id>")
    def message_sent(self, request, event_id, message_id):
        staff = signed_in(self, request)
        event = self._event_for(staff, event_id)
        sent = self.registration.sent_message(event_id, message_id, organizer=access.scope(staff))
        page_ = self.pages.page(request)
        return page_.render("announce_sent.html", cache=NO_STORE, staff=staff, event=event,
                            title=in_language(event["title"], page_.lang), sent=sent)

    def _message_form(self, page_, staff, event, drawn, key, errors=None, status=200):
        return page_.render("announce_form.html", status=status, cache=NO_STORE, staff=staff, event=event,
                            title=in_language(event["title"], page_.lang), values=drawn, key=key,
                            errors=errors or {}, most=announcement.MAX_LENGTH)

    def _message_preview(self, page_, staff, event, drawn, key):
        audience = self.registration.message_audience(event["id"], drawn["include_waitlist"],
                                                      organizer=access.scope(staff))
        return page_.render("announce_preview.html", cache=NO_STORE, staff=staff, event=event,
                            title=in_language(event["title"], page_.lang), values=drawn, key=key,
                            preview=announcement.preview(self.notifications, event, drawn["text"]),
                            audience=audience)
