"""User accounts, kept by administrators: the pages, the sign-in links that let users choose a password, `quota users`."""
