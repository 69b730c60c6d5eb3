"""Entrypoints: the HTTP API of enrolling in a series once for every session, a resident's own
enrolment by its code (one session or all), and a series' statistics. GatewayService inherits them."""


class EnrolmentApi:
    pass
