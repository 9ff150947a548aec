"""Instructor pages over the bank."""
