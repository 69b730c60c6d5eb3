"""Entrypoints only: the event list (GET /), an event with its sign-up form (GET|POST /events/{id}) and the answer page."""
from urllib.parse import quote

from nameko.dependency_providers import Config

from services.gateway import access
from services.gateway.pages import event_list, event_view, form_errors, series_view, sign_up_form
from services.gateway.pages.endpoint import page
from services.gateway.pages.page_cache import MUNICIPALITIES_SECONDS, PageCache
from services.gateway.pages.rendering import NO_STORE
from shared.errors import YhdessaError


class EventPages:
    page_cache = PageCache()
    event_pages_config = Config()

    @page("GET", "/")
    def event_list(self, request):
        page = self.pages.page(request)
        filters, errors = event_list.read(request.args, page._)
        events = self.page_cache.get(("list", filters), lambda: self._listed(filters))
        choices = self.page_cache.get("municipalities", self._municipalities, MUNICIPALITIES_SECONDS)
        # private, as every page: a first visit's answer sets the browser's own form-token cookie
        return page.render("events.html", filters=filters, errors=errors,
                           day_value=(request.args.get("day") or "").strip(), municipalities=choices,
                           events=[self._listed_row(event, page.lang) for event in series_view.listed(events)],
                           more=filters.query(offset=filters.offset + event_list.PAGE_SIZE)
                           if len(events) == event_list.PAGE_SIZE else None)

    @page("GET", "/events/<string:event_id>")
    def event_page(self, request, event_id):
        page = self.pages.page(request)
        event = self._event(event_id)
        if event.get("series_id"):  # a session of a weekly group: one enrols in the whole series
            return page.redirect(series_view.PATH + quote(event["series_id"], safe=""))
        return self._event_page(page, event, sign_up_form.values({}, page.lang),
                                sign_up_form.new_idempotency_key())

    @page("POST", "/events/<string:event_id>")
    def sign_up(self, request, event_id):
        page = self.pages.page(request)
        page.check_form()
        event = self._event(event_id)
        key = sign_up_form.idempotency_key(request.form)
        again = lambda errors, status: self._event_page(  # noqa: E731
            page, event, sign_up_form.values(request.form, page.lang), key or sign_up_form.new_idempotency_key(),
            errors, status)
        body, bad = sign_up_form.body(request.form)
        if bad:
            return again(form_errors.for_fields(bad, page._), 422)
        try:
            # exactly the API's path (GatewayService.register), without a staff token
            answer = self.limits.admitted(request, event_id, body, None, lambda client_ref: self.sign_ups.register(
                event_id, body, idempotency_key=key, assisted_by=None, client_ref=client_ref))
        except YhdessaError as exc:
            return sign_up_form.refused(exc, again, page._)
        # A person already registered gets an answer like this one, with a code that opens
        # nothing (README, "Signing up twice"): the page must look the same either way.
        channel, address = sign_up_form.confirmation_goes_to(body)
        return page.render("signed_up.html", status=201 if answer["repeat_of"] is None else 200, cache=NO_STORE,
                           event=event_view.shown(event, page.lang), registration=answer["registration"],
                           channel=channel, address=address)

    def _listed_row(self, event, lang):
        """A row of the list: an event, or a series by its next session with its rhythm."""
        row = event_view.shown(event, lang)
        if event.get("series_id"):
            series = self._series(event["series_id"])
            row["rhythm"] = series_view.rhythm(series, sorted(series.get("sessions") or [],
                                                              key=lambda s: s["session_number"]))
        return row

    def _event_page(self, page, event, values, key, errors=None, status=200):
        return page.render("event.html", status=status, event=event_view.shown(event, page.lang),
                           sign_up_state=event_view.sign_up_state(event), values=values, idempotency_key=key,
                           errors=errors or {}, sms_number=event_view.sms_number(self.event_pages_config))

    def _event(self, event_id):
        """The published (or cancelled) event with its seats; a draft or unknown id: 404."""
        def load():
            event = self.catalog.get_event(event_id, include_drafts=False, drafts_of=None)
            return access.visible(None, self._with_availability([event])[0])
        return self.page_cache.get(("event", event_id), load)

    def _listed(self, filters):
        events = self.catalog.list_events(include_drafts=False, drafts_of=None, **filters.catalog_arguments())
        return [access.visible(None, event) for event in self._with_availability(events)]

    def _municipalities(self):
        return event_list.municipalities(self.catalog.list_events(limit=event_list.MUNICIPALITY_SCAN))
