"""The benchmark baseline: an endpoint that only inserts a row, through the same stack
(token auth, access hook, CSRF check, one commit) as an autosave. Registered only when
``BENCH_ENDPOINTS`` is on (``PREP_BENCH=1``), never in a normal deployment.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, jsonify
from flask_login import current_user
from sqlalchemy.orm import Mapped, mapped_column

from prep.auth.access import login_required
from prep.dbtypes import UTCDateTime, utcnow
from prep.extensions import csrf, db


class BenchPing(db.Model):
    __tablename__ = "bench_pings"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


bp = Blueprint("bench", __name__, url_prefix="/api/bench")
csrf.exempt(bp)


@bp.route("/ping", methods=["POST"])
@login_required
def ping():
    """Insert one row and commit: the floor an autosave is measured against."""
    db.session.add(BenchPing(user_id=current_user.id, created_at=utcnow()))
    db.session.commit()
    return jsonify(saved=True)
