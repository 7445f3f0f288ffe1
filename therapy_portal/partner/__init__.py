"""Pages a partner (client) sees."""
