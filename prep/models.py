"""Imports every model so the metadata (and Alembic) sees all tables."""

from prep.api.bench import BenchPing  # noqa: F401  (bench/ baseline table)
from prep.auth.models import User  # noqa: F401
from prep.bank.models import Item  # noqa: F401
from prep.exams.models import ApiToken, Attempt, AttemptQuestion, ExamBlueprint, Response  # noqa: F401
from prep.lookup.models import CodeDescriptor, CodeSetMeta  # noqa: F401
