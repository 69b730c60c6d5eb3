"""nameko's RPC entrypoint, told that our own errors are answers, not failures: they travel back
to the caller intact and are logged as expected rather than as crashes."""
from nameko.rpc import rpc as nameko_rpc

from shared.errors import YhdessaError


def rpc(method):
    return nameko_rpc(expected_exceptions=(YhdessaError,))(method)
