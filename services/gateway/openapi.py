"""The OpenAPI 3 document of the HTTP API, built from the same models the services validate with."""
import functools

from pydantic.json_schema import models_json_schema

from shared.api import ClientCancellation, EventChange, NewEvent, SignUp, WalkIns, WebhookSubscription

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string", "examples": ["validation_error", "event_full"]},
        "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
    }}},
}

TRANSLATIONS = {"type": "object", "required": ["fi"], "properties": {lang: {"type": "string"} for lang in ("fi", "sv", "en")}}
EVENT = {
    "type": "object",
    "properties": {
        "id": {"type": "string"}, "title": TRANSLATIONS, "description": {"type": "object"},
        "municipality": {"type": "string"}, "place": {"type": "string"}, "address": {"type": ["string", "null"]},
        "starts_at": {"type": "string", "format": "date-time"}, "ends_at": {"type": "string", "format": "date-time"},
        "capacity": {"type": "integer"}, "waitlist_capacity": {"type": "integer"},
        "max_group_size": {"type": "integer"},
        "registration_opens_at": {"type": ["string", "null"], "format": "date-time"},
        "registration_closes_at": {"type": ["string", "null"], "format": "date-time"},
        "organizer": {"type": "string"}, "status": {"enum": ["published", "draft", "cancelled"]},
        "seats_left": {"type": "integer"}, "waitlist_left": {"type": "integer"},
    },
}
SIGNUP_ANSWER = {
    "type": "object",
    "required": ["id", "event_id", "status", "seats"],
    "properties": {
        "id": {"type": "string"}, "event_id": {"type": "string"},
        "status": {"enum": ["confirmed", "waitlisted"]}, "seats": {"type": "integer"},
        "waitlist_position": {"type": ["integer", "null"]},
        "cancel_code": {"type": "string", "examples": ["K7MX-4PRA"],
                        "description": "short, for phone and door use"},
        "token": {"type": ["string", "null"], "examples": ["q3J9xW2kLm8vN4pR7sT1uQ"],
                  "description": "128 random bits for links (PUBLIC_BASE_URL/r/{token}); shown in this answer only "
                                 "(null on a retry with the same Idempotency-Key)"},
        "already_registered": {"type": "boolean", "description": "staff-assisted sign-ups only"},
    },
}
REGISTRATION = {
    "type": "object",
    "properties": {
        "id": {"type": "string"}, "event_id": {"type": "string"},
        "status": {"enum": ["confirmed", "waitlisted", "cancelled"]}, "seats": {"type": "integer"},
        "waitlist_position": {"type": ["integer", "null"]}, "cancel_code": {"type": "string"},
        "name": {"type": ["string", "null"]}, "phone": {"type": ["string", "null"]},
        "email": {"type": ["string", "null"]}, "language": {"enum": ["fi", "sv", "en"]},
        "channel": {"enum": ["sms", "email"]}, "created_at": {"type": "string", "format": "date-time"},
        "cancelled_at": {"type": ["string", "null"], "format": "date-time"},
        "attended": {"type": "boolean"}, "attended_at": {"type": ["string", "null"], "format": "date-time"},
        "assisted_by": {"type": ["string", "null"], "description": "the staff member who signed the resident up"},
        "consent_at": {"type": ["string", "null"], "format": "date-time",
                       "description": "an assisted sign-up: when the resident agreed to it"},
        "client_ref": {"type": ["string", "null"],
                       "description": "roster only: the client the sign-up came from (a keyed hash of its address)"},
        "event": {"type": "object"},
        "messages": {"type": "array", "description": "staff only: each message about the registration",
                     "items": {"type": "object", "properties": {
                         "template": {"type": "string"}, "channel": {"enum": ["sms", "email"]},
                         "status": {"enum": ["created", "sending", "sent", "delivered", "undelivered", "failed",
                                             "capped"],
                                    "description": "capped: over MESSAGES_PER_NUMBER_PER_DAY, never sent"},
                         "error_code": {"type": ["string", "null"], "description": "the provider's code, or why "
                                        "held: messages_per_number_per_day, sms_daily_budget (waits for the next day)"}}}},
    },
}


STAFF_MEMBER = {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}
ACTIVITY = {
    "type": "object",
    "description": "One registration or attendance event as staff see it: the body of a webhook POST "
                   "and the data of a Server-Sent Event. Names, never contacts or cancel codes.",
    "required": ["id", "type", "occurred_at", "event"],
    "properties": {
        "id": {"type": "string", "description": "the bus event id: a repeat has the same one"},
        "type": {"enum": ["registration_confirmed", "registration_waitlisted", "registration_promoted",
                          "registration_cancelled", "attendance_marked", "walk_ins_recorded"]},
        "occurred_at": {"type": "string", "format": "date-time"},
        "event": {"type": "object", "properties": {"id": {"type": "string"}, "title": {"type": "string"},
                                                   "organizer": {"type": "string"}}},
        "registration_id": {"type": "string"}, "name": {"type": ["string", "null"]}, "seats": {"type": "integer"},
        "status": {"type": "string"}, "waitlist_position": {"type": ["integer", "null"]},
        "reason": {"type": ["string", "null"]}, "assisted_by": {"type": ["string", "null"]},
        "attended": {"type": "boolean"}, "marked_at": {"type": "string", "format": "date-time"},
        "marked_by": STAFF_MEMBER, "walk_in_id": {"type": "string"}, "count": {"type": "integer"},
        "total": {"type": "integer"}, "recorded_at": {"type": "string", "format": "date-time"},
        "recorded_by": STAFF_MEMBER,
    },
}
COUNTS = {name: {"type": "integer"} for name in (
    "events", "events_cancelled", "sign_ups", "seats_signed_up", "confirmed", "waitlisted", "cancellations",
    "attended", "attended_seats", "no_shows", "walk_ins")}
MESSAGES = {"type": "object", "properties": {"sms": {"type": "integer"}, "email": {"type": "integer"}}}
STATS = {
    "type": "object",
    "properties": {
        "period": {"type": "object"}, "municipality": {"type": ["string", "null"]},
        "organizer": {"type": ["string", "null"]},
        "totals": {"type": "object", "properties": {**COUNTS, "messages": MESSAGES}},
        "groups": {"type": "array", "items": {"type": "object", "properties": {
            "month": {"type": "string", "examples": ["2026-10"]}, "municipality": {"type": "string"},
            "organizer": {"type": "string"}, **COUNTS, "messages": MESSAGES}}},
    },
}
WEBHOOK = {
    "type": "object",
    "properties": {
        "id": {"type": "string"}, "organizer": {"type": "string"}, "url": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "secret": {"type": "string", "description": "only in the answer to POST: keep it to check "
                                                    "X-Yhdessa-Signature (sha256=HMAC-SHA256 of the body)"},
        "deliveries": {"type": "object", "properties": {s: {"type": "integer"} for s in ("pending", "delivered", "failed")}},
        "last_error": {"type": ["string", "null"]},
    },
}
WALK_INS = {"type": "object", "properties": {"event_id": {"type": "string"}, "count": {"type": "integer"},
                                            "total": {"type": "integer"}, "counts": {"type": "array"}}}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema):
    return {"content": {"application/json": {"schema": schema}}}


def _errors(*codes):
    meaning = {400: "malformed request (too_deeply_nested: JSON deeper than 16 levels)", 401: "no or unknown staff token",
               403: "another organizer's (staff reach their own organizer's only)", 404: "not found",
               409: "refused by the event's state", 413: "body too large", 415: "body is not JSON",
               422: "invalid fields",
               503: "not done: a service did not answer in time or its database is unreachable; safe to retry",
               429: "over a limit of the client's address (`too_many_requests`; for sign-ups also `too_many_seats`: "
                    "the seats one address may book of an event); nothing was done, try again after Retry-After",
               408: "the body did not arrive within HTTP_BODY_TIMEOUT_SECONDS"}
    if 413 in codes:  # the server reads every body, with a deadline, before the endpoint sees it
        codes = (*codes, 408)
    return {str(code): {"description": meaning[code], **_json(_ref("Error")),
                        **({"headers": {"Retry-After": {"description": "seconds to wait",
                                                        "schema": {"type": "integer"}}}} if code == 429 else {})}
            for code in codes}


STAFF = [{"bearer": []}]
EVENT_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
CODE = {"name": "cancel_code", "in": "path", "required": True, "schema": {"type": "string"},
        "description": "the cancel code (K7MX-4PRA) or the link token"}
NO_STORE = {"Cache-Control": {"description": "no-store", "schema": {"type": "string"}}}
CANCELLED_BY_CLIENT = {"type": "object", "properties": {
    "event_id": {"type": "string"}, "client_ref": {"type": "string"}, "cancelled": {"type": "integer"},
    "registration_ids": {"type": "array", "items": {"type": "string"}}}}
REFERENCE = {"name": "reference", "in": "path", "required": True, "schema": {"type": "string"},
             "description": "the registration's id, or its cancel code (as the resident reads it out)"}


@functools.cache
def document():
    _, definitions = models_json_schema(
        [(NewEvent, "validation"), (EventChange, "validation"), (SignUp, "validation"), (WalkIns, "validation"),
         (WebhookSubscription, "validation"), (ClientCancellation, "validation")],
        ref_template="#/components/schemas/{model}",
    )
    schemas = dict(definitions["$defs"])
    schemas.update(Error=ERROR, Event=EVENT, SignUpAnswer=SIGNUP_ANSWER, Registration=REGISTRATION,
                   Activity=ACTIVITY, Stats=STATS, Webhook=WEBHOOK, WalkInCount=WALK_INS,
                   CancelledByClient=CANCELLED_BY_CLIENT)
    event_list = {"type": "array", "items": _ref("Event")}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Yhdessä", "version": "1.0.0",
                 "description": "Event registration and notifications for community events in Central Finland. "
                                "Every path answers OPTIONS (204 with Allow, or a CORS preflight for the "
                                "public endpoints from CORS_ORIGINS) and a method it does not take with "
                                "405 method_not_allowed and Allow. Bodies over 64 KiB: 413."},
        "components": {"schemas": schemas,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": {
            "/health": {"get": {"summary": "Broker and services reachable",
                                "responses": {"200": {"description": "all reachable; `messages`: "
                                                                     "{failed, waiting} counts of messages"},
                                              "503": {"description": "something is not"}}}},
            "/api/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3"}}}},
            "/api/events": {
                "get": {"summary": "Published events, soonest first",
                        "parameters": [{"name": n, "in": "query", "schema": {"type": "string"}, "description": d}
                                       for n, d in (("municipality", "e.g. Jyväskylä"),
                                                    ("from", "YYYY-MM-DD or ISO 8601; default: not yet over"),
                                                    ("to", "YYYY-MM-DD (inclusive) or ISO 8601"),
                                                    ("q", "words in title, description or place"),
                                                    ("limit", "1–500, default 100"), ("offset", "default 0"))],
                        "responses": {"200": {"description": "events", **_json(event_list)}, **_errors(422)}},
                "post": {"summary": "Create an event (published unless status is draft)", "security": STAFF,
                         "requestBody": {"required": True, **_json(_ref("NewEvent"))},
                         "responses": {"201": {"description": "created", **_json(_ref("Event"))},
                                       **_errors(400, 401, 403, 413, 415, 422)}},
            },
            "/api/events/{id}": {
                "get": {"summary": "One event with seats_left and waitlist_left", "parameters": [EVENT_ID],
                        "responses": {"200": {"description": "the event", **_json(_ref("Event"))}, **_errors(404)}},
                "patch": {"summary": "Change an event; registrants hear of time and place changes",
                          "security": STAFF, "parameters": [EVENT_ID],
                          "requestBody": {"required": True, **_json(_ref("EventChange"))},
                          "responses": {"200": {"description": "changed", **_json(_ref("Event"))},
                                        **_errors(400, 401, 403, 404, 409, 413, 415, 422)}},
            },
            "/api/events/{id}/cancel": {
                "post": {"summary": "Cancel an event; every registrant is told", "security": STAFF,
                         "parameters": [EVENT_ID],
                         "responses": {"200": {"description": "cancelled", **_json(_ref("Event"))},
                                       **_errors(401, 403, 404)}},
            },
            "/api/events/{id}/registrations": {
                "post": {"summary": "Sign up. With a staff token: an assisted sign-up (consent required; a "
                                    "resident with no phone or email gets messages through the staff member's)",
                         "parameters": [EVENT_ID, {
                            "name": "Idempotency-Key", "in": "header", "required": False,
                            "schema": {"type": "string", "maxLength": 200},
                            "description": "a retried request with the same key and body (for a day) gets "
                                           "the first answer; another body: 422 idempotency_key_reused"}],
                         "requestBody": {"required": True, **_json(_ref("SignUp"))},
                         "responses": {"201": {"description": "registered; also the answer when the phone or email "
                                                              "is registered already (a code that opens nothing; the "
                                                              "real details go to that phone or address)",
                                               "headers": NO_STORE, **_json(_ref("SignUpAnswer"))},
                                       "200": {"description": "a retry with the same Idempotency-Key, or (staff "
                                                              "tokens only) already registered",
                                               "headers": NO_STORE, **_json(_ref("SignUpAnswer"))},
                                       **_errors(400, 403, 404, 409, 413, 415, 422, 429)}},
                "get": {"summary": "Who is coming; as CSV for a spreadsheet with ?format=csv or Accept: text/csv",
                        "security": STAFF,
                        "parameters": [EVENT_ID, {"name": "format", "in": "query", "schema": {"enum": ["json", "csv"]}},
                                       {"name": "client_ref", "in": "query", "schema": {"type": "string"},
                                        "description": "only the sign-ups that came from this client"}],
                        "responses": {"200": {"description": "registrations", "content": {
                            "application/json": {"schema": {"type": "array", "items": _ref("Registration")}},
                            "text/csv": {"schema": {"type": "string", "description":
                                         "UTF-8 with BOM, ';' separated: Nimi;Yhteystieto;Paikkoja;Tila;Jonosija;"
                                         "Ilmoittautunut;Paikalla"}}}},
                                      **_errors(401, 403, 404)}},
            },
            "/api/events/{id}/registrations/cancel-by-client": {
                "post": {"summary": "Cancel every active sign-up of the event that came from one client (a bot): "
                                    "as staff cancel, each registrant told, freed seats to the waiting list",
                         "security": STAFF, "parameters": [EVENT_ID],
                         "requestBody": {"required": True, **_json(_ref("ClientCancellation"))},
                         "responses": {"200": {"description": "cancelled", **_json(_ref("CancelledByClient"))},
                                       **_errors(400, 401, 403, 404, 415, 422)}},
            },
            "/api/events/{id}/walk-ins": {
                "post": {"summary": "Count people in who came without signing up (no personal data)",
                         "security": STAFF, "parameters": [EVENT_ID],
                         "requestBody": {"required": True, **_json(_ref("WalkIns"))},
                         "responses": {"201": {"description": "counted", **_json(_ref("WalkInCount"))},
                                       **_errors(400, 401, 403, 404, 413, 415, 422)}},
                "get": {"summary": "The walk-in headcount", "security": STAFF, "parameters": [EVENT_ID],
                        "responses": {"200": {"description": "counts", **_json(_ref("WalkInCount"))},
                                      **_errors(401, 403, 404)}},
            },
            "/api/events/{id}/activity": {
                "get": {"summary": "Server-Sent Events: sign-ups, cancellations, promotions, check-ins and walk-ins "
                                   "as they happen; resume with Last-Event-ID",
                        "security": STAFF, "parameters": [EVENT_ID],
                        "responses": {"200": {"description": "an endless text/event-stream; each event's data is an "
                                                             "Activity", "content": {"text/event-stream": {
                                                                 "schema": {"type": "string"}}}},
                                      **_errors(401, 403, 404)}},
            },
            "/api/registrations/{reference}/check-in": {
                "post": {"summary": "Mark attendance (publishes attendance_marked); twice is harmless",
                         "security": STAFF, "parameters": [REFERENCE],
                         "responses": {"200": {"description": "marked", **_json(_ref("Registration"))},
                                       **_errors(401, 403, 404, 409)}},
                "delete": {"summary": "Undo a check-in (publishes attendance_marked with attended false)",
                           "security": STAFF, "parameters": [REFERENCE],
                           "responses": {"200": {"description": "unmarked", **_json(_ref("Registration"))},
                                         **_errors(401, 403, 404, 409)}},
            },
            "/api/registrations/{cancel_code}/erase": {
                "post": {"summary": "Erase your own data now: cancelled if still active, name and contacts gone",
                         "parameters": [CODE],
                         "responses": {"200": {"description": "erased", "headers": NO_STORE}, **_errors(404, 429)}},
            },
            "/api/stats": {
                "get": {"summary": "Counts without personal data per municipality and organizer, for events "
                                   "starting in the period", "security": STAFF,
                        "parameters": [{"name": n, "in": "query", "schema": {"type": "string"}, "description": d}
                                       for n, d in (("from", "YYYY-MM-DD or ISO 8601"),
                                                    ("to", "YYYY-MM-DD (inclusive) or ISO 8601"),
                                                    ("municipality", "e.g. Jyväskylä"),
                                                    ("organizer", "admins: any; staff: their own"),
                                                    ("per", "month: a row per Helsinki month of the event's start"))],
                        "responses": {"200": {"description": "statistics", **_json(_ref("Stats"))},
                                      **_errors(401, 403, 422)}},
            },
            "/api/webhooks": {
                "post": {"summary": "Subscribe a URL to every registration and attendance event of the "
                                    "organizer's events, POSTed as an Activity, signed", "security": STAFF,
                         "requestBody": {"required": True, **_json(_ref("WebhookSubscription"))},
                         "responses": {"201": {"description": "subscribed; the secret is shown this once",
                                               **_json(_ref("Webhook"))},
                                       **_errors(400, 401, 403, 413, 415, 422)}},
                "get": {"summary": "The organizer's subscriptions and how their deliveries stand", "security": STAFF,
                        "responses": {"200": {"description": "subscriptions",
                                              **_json({"type": "array", "items": _ref("Webhook")})},
                                      **_errors(401, 403)}},
            },
            "/api/webhooks/{webhook_id}": {
                "delete": {"summary": "Unsubscribe", "security": STAFF,
                           "parameters": [{"name": "webhook_id", "in": "path", "required": True,
                                           "schema": {"type": "string"}}],
                           "responses": {"200": {"description": "unsubscribed", **_json(_ref("Webhook"))},
                                         **_errors(401, 403, 404)}},
            },
            "/webhooks/twilio/status": {
                "post": {"summary": "Twilio's delivery report, signed with X-Twilio-Signature",
                         "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {
                             "type": "object", "properties": {"MessageSid": {"type": "string"},
                                                              "MessageStatus": {"type": "string"},
                                                              "ErrorCode": {"type": "string"}}}}}},
                         "responses": {"204": {"description": "taken"}, "403": {"description": "not signed by Twilio",
                                                                              **_json(_ref("Error"))},
                                       **_errors(413)}},
            },
            "/api/registrations/{cancel_code}": {
                "get": {"summary": "Your own registration (phone and email masked)", "parameters": [CODE],
                        "responses": {"200": {"description": "registration", "headers": NO_STORE,
                                              **_json(_ref("Registration"))},
                                      **_errors(404, 429)}},
                "delete": {"summary": "Cancel your own registration (twice is harmless; phone and email masked)",
                           "parameters": [CODE],
                           "responses": {"200": {"description": "cancelled", "headers": NO_STORE,
                                                 **_json(_ref("Registration"))},
                                         **_errors(404, 429)}},
            },
        },
    }
