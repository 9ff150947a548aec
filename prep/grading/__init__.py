"""Grading: pure functions, no Flask and no database."""
