"""``python -m ai_hubs_cli ...`` is the same as ``ai-hubs ...``."""

from ai_hubs_cli.app import main

raise SystemExit(main())
