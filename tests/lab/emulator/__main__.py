"""python3 -m emulator ... (with tests/lab on sys.path) is fleet.py's command line."""

import sys

from .fleet import main

sys.exit(main())
