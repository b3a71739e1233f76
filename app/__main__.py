"""``python -m app`` opens the desktop client; with arguments it is the command line."""

import sys

from app.bootstrap import main

sys.exit(main())
