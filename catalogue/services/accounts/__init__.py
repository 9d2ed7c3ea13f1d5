"""Staff and researcher accounts: users, passwords, API tokens, signing in to the pages."""
