"""Entrypoints: the HTTP API of enrolling in a series once for every session, a resident's own
enrolment by its code (one session or all), and a series' statistics. GatewayService inherits them.
Registration decides everything (services/registration/enrolment.py); these parse, limit, answer."""
from services.gateway import access, holder, openapi
from services.gateway.http import http, idempotency_key, json_body, json_response
from services.gateway.openapi import IDEMPOTENCY_KEY, Answer
from shared.answers import Enrolment, EnrolmentAnswer, Erased, SeriesStats
from shared.api import SignUp

# What the enrolment's answer lists of each session.
SESSION_FIELDS = ("event_id", "session_number", "starts_at", "status", "waitlist_position")


def _enrolment_answer(enrolment, include_code=True):
    answer = {key: enrolment[key] for key in ("id", "series_id", "status", "seats")}
    answer["sessions"] = [{key: place[key] for key in SESSION_FIELDS} for place in enrolment["sessions"]]
    if include_code:
        answer["cancel_code"] = enrolment["cancel_code"]
        answer["token"] = enrolment.get("token")  # shown once: only its hash is kept
    return answer


class EnrolmentApi:

    @http("POST", "/api/series/<string:series_id>/registrations", cors=True, body=SignUp, params=(IDEMPOTENCY_KEY,),
          summary="Enrol in a series (a weekly group): a seat or a waiting place in every session not yet started, "
                  "one cancel code for all. With a staff token: an assisted enrolment (consent required). 409 "
                  "event_full when a session has neither seat nor waiting place (nothing written)",
          errors=(401, 403, 409), answers={
              201: Answer("enrolled; also the answer when the phone or email is enrolled already (a code that "
                          "opens nothing)", EnrolmentAnswer, headers=openapi.NO_STORE),
              200: Answer("a retry with the same Idempotency-Key, or (staff tokens only) already enrolled",
                          EnrolmentAnswer, headers=openapi.NO_STORE)})
    def enrol(self, request, series_id):
        body = json_body(request)
        key = idempotency_key(request)
        staff = self.auth.staff(request)
        assisted_by = access.assisting(staff)
        answer = self.limits.admitted(request, series_id, body, staff, lambda client_ref: self.registration.enrol(
            series_id, body, idempotency_key=key, assisted_by=assisted_by, client_ref=client_ref,
            organizer=access.scope(staff) if staff else None))
        return json_response(*holder.signed_up(answer, answer["enrolment"], _enrolment_answer))

    # `cancel_code` is the enrolment's short code or its link token; answers mask phone and email.

    @http("GET", "/api/enrolments/<string:cancel_code>", cors=True,
          summary="Your own enrolment and its sessions (phone and email masked)",
          answers={200: Answer("enrolment", Enrolment, headers=openapi.NO_STORE)})
    def get_enrolment(self, request, cancel_code):
        self.limits.code_use(request)
        return json_response(holder.masked(self.registration.get_enrolment(cancel_code)), headers=holder.NO_STORE)

    @http("DELETE", "/api/enrolments/<string:cancel_code>", cors=True,
          summary="Cancel every session of your enrolment not yet started (twice is harmless)",
          answers={200: Answer("cancelled", Enrolment, headers=openapi.NO_STORE)})
    def cancel_enrolment(self, request, cancel_code):
        self.limits.code_use(request)
        return json_response(holder.masked(self.registration.cancel_enrolment(cancel_code)), headers=holder.NO_STORE)

    @http("DELETE", "/api/enrolments/<string:cancel_code>/sessions/<string:event_id>", cors=True, errors=(409,),
          summary="Cancel one session of your enrolment: \"I won't come this time\" (twice is harmless; 409 "
                  "registration_closed once it has begun)",
          answers={200: Answer("cancelled", Enrolment, headers=openapi.NO_STORE)})
    def cancel_enrolled_session(self, request, cancel_code, event_id):
        self.limits.code_use(request)
        return json_response(holder.masked(self.registration.cancel_session(cancel_code, event_id)),
                             headers=holder.NO_STORE)

    @http("POST", "/api/enrolments/<string:cancel_code>/erase", cors=True,
          summary="Erase your enrolment's data now: every session left cancelled, name and contacts gone",
          answers={200: Answer("erased (twice is harmless)", Erased, headers=openapi.NO_STORE)})
    def erase_enrolment(self, request, cancel_code):
        self.limits.code_use(request)
        return json_response(self.registration.erase_enrolment(cancel_code), headers=holder.NO_STORE)

    @http("GET", "/api/series/<string:series_id>/stats", staff=True,
          summary="A series' counts per session and in total, without personal data (the same after retention)",
          answers={200: Answer("statistics", SeriesStats)})
    def series_stats(self, request, series_id):
        staff = self.auth.require_staff(request)
        return json_response(self.registration.series_stats(series_id, organizer=access.scope(staff)))
