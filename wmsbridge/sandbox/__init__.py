"""A faithful local fake of the Ongoing WMS Goods Owner REST API (stdlib only, no Django).

Used by tests, benchmarks and the demo::

    from wmsbridge.sandbox import SandboxServer

    with SandboxServer(port=0, warehouse="sandbox") as sandbox:
        sandbox.add_user("demo", "demo", [1])        # goods owner 1 is created on the fly
        base_url = sandbox.base_url                  # http://127.0.0.1:PORT/sandbox/
        ...
"""

from .faults import FAULT_KINDS, FaultConfig
from .server import CONTROL_HELP, SandboxServer
from .state import SandboxError, SandboxSettings, SandboxState

__all__ = [
    "CONTROL_HELP",
    "FAULT_KINDS",
    "FaultConfig",
    "SandboxError",
    "SandboxServer",
    "SandboxSettings",
    "SandboxState",
]
