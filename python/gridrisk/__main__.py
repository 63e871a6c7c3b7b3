"""``python -m gridrisk`` is the ``gridrisk`` command."""

import sys

from gridrisk.cli import main

sys.exit(main())
