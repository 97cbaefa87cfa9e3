"""Ray for this directory's tests: a local node on loopback only, and no usage reporting.

Both are read when ``ray`` is first imported, so they are set here, before the test modules
import it. ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`` is Ray's own switch for "no cluster: use the
loopback address" (its default on macOS and Windows); without it a Linux node advertises the
machine's interface address. The ``ray_session`` fixture checks the address it got.
"""

from __future__ import annotations

import os

os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
