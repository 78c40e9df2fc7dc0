"""`python -m clipper` is the same command as `clipper`."""

import sys

from clipper.cli import main

sys.exit(main())
