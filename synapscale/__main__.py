"""`python -m synapscale` is the `synapscale` command."""

import sys

from synapscale.cli import main

sys.exit(main())
