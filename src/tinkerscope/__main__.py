"""Allow `python -m tinkerscope`."""

from tinkerscope.cli import main

raise SystemExit(main())
