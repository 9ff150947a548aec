"""Entry point: ``flask --app app run`` and ``gunicorn app:app``."""

import os

from prep import create_app
from prep.config import Config, ProductionConfig

app = create_app(ProductionConfig if os.environ.get("PREP_ENV") == "production" else Config)
