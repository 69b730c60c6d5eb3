"""The gateway: Yhdessä's HTTP API. Entrypoints only: parse, call the owning service, answer."""

from werkzeug.wrappers import Response

from services.gateway import access, holder, openapi, roster, stats
from services.gateway.activity import ActivityHub
from services.gateway.enrolment_api import EnrolmentApi
from services.gateway.series_api import SeriesApi
from services.gateway.dependencies import ProviderWebhooks, RateLimits, SignUps, StaffAuth
from services.gateway.http import fallback, http, idempotency_key, int_param, json_body, json_response, unmatched
from services.gateway.openapi import (
    ACTIVITY_STREAM,
    EVENT_FILTERS,
    IDEMPOTENCY_KEY,
    LAST_EVENT_ID,
    PROVIDER_FORM,
    ROSTER_CSV,
    ROSTER_PARAMS,
    STATS_PARAMS,
    Answer,
)
from services.gateway.pages import announcement
from services.gateway.pages.announcement_pages import AnnouncementPages
from services.gateway.pages.asset_pages import AssetPages
from services.gateway.pages.calendar_pages import CalendarPages
from services.gateway.pages.door_pages import DoorPages
from services.gateway.pages.event_pages import EventPages
from services.gateway.pages.registration_pages import RegistrationPages
from services.gateway.pages.staff_event_pages import StaffEventPages
from services.gateway.pages.staff_pages import StaffPages
from services.gateway.pages.staff_report_pages import StaffReportPages
from services.gateway.pages.series_pages import SeriesPages
from services.gateway.pages.staff_series_pages import StaffSeriesPages
from services.gateway.pages.staff_session import StaffSessions
from services.gateway.pages.statement_pages import StatementPages
from services.gateway.pages.rendering import Pages
from shared.answers import (
    CancelledByClient,
    Erased,
    Event,
    EventMessageSent,
    EventWithSeats,
    Health,
    NewWebhook,
    OpenApiDocument,
    Registration,
    RepeatedSignUp,
    RosterEntry,
    SignUpAnswer,
    Stats,
    WalkInHeadcount,
    WalkInsRecorded,
    Webhook,
    WebhookWithDeliveries,
)
from shared.api import ClientCancellation, EventChange, EventMessage, NewEvent, SignUp, WalkIns, WebhookSubscription
from shared.provider_webhooks import webhook_path
from shared.rpc import Service

HEALTH_TIMEOUT_SECONDS = 3
# Twilio sends any TwiML we answer an inbound text with as a reply: ours is empty
TWIML = {"type": "string", "description": "an empty TwiML document: <Response/>"}
CHECKED_SERVICES = ("catalog", "registration", "notifications")


def _signup_answer(registration, include_code=True):
    answer = {key: registration[key] for key in ("id", "event_id", "status", "seats", "waitlist_position")}
    if include_code:
        answer["cancel_code"] = registration["cancel_code"]
        answer["token"] = registration.get("token")  # shown once: only its hash is kept
    return answer


def _wants_csv(request):
    return request.args.get("format") == "csv" or (
        request.args.get("format") is None and request.accept_mimetypes.best == "text/csv")


class GatewayService(SeriesApi, EnrolmentApi, EventPages, RegistrationPages, CalendarPages, StatementPages,
                     StaffPages, StaffEventPages, DoorPages, AnnouncementPages, StaffReportPages, SeriesPages,
                     StaffSeriesPages, AssetPages):
    """The HTTP API under /api, and the web pages (entrypoints of services/gateway/pages/)."""

    name = "gateway"

    catalog = Service("catalog")
    registration = Service("registration")
    notifications = Service("notifications")
    sign_ups = SignUps()
    auth = StaffAuth()
    provider_webhooks = ProviderWebhooks()
    activity = ActivityHub()
    limits = RateLimits()
    pages = Pages()
    staff_sessions = StaffSessions()

    # --- health and documentation ----------------------------------------------------------

    @http("GET", "/health", summary="Broker and services reachable; `messages`: failed and waiting messages",
          answers={200: Answer("all reachable", Health), 503: Answer("something is not", Health)})
    def health(self, request):
        services = {}
        for name in CHECKED_SERVICES:
            try:
                getattr(self, name).ping(timeout=HEALTH_TIMEOUT_SECONDS)
                services[name] = "ok"
            except Exception:
                services[name] = "unreachable"
        healthy = all(state == "ok" for state in services.values())
        # Reaching any service proves the broker; reaching none most likely means it is down.
        broker = "ok" if any(state == "ok" for state in services.values()) else "unknown"
        answer = {"status": "ok" if healthy else "unavailable", "broker": broker, "services": services}
        if services["notifications"] == "ok":
            try:  # messages given up on and still waiting: for the on-call person, not the status
                answer["messages"] = self.notifications.delivery_counts(timeout=HEALTH_TIMEOUT_SECONDS)
            except Exception:
                pass
        return json_response(answer, status=200 if healthy else 503)

    @http("GET", "/api/openapi.json", summary="This document",
          answers={200: Answer("OpenAPI 3.1", OpenApiDocument)})
    def openapi_document(self, request):
        return json_response(openapi.document(type(self)))

    # --- events ------------------------------------------------------------------------------

    @http("GET", "/api/events", cors=True, summary="Published events, soonest first (with a staff token: drafts too)",
          params=EVENT_FILTERS, errors=(401, 403), answers={200: Answer("events", list[EventWithSeats])})
    def list_events(self, request):
        staff = self.auth.staff(request)
        events = self.catalog.list_events(
            municipality=request.args.get("municipality"), starts_from=request.args.get("from"),
            starts_before=request.args.get("to"), q=request.args.get("q"),
            include_drafts=staff is not None, drafts_of=access.scope(staff) if staff else None,
            limit=int_param(request, "limit", 100, 1, 500), offset=int_param(request, "offset", 0, 0, 10**6),
        )
        return json_response([access.visible(staff, e) for e in self._with_availability(events)])

    @http("GET", "/api/events/<string:event_id>", cors=True, summary="One event with seats_left and waitlist_left",
          errors=(401, 403), answers={200: Answer("the event", EventWithSeats)})
    def get_event(self, request, event_id):
        staff = self.auth.staff(request)
        event = self.catalog.get_event(event_id, include_drafts=staff is not None,
                                       drafts_of=access.scope(staff) if staff else None)
        return json_response(access.visible(staff, self._with_availability([event])[0]))

    @http("POST", "/api/events", staff=True, body=NewEvent, errors=(409,),
          summary="Create an event (published unless status is draft; 409 sms_code_taken)",
          answers={201: Answer("created", Event)})
    def create_event(self, request):
        staff = self.auth.require_staff(request)
        body = access.check_organizer_field(staff, json_body(request))
        return json_response(self.catalog.create_event(body, organizer=access.scope(staff)), status=201)

    @http("PATCH", "/api/events/<string:event_id>", staff=True, body=EventChange, errors=(409,),
          summary="Change an event; registrants hear of time and place changes (409 sms_code_taken)",
          answers={200: Answer("changed", Event)})
    def update_event(self, request, event_id):
        staff = self.auth.require_staff(request)
        body = json_body(request)
        self._event_for(staff, event_id)
        access.check_organizer_change(staff, body)
        return json_response(self.catalog.update_event(event_id, body, organizer=access.scope(staff)))

    @http("POST", "/api/events/<string:event_id>/cancel", staff=True,
          summary="Cancel an event; every registrant is told", answers={200: Answer("cancelled", Event)})
    def cancel_event(self, request, event_id):
        staff = self.auth.require_staff(request)
        self._event_for(staff, event_id)
        return json_response(self.catalog.cancel_event(event_id, organizer=access.scope(staff)))

    # --- registrations -----------------------------------------------------------------------

    @http("POST", "/api/events/<string:event_id>/registrations", cors=True, body=SignUp, params=(IDEMPOTENCY_KEY,),
          summary="Sign up. With a staff token: an assisted sign-up (consent required; a resident with no phone "
                  "or email gets messages through the staff member's)", errors=(401, 403, 409), answers={
              201: Answer("registered; also the answer when the phone or email is registered already (a code "
                          "that opens nothing; the real details go to that phone or address)", SignUpAnswer,
                          headers=openapi.NO_STORE),
              200: Answer("a retry with the same Idempotency-Key, or (staff tokens only) already registered",
                          RepeatedSignUp, headers=openapi.NO_STORE)})
    def register(self, request, event_id):
        body = json_body(request)
        key = idempotency_key(request)
        # With a staff token it is an assisted sign-up: staff sign a resident up on their behalf.
        staff = self.auth.staff(request)
        if staff:
            self._event_for(staff, event_id)  # staff sign residents up to their own organizer's events
        assisted_by = access.assisting(staff)
        answer = self.limits.admitted(request, event_id, body, staff, lambda client_ref: self.sign_ups.register(
            event_id, body, idempotency_key=key, assisted_by=assisted_by, client_ref=client_ref))
        # A person already registered who signs up again without a staff token is answered as a
        # new sign-up would be (registration decides; README, "Signing up twice").
        return json_response(*holder.signed_up(answer, answer["registration"], _signup_answer))

    # `cancel_code` is the short code or the link token; answers mask phone and email.

    @http("GET", "/api/registrations/<string:cancel_code>", cors=True,
          summary="Your own registration (phone and email masked)",
          answers={200: Answer("registration", Registration, headers=openapi.NO_STORE)})
    def get_registration(self, request, cancel_code):
        self.limits.code_use(request)
        return json_response(holder.masked(self.registration.get_registration(cancel_code)), headers=holder.NO_STORE)

    @http("DELETE", "/api/registrations/<string:cancel_code>", cors=True,
          summary="Cancel your own registration (twice is harmless; phone and email masked)",
          answers={200: Answer("cancelled", Registration, headers=openapi.NO_STORE)})
    def cancel_registration(self, request, cancel_code):
        self.limits.code_use(request)
        return json_response(holder.masked(self.registration.cancel(cancel_code)), headers=holder.NO_STORE)

    @http("POST", "/api/registrations/<string:cancel_code>/erase", cors=True,
          summary="Erase your own data now: cancelled if still active, name and contacts gone",
          answers={200: Answer("erased (twice is harmless)", Erased, headers=openapi.NO_STORE)})
    def erase_registration(self, request, cancel_code):
        """The registrant's own erasure: cancelled if still active, name and contacts gone."""
        self.limits.code_use(request)
        return json_response(self.registration.erase(cancel_code), headers=holder.NO_STORE)

    # --- staff at work -----------------------------------------------------------------------

    @http("GET", "/api/events/<string:event_id>/registrations", staff=True, params=ROSTER_PARAMS,
          summary="Who is coming; as CSV for a spreadsheet with ?format=csv or Accept: text/csv",
          answers={200: Answer("registrations", list[RosterEntry], media={"text/csv": ROSTER_CSV})})
    def list_registrations(self, request, event_id):
        staff = self.auth.require_staff(request)
        self._event_for(staff, event_id)
        registrations = self.registration.list_registrations(event_id, organizer=access.scope(staff),
                                                             client_ref=request.args.get("client_ref") or None)
        if _wants_csv(request):
            return roster.csv_download(registrations, event_id)
        return json_response(roster.with_messages(registrations, self.notifications))

    @http("POST", "/api/events/<string:event_id>/registrations/cancel-by-client", staff=True,
          body=ClientCancellation, summary="Cancel every active sign-up of the event that came from one client (a "
                                           "bot): as staff cancel, each registrant told, freed seats to the waiting list",
          answers={200: Answer("cancelled", CancelledByClient)})
    def cancel_by_client(self, request, event_id):
        """Staff cancel every active sign-up of the event that came from one client (a bot)."""
        staff = self.auth.require_staff(request)
        body = json_body(request)
        self._event_for(staff, event_id)
        return json_response(self.registration.cancel_by_client(event_id, body, organizer=access.scope(staff)))

    @http("POST", "/api/registrations/<string:reference>/check-in", staff=True, errors=(409,),
          summary="Mark attendance (publishes attendance_marked); twice is harmless",
          answers={200: Answer("marked", Registration)})
    def check_in(self, request, reference):
        """Mark attendance; `reference` is the registration's id or its cancel code."""
        return self._mark_attendance(request, reference, attended=True)

    @http("DELETE", "/api/registrations/<string:reference>/check-in", staff=True, errors=(409,),
          summary="Undo a check-in (publishes attendance_marked with attended false)",
          answers={200: Answer("unmarked", Registration)})
    def undo_check_in(self, request, reference):
        return self._mark_attendance(request, reference, attended=False)

    def _mark_attendance(self, request, reference, attended):
        staff = self.auth.require_staff(request)
        return json_response(self.registration.check_in(reference, access.staff_reference(staff), attended=attended,
                                                        organizer=access.scope(staff)))

    @http("POST", "/api/events/<string:event_id>/walk-ins", staff=True, body=WalkIns,
          summary="Count people in who came without signing up (no personal data)",
          answers={201: Answer("counted", WalkInsRecorded)})
    def record_walk_ins(self, request, event_id):
        staff = self.auth.require_staff(request)
        body = json_body(request)
        self._event_for(staff, event_id)
        answer = self.registration.record_walk_ins(event_id, body, access.staff_reference(staff),
                                                   organizer=access.scope(staff))
        return json_response(answer, status=201)

    @http("GET", "/api/events/<string:event_id>/walk-ins", staff=True, summary="The walk-in headcount",
          answers={200: Answer("counts", WalkInHeadcount)})
    def walk_ins(self, request, event_id):
        staff = self.auth.require_staff(request)
        self._event_for(staff, event_id)
        return json_response(self.registration.walk_ins(event_id, organizer=access.scope(staff)))

    @http("POST", "/api/events/<string:event_id>/messages", staff=True, body=EventMessage, params=(IDEMPOTENCY_KEY,),
          summary="A message to everyone coming (and the waiting list if asked): each registrant gets it once on "
                  "their channel, at the SMS rate and outside quiet hours unless urgent; shown on the activity stream",
          answers={201: Answer("sent (the same key again: the same answer, nothing sent)", EventMessageSent)})
    def message_everyone(self, request, event_id):
        staff = self.auth.require_staff(request)
        body = json_body(request)
        key = idempotency_key(request)
        event = self._event_for(staff, event_id)
        sent = self.registration.message_everyone(event_id, body, access.staff_reference(staff),
                                                  organizer=access.scope(staff), idempotency_key=key)
        # SMS segments as a Finnish registrant gets it (notifications writes it)
        segments = announcement.preview(self.notifications, event, sent["text"])["segments"]
        return json_response({**sent, "segments": segments}, status=201)

    @http("GET", "/api/events/<string:event_id>/activity", staff=True, params=(LAST_EVENT_ID,),
          summary="Server-Sent Events: sign-ups, cancellations, promotions, check-ins and walk-ins as they "
                  "happen; resume with Last-Event-ID",
          answers={200: Answer("an endless text/event-stream; each event's data is an Activity",
                               media={"text/event-stream": ACTIVITY_STREAM})})
    def event_activity(self, request, event_id):
        """Server-Sent Events: sign-ups, cancellations, promotions, check-ins and walk-ins as
        they happen."""
        staff = self.auth.require_staff(request)
        self._event_for(staff, event_id)
        return self.activity.answer(request, event_id, "no-cache")

    @http("GET", "/api/stats", staff=True, params=STATS_PARAMS,
          summary="Counts without personal data per municipality and organizer, for events starting in the period",
          answers={200: Answer("statistics", Stats)})
    def stats(self, request):
        """Counts without personal data, per municipality and organizer, for events starting in
        the period."""
        staff = self.auth.require_staff(request)
        organizer = access.organizer_asked_for(staff, request.args.get("organizer") or None)
        return json_response(self._counted(request.args.get("from"), request.args.get("to"),
                                           request.args.get("municipality"), organizer, request.args.get("per")))

    def _counted(self, starts_from, starts_to, municipality, organizer, per):
        """The statistics' answer (the staff pages' statistics call this too): registration's
        counts with notifications' message counts added."""
        groups = self.registration.stats(starts_from, starts_to, municipality, organizer, per=per)
        event_ids = [event_id for group in groups for event_id in group["event_ids"]]
        messages = self.notifications.message_counts(event_ids) if event_ids else {}
        return {"period": {"from": starts_from, "to": starts_to}, "municipality": municipality,
                "organizer": organizer, "per": per, **stats.with_messages(groups, messages)}

    # --- webhook subscriptions ---------------------------------------------------------------

    @http("POST", "/api/webhooks", staff=True, body=WebhookSubscription,
          summary="Subscribe a URL to every registration and attendance event of the organizer's events, "
                  "POSTed as an Activity, signed",
          answers={201: Answer("subscribed; the secret is shown this once", NewWebhook)})
    def subscribe_webhook(self, request):
        """A new subscription; the signing secret is in this answer only."""
        staff = self.auth.require_staff(request)
        body = json_body(request)
        organizer = access.organizer_asked_for(staff, body.get("organizer") if isinstance(body, dict) else None)
        return json_response(self.notifications.subscribe_webhook(organizer, body, staff["id"]), status=201)

    @http("GET", "/api/webhooks", staff=True,
          summary="The organizer's subscriptions and how their deliveries stand",
          answers={200: Answer("subscriptions", list[WebhookWithDeliveries])})
    def list_webhooks(self, request):
        staff = self.auth.require_staff(request)
        return json_response(self.notifications.webhooks(access.scope(staff)))

    @http("DELETE", "/api/webhooks/<string:webhook_id>", staff=True, summary="Unsubscribe",
          answers={200: Answer("unsubscribed", Webhook)})
    def unsubscribe_webhook(self, request, webhook_id):
        staff = self.auth.require_staff(request)
        return json_response(self.notifications.unsubscribe_webhook(webhook_id, access.scope(staff)))

    # --- provider webhooks -------------------------------------------------------------------

    @http("POST", webhook_path("twilio", "status"), summary="Twilio's delivery report, signed with X-Twilio-Signature",
          request_media={"application/x-www-form-urlencoded": PROVIDER_FORM}, errors=(403,),
          answers={204: Answer("taken")})
    def twilio_status(self, request):
        """Twilio's delivery report of an SMS, handed to notifications as it came: it checks the
        signature (403 bad_signature) and only ever moves a status forward; 204."""
        answer = self.notifications.provider_callback("twilio", "status", self.provider_webhooks.as_posted(request))
        return Response(answer.get("body"), status=answer["status"], mimetype=answer.get("content_type"))

    @http("POST", webhook_path("twilio", "inbound"), summary="A text message to our number, from Twilio, signed "
                                                            "with X-Twilio-Signature",
          request_media={"application/x-www-form-urlencoded": PROVIDER_FORM}, errors=(403,),
          answers={200: Answer("taken: an empty TwiML <Response/> (text/xml); replies go out as messages",
                               media={"text/xml": TWIML})})
    def twilio_inbound(self, request):
        """A resident's text, handed to notifications as it came: it checks the signature (403
        bad_signature), keeps the text once per MessageSid and answers at once; acting on it and
        replying come after, as ordinary messages."""
        answer = self.notifications.provider_callback("twilio", "inbound", self.provider_webhooks.as_posted(request))
        return Response(answer.get("body"), status=answer["status"], mimetype=answer.get("content_type"))

    # --- anything else -----------------------------------------------------------------------

    @fallback("/")
    @fallback("/<path:path>")
    def no_such_endpoint(self, request, path=""):
        """OPTIONS (CORS preflight, or 204 with Allow), 405 with Allow, or 404: see http.py."""
        return unmatched(request)

    def _event_for(self, staff, event_id):
        """The event, when `staff` may reach it: 404 if missing (or another organizer's draft),
        403 if another organizer's."""
        event = self.catalog.get_event(event_id, include_drafts=True, drafts_of=access.scope(staff))
        access.check_event(staff, event)
        return event

    def _with_availability(self, events):
        """Events with `seats_left` and `waitlist_left` as registration counts them."""
        counts = self.registration.availability([e["id"] for e in events]) if events else {}
        for event in events:
            if event["status"] != "published":
                event.update(seats_left=0, waitlist_left=0)
            else:
                event.update(counts.get(event["id"], {"seats_left": event["capacity"],
                                                      "waitlist_left": event["waitlist_capacity"]}))
        return events
