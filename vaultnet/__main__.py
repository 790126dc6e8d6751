"""``python -m vaultnet``: the same command as ``vaultnet``."""

import sys

from .cli import main

sys.exit(main())
