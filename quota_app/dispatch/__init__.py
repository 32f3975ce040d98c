"""The dispatch ledger: half-yearly reports, reminders and alerts, each mail sent exactly once."""
