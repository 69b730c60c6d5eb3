"""The gateway's listening socket: its own, or the one the launcher shares among its copies.

Copies of the gateway started together by `make run` (SERVICE_COPIES) accept on one socket that
the launcher opened and handed down (its descriptor number in GATEWAY_LISTEN_FD): whichever copy
is free takes the next connection, connections wait in the backlog while a crashed copy restarts,
and the port is held for as long as the launcher runs. Nothing here sets SO_REUSEPORT: with it
(eventlet.listen's default) a second, unrelated `make run` on the same port would silently have
taken half the connections; without it, it is refused with EADDRINUSE.
"""
import errno
import os
import socket

import eventlet
from eventlet.green import socket as green_socket

# Set by the launcher (services/run.py) for the gateway processes it starts; not a setting.
INHERITED_FD = "GATEWAY_LISTEN_FD"


class PortInUse(Exception):
    """GATEWAY_HOST:GATEWAY_PORT is taken (say, by another `make run`)."""


def _in_use(host, port, exc):
    return PortInUse(f"{host}:{port} is in use by another process (another `make run`?): stop it or set "
                     "GATEWAY_PORT")


def open_listener(host, port, backlog):
    """A listening socket on host:port for the launcher to hand down, SO_REUSEADDR but never
    SO_REUSEPORT; PortInUse when another process holds the port."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                         flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    try:
        # lets a restart bind while connections of the last run linger in TIME_WAIT; it does not
        # let two live listeners share the port (that is SO_REUSEPORT)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(backlog)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise _in_use(host, port, exc) from exc
        raise
    return sock


def listener(bind_addr, backlog, environ=None):
    """The green socket this gateway process accepts on: the launcher's (GATEWAY_LISTEN_FD) when
    it was started as one of its copies, else one of its own on `bind_addr`."""
    environ = os.environ if environ is None else environ
    inherited = environ.get(INHERITED_FD)
    if inherited:
        sock = green_socket.socket(fileno=int(inherited))
    else:
        try:
            sock = eventlet.listen(bind_addr, backlog=backlog, reuse_port=False)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise _in_use(*bind_addr, exc) from exc
            raise
    sock.settimeout(None)  # as nameko does (kombu issue 838)
    return sock
