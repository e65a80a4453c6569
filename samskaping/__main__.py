"""Entry point for ``python -m samskaping``."""

import sys

from samskaping.cli import main

sys.exit(main())
