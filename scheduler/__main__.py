"""python -m scheduler: run the scheduler process."""

import sys

from scheduler.runner import main

sys.exit(main())
