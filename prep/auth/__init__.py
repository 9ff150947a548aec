"""Accounts, login and roles."""
