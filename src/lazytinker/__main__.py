"""Allow `python -m lazytinker`."""

from lazytinker.cli import main

raise SystemExit(main())
