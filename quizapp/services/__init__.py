"""Services: the rules of records and accounts, called by views, handlers and commands."""
