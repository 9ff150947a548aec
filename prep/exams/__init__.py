"""Exam blueprints, assembly and the attempt lifecycle."""
