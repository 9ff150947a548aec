"""Pages run a bounded number of queries, whatever the number of rows they show (no N+1)."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from prep.extensions import db


@contextmanager
def count_queries(app):
    seen = []
    with app.app_context():
        engine = db.engine

    def before(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "PRAGMA")):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _get(client, app, url):
    with count_queries(app) as seen:
        assert client.get(url).status_code == 200
    return len(seen)


def test_exam_list_queries_do_not_grow_with_attempts(app, client, login_as, exam_bank, make_blueprint):
    from tests.web.test_exams import Api

    exam_bank(id="one", sections=[{"domain": "anatomy", "questions": 1}])
    login_as("learner")
    api = Api(client)
    a = api.start("one").get_json()
    api.submit(a["id"])
    few = _get(client, app, "/exams")
    for _ in range(6):
        a = api.start("one").get_json()
        api.submit(a["id"])
    assert _get(client, app, "/exams") == few


def test_attempt_and_results_pages_do_not_grow_with_questions(app, client, login_as, exam_bank, make_item, make_blueprint):
    from tests.web.test_exams import Api

    exam_bank()
    make_blueprint(id="small", sections=[{"domain": "anatomy", "questions": 1}])
    make_blueprint(id="large", sections=[{"domain": "anatomy", "questions": 4}, {"domain": "terminology", "questions": 3}])
    login_as("learner")
    api = Api(client)
    counts = {}
    for slug in ("small", "large"):
        a = api.start(slug).get_json()
        for pos in range(len(a["questions"])):
            api.save(a["id"], pos, choice=0, flagged=True)
        page = _get(client, app, f"/attempts/{a['id']}")
        submit = _get(client, app, f"/attempts/{a['id']}/submit")
        api.submit(a["id"])
        results = _get(client, app, f"/attempts/{a['id']}/results")
        counts[slug] = (page, submit, results)
    assert counts["small"] == counts["large"]
