"""Administration of departments (mayors, HR contacts) and placement types."""
