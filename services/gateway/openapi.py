"""The OpenAPI 3 document of the HTTP API, built from the same models the services validate with."""
import functools

from pydantic.json_schema import models_json_schema

from shared.api import EventChange, NewEvent, SignUp

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
        "cancel_code": {"type": "string", "examples": ["K7MX-4PRA"]},
        "already_registered": {"type": "boolean"},
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
        "event": {"type": "object"},
        "messages": {"type": "array", "description": "staff only: each message about the registration",
                     "items": {"type": "object", "properties": {
                         "template": {"type": "string"}, "channel": {"enum": ["sms", "email"]},
                         "status": {"enum": ["created", "sending", "sent", "delivered", "undelivered", "failed"]},
                         "error_code": {"type": ["string", "null"]}}}},
    },
}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema):
    return {"content": {"application/json": {"schema": schema}}}


def _errors(*codes):
    meaning = {400: "malformed request", 401: "no or unknown staff token", 404: "not found",
               409: "refused by the event's state", 413: "body too large", 415: "body is not JSON",
               422: "invalid fields", 503: "a service did not answer"}
    return {str(code): {"description": meaning[code], **_json(_ref("Error"))} for code in codes}


STAFF = [{"bearer": []}]
EVENT_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
CODE = {"name": "cancel_code", "in": "path", "required": True, "schema": {"type": "string"}}


@functools.cache
def document():
    _, definitions = models_json_schema(
        [(NewEvent, "validation"), (EventChange, "validation"), (SignUp, "validation")],
        ref_template="#/components/schemas/{model}",
    )
    schemas = dict(definitions["$defs"])
    schemas.update(Error=ERROR, Event=EVENT, SignUpAnswer=SIGNUP_ANSWER, Registration=REGISTRATION)
    event_list = {"type": "array", "items": _ref("Event")}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Yhdessä", "version": "1.0.0",
                 "description": "Event registration and notifications for community events in Central Finland."},
        "components": {"schemas": schemas,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": {
            "/health": {"get": {"summary": "Broker and services reachable",
                                "responses": {"200": {"description": "all reachable"},
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
                                       **_errors(400, 401, 413, 415, 422)}},
            },
            "/api/events/{id}": {
                "get": {"summary": "One event with seats_left and waitlist_left", "parameters": [EVENT_ID],
                        "responses": {"200": {"description": "the event", **_json(_ref("Event"))}, **_errors(404)}},
                "patch": {"summary": "Change an event; registrants hear of time and place changes",
                          "security": STAFF, "parameters": [EVENT_ID],
                          "requestBody": {"required": True, **_json(_ref("EventChange"))},
                          "responses": {"200": {"description": "changed", **_json(_ref("Event"))},
                                        **_errors(400, 401, 404, 409, 413, 415, 422)}},
            },
            "/api/events/{id}/cancel": {
                "post": {"summary": "Cancel an event; every registrant is told", "security": STAFF,
                         "parameters": [EVENT_ID],
                         "responses": {"200": {"description": "cancelled", **_json(_ref("Event"))},
                                       **_errors(401, 404)}},
            },
            "/api/events/{id}/registrations": {
                "post": {"summary": "Sign up", "parameters": [EVENT_ID, {
                            "name": "Idempotency-Key", "in": "header", "required": False,
                            "schema": {"type": "string", "maxLength": 200},
                            "description": "a retried request with the same key gets the first answer"}],
                         "requestBody": {"required": True, **_json(_ref("SignUp"))},
                         "responses": {"201": {"description": "registered", **_json(_ref("SignUpAnswer"))},
                                       "200": {"description": "already registered", **_json(_ref("SignUpAnswer"))},
                                       **_errors(400, 404, 409, 413, 415, 422)}},
                "get": {"summary": "Who is coming", "security": STAFF, "parameters": [EVENT_ID],
                        "responses": {"200": {"description": "registrations",
                                              **_json({"type": "array", "items": _ref("Registration")})},
                                      **_errors(401, 404)}},
            },
            "/webhooks/twilio/status": {
                "post": {"summary": "Twilio's delivery report, signed with X-Twilio-Signature",
                         "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {
                             "type": "object", "properties": {"MessageSid": {"type": "string"},
                                                              "MessageStatus": {"type": "string"},
                                                              "ErrorCode": {"type": "string"}}}}}},
                         "responses": {"204": {"description": "taken"}, "403": {"description": "not signed by Twilio",
                                                                              **_json(_ref("Error"))}}},
            },
            "/api/registrations/{cancel_code}": {
                "get": {"summary": "Your own registration", "parameters": [CODE],
                        "responses": {"200": {"description": "registration", **_json(_ref("Registration"))},
                                      **_errors(404)}},
                "delete": {"summary": "Cancel your own registration (twice is harmless)", "parameters": [CODE],
                           "responses": {"200": {"description": "cancelled", **_json(_ref("Registration"))},
                                         **_errors(404)}},
            },
        },
    }
