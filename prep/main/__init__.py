"""Home pages and health check."""
