"""The JSON API used by the exam page and by scripts."""
