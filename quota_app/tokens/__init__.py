"""Personal API tokens: created (shown once) and revoked in the browser, stored hashed."""
