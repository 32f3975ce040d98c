"""python -m scheduler: run the scheduler process."""

from scheduler.runner import main

main()
