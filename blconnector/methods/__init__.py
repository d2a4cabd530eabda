"""The BaseLinker API methods, one module per area; importing them registers them.

To add an area, write ``blconnector/methods/<area>.py`` with
``@method(...)`` handlers (see ``blconnector.registry``) and import it here.
"""

from blconnector.methods import catalog, connect, couriers, external, orders  # noqa: F401
