"""Local server that speaks the dialects of Electron Hub, ChainHub, API Hub and TokenHub.

``with hub_emulator.serve() as emu:`` runs it in a background thread; ``emu.base_url(hub)``,
``emu.admin`` (accounts, ledger, faults). Imports no client code (a test double).
"""

from .app import EmulatorApp, create_app
from .routes import Ctx, HTTPError, Out, register
from .server import AdminClient, AdminError, Emulator, serve

__all__ = ["AdminClient", "AdminError", "Ctx", "Emulator", "EmulatorApp", "HTTPError", "Out",
           "create_app", "register", "serve"]
