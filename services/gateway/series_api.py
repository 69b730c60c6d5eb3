"""Entrypoints: the HTTP API of weekly groups (series of sessions) — staff creating and changing a
series (catalog owns it). GatewayService inherits them."""


class SeriesApi:
    pass
