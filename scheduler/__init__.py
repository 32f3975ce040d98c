"""The scheduler process: APScheduler jobs that run outside the web workers."""
