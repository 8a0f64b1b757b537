"""`python -m chaintui` runs the command line."""

from chaintui.cli import main

raise SystemExit(main())
