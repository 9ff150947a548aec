"""The exam lifecycle through the JSON API and the pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from prep.exams.models import Attempt, Response
from prep.extensions import db
from tests.conftest import csrf_from

# Frozen times lie after the real login time: a session cookie signed "in the future" is refused.
T0 = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)


class Api:
    """A learner's JSON client: session cookie plus the CSRF header, like the exam page."""

    def __init__(self, client):
        self.client = client
        self.token = csrf_from(client.get("/").get_data(as_text=True))

    def _h(self):
        return {"X-CSRFToken": self.token, "Accept": "application/json"}

    def start(self, blueprint):
        return self.client.post("/api/attempts", json={"blueprint": blueprint}, headers=self._h())

    def get(self, attempt_id):
        return self.client.get(f"/api/attempts/{attempt_id}", headers=self._h())

    def save(self, attempt_id, position, **body):
        return self.client.put(f"/api/attempts/{attempt_id}/questions/{position}", json=body, headers=self._h())

    def submit(self, attempt_id):
        return self.client.post(f"/api/attempts/{attempt_id}/submit", headers=self._h())

    def results(self, attempt_id):
        return self.client.get(f"/api/attempts/{attempt_id}/results", headers=self._h())


@pytest.fixture
def api(client, login_as):
    login_as("learner")
    return Api(client)


def correct_choice(app, attempt_id, position):
    """The displayed position of the right answer (read from the database, as a grader would)."""
    from prep.exams.models import AttemptQuestion
    from prep.exams.operations import displayed_answer

    with app.app_context():
        q = db.session.scalar(db.select(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt_id, AttemptQuestion.position == position))
        return displayed_answer(q)


KEY_WORDS = ("correct", "why", "rationale", "Rationale for", "Yes.", "No A.")


def assert_no_key(body: dict):
    text = str(body)
    for q in body["questions"]:
        assert set(q) == {"position", "number", "domain", "domain_name", "type", "stem", "choices", "answer", "flagged"}
        for c in q["choices"]:
            assert set(c) == {"id", "label", "text"}
    for word in ("Rationale for", "'why'", "'correct'", "No A.", "No B."):
        assert word not in text


def test_start_freezes_questions_and_never_shows_the_key(app, api, exam_bank):
    exam_bank(id="mini")
    with freeze_time(T0):
        r = api.start("mini")
    assert r.status_code == 201
    body = r.get_json()
    assert body["resumed"] is False and body["status"] == "open"
    assert [q["domain"] for q in body["questions"]] == ["anatomy"] * 3 + ["terminology"] * 2
    assert body["remaining_seconds"] == 3600.0 and body["deadline"] == (T0 + timedelta(hours=1)).isoformat()
    assert_no_key(body)
    with freeze_time(T0 + timedelta(minutes=10)):
        again = api.get(body["id"]).get_json()
    assert again["remaining_seconds"] == 3000.0
    assert [q["stem"] for q in again["questions"]] == [q["stem"] for q in body["questions"]]
    assert [[c["text"] for c in q["choices"]] for q in again["questions"]] == [[c["text"] for c in q["choices"]] for q in body["questions"]]
    assert_no_key(again)
    page = api.client.get(f"/attempts/{body['id']}").get_data(as_text=True)
    assert "Rationale for" not in page and "No A." not in page


def test_starting_again_resumes_the_open_timed_attempt(app, api, exam_bank):
    exam_bank(id="mini")
    first = api.start("mini").get_json()
    second = api.start("mini")
    assert second.status_code == 200 and second.get_json()["resumed"] is True
    assert second.get_json()["id"] == first["id"]


def test_one_open_timed_attempt_is_held_by_the_database(app, api, exam_bank):
    from sqlalchemy.exc import IntegrityError

    exam_bank(id="mini")
    first = api.start("mini").get_json()
    with app.app_context():
        a = db.session.get(Attempt, first["id"])
        clone = Attempt(user_id=a.user_id, blueprint_id=a.blueprint_id, blueprint_version=1, mode="timed", status="open",
                        seed=1, started_at=a.started_at, pass_percent=70, review="after_submit")
        db.session.add(clone)
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_short_bank_is_refused_before_starting(app, api, exam_bank, make_blueprint):
    exam_bank()
    make_blueprint(id="too-big", sections=[{"domain": "anatomy", "questions": 9}, {"domain": "ndc", "questions": 2}])
    r = api.start("too-big")
    assert r.status_code == 409
    body = r.get_json()
    assert "anatomy: needs 9, the bank has 4 (5 short)" in body["message"]
    assert {(s["domain"], s["missing"] if "missing" in s else s["needed"] - s["available"]) for s in body["shortfalls"]} == {("anatomy", 5), ("ndc", 2)}
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Attempt)) == 0
    page = api.client.get("/exams").get_data(as_text=True)
    assert "Not enough questions in the bank yet" in page and "NDC needs 2, has 0" in page


def test_answers_and_flags_are_saved_and_survive_a_restart(app, api, exam_bank, database_url):
    exam_bank(id="mini")
    a = api.start("mini").get_json()
    assert api.save(a["id"], 0, choice=2).status_code == 200
    assert api.save(a["id"], 1, flagged=True).status_code == 200
    r = api.save(a["id"], 0, flagged=True)  # a flag-only save keeps the answer
    assert r.get_json()["choice"] == 2 and r.get_json()["flagged"] is True
    # A new app process on the same database (a server restart) sees everything.
    from prep import create_app
    from prep.config import TestConfig

    restarted = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url, instance_path=app.instance_path)
    client2 = restarted.test_client()
    client2.set_cookie("session", api.client.get_cookie("session").value)
    state = client2.get(f"/api/attempts/{a['id']}").get_json()
    assert [(q["answer"], q["flagged"]) for q in state["questions"][:3]] == [(2, True), (None, True), (None, False)]
    with restarted.app_context():
        row = db.session.scalar(db.select(Response).where(Response.attempt_id == a["id"], Response.answer.is_not(None)))
        assert row.answer["choice"] == 2 and row.answered_at is not None  # the raw answer and when
        db.session.remove()
        db.engine.dispose()


def test_clearing_an_answer(app, api, exam_bank):
    exam_bank(id="mini")
    a = api.start("mini").get_json()
    api.save(a["id"], 0, choice=1)
    assert api.save(a["id"], 0, choice=None).get_json()["choice"] is None
    assert api.get(a["id"]).get_json()["questions"][0]["answer"] is None


@pytest.mark.parametrize(
    "path,body,status,message",
    [
        ("/questions/0", {"choice": 7}, 400, "has no choice 7"),
        ("/questions/0", {"choice": "A"}, 400, "has no choice 'A'"),
        ("/questions/0", {"choice": True}, 400, "has no choice True"),
        ("/questions/0", {"flagged": "yes"}, 400, "flagged must be true or false"),
        ("/questions/0", {"answer": 1}, 400, "Unknown field(s): answer"),
        ("/questions/0", {}, 400, "Send a choice, a flag, or both"),
        ("/questions/99", {"choice": 0}, 400, "has no question 100"),
    ],
)
def test_bad_saves_are_refused_and_change_nothing(app, api, exam_bank, path, body, status, message):
    exam_bank(id="mini")
    a = api.start("mini").get_json()
    api.save(a["id"], 0, choice=1)
    r = api.client.put(f"/api/attempts/{a['id']}{path}", json=body, headers=api._h())
    assert r.status_code == status
    assert message in r.get_json()["message"]
    assert api.get(a["id"]).get_json()["questions"][0]["answer"] == 1


def test_malformed_and_oversized_bodies(app, api, exam_bank):
    exam_bank(id="mini")
    a = api.start("mini").get_json()
    h = dict(api._h(), **{"Content-Type": "application/json"})
    r = api.client.put(f"/api/attempts/{a['id']}/questions/0", data="{not json", headers=h)
    assert r.status_code == 400 and "not valid JSON" in r.get_json()["message"]
    r = api.client.put(f"/api/attempts/{a['id']}/questions/0", data="[1, 2]", headers=h)
    assert r.status_code == 400 and "JSON object" in r.get_json()["message"]
    r = api.client.put(f"/api/attempts/{a['id']}/questions/0", data='{"choice": 1, "pad": "' + "x" * 20000 + '"}', headers=h)
    assert r.status_code == 413
    r = api.client.post("/api/attempts", json={"blueprint": "nope"}, headers=h)
    assert r.status_code == 404 and "no published exam 'nope'" in r.get_json()["message"]


def test_json_writes_need_the_csrf_header(app, api, exam_bank):
    exam_bank(id="mini")
    a = api.start("mini").get_json()
    r = api.client.put(f"/api/attempts/{a['id']}/questions/0", json={"choice": 1})
    assert r.status_code == 400 and r.get_json()["error"] == "csrf"
    r = api.client.put(f"/api/attempts/{a['id']}/questions/0", json={"choice": 1}, headers={"X-CSRFToken": "forged"})
    assert r.status_code == 400
    assert api.get(a["id"]).get_json()["questions"][0]["answer"] is None


def test_other_learners_attempts_are_404(app, client, api, exam_bank, make_user, auth):
    exam_bank(id="mini")
    mine = api.start("mini").get_json()
    api.save(mine["id"], 0, choice=1)
    auth.logout()
    other = make_user("learner")
    auth.login(other.email, other.plain_password)
    spy = Api(client)
    for r in (spy.get(mine["id"]), spy.save(mine["id"], 0, choice=2), spy.submit(mine["id"]), spy.results(mine["id"])):
        assert r.status_code == 404
        assert "Anatomy question" not in r.get_data(as_text=True)
    for url in (f"/attempts/{mine['id']}", f"/attempts/{mine['id']}/results", f"/attempts/{mine['id']}/submit"):
        assert client.get(url).status_code == 404
    assert spy.get(999999).status_code == 404


def test_deadline_refuses_saves_with_409_and_grades_what_was_saved(app, api, exam_bank):
    exam_bank(id="mini")
    with freeze_time(T0):
        a = api.start("mini").get_json()
        right = correct_choice(app, a["id"], 0)
        api.save(a["id"], 0, choice=right)
    with freeze_time(T0 + timedelta(minutes=60, seconds=3)):  # within the grace: a save in flight
        assert api.save(a["id"], 1, choice=correct_choice(app, a["id"], 1)).status_code == 200
    with freeze_time(T0 + timedelta(minutes=60, seconds=10)):
        r = api.save(a["id"], 2, choice=correct_choice(app, a["id"], 2))
        assert r.status_code == 409
        assert "Time is up" in r.get_json()["message"]
        res = api.results(a["id"]).get_json()
    assert res["status"] == "expired"
    assert (res["correct"], res["total"], res["percent"], res["passed"]) == (2, 5, 40.0, False)
    assert res["time_used_seconds"] == 3600


def test_abandoned_attempt_is_finalised_on_next_visit(app, api, exam_bank):
    exam_bank(id="mini")
    with freeze_time(T0):
        a = api.start("mini").get_json()
        api.save(a["id"], 0, choice=correct_choice(app, a["id"], 0))
    with freeze_time(T0 + timedelta(hours=5)):
        page = api.client.get("/exams").get_data(as_text=True)
        assert "Time ran out" in page
    with app.app_context():
        assert db.session.get(Attempt, a["id"]).status == "expired"
        assert db.session.get(Attempt, a["id"]).correct == 1


def test_expire_command_finalises_overdue_attempts(app, api, exam_bank, runner):
    exam_bank(id="mini")
    with freeze_time(T0):
        a = api.start("mini").get_json()
    with freeze_time(T0 + timedelta(minutes=30)):
        assert "Finalised 0 overdue attempt(s)." in runner.invoke(args=["exams", "expire"]).output
    with freeze_time(T0 + timedelta(minutes=61)):
        assert "Finalised 1 overdue attempt(s)." in runner.invoke(args=["exams", "expire"]).output
    with app.app_context():
        assert db.session.get(Attempt, a["id"]).status == "expired"


def test_submitting_twice_or_from_two_tabs_grades_once(app, api, exam_bank, client):
    exam_bank(id="mini")
    with freeze_time(T0):
        a = api.start("mini").get_json()
        api.save(a["id"], 0, choice=correct_choice(app, a["id"], 0))
    with freeze_time(T0 + timedelta(minutes=20)):
        first = api.submit(a["id"]).get_json()
    tab2 = Api(client)
    with freeze_time(T0 + timedelta(minutes=25)):
        second = tab2.submit(a["id"]).get_json()
        assert api.save(a["id"], 1, choice=0).status_code == 409
    with freeze_time(T0 + timedelta(hours=3)):
        third = api.submit(a["id"]).get_json()
    for later in (second, third):
        assert (later["status"], later["finished_at"], later["correct"]) == ("submitted", first["finished_at"], 1)
    assert first["time_used_seconds"] == 20 * 60


def test_results_by_area_and_review_after_submit(app, api, exam_bank):
    exam_bank(id="mini")
    a = api.start("mini").get_json()
    for pos in range(5):
        choice = correct_choice(app, a["id"], pos)
        api.save(a["id"], pos, choice=choice if pos in (0, 1, 3) else (choice + 1) % 2)
    api.save(a["id"], 4, flagged=True)
    res = api.submit(a["id"]).get_json()
    assert [(x["domain"], x["correct"], x["total"]) for x in res["areas"]] == [("anatomy", 2, 3), ("terminology", 1, 2)]
    assert res["passed"] is False and res["percent"] == 60.0
    assert res["review_available"] is True
    review = res["review"]
    assert [q["correct"] for q in review] == [True, True, False, True, False]
    assert review[4]["flagged"] is True
    assert review[0]["rationale"].startswith("<p>Rationale for")
    assert all(c["why"] for c in review[0]["choices"])
    page = api.client.get(f"/attempts/{a['id']}/results").get_data(as_text=True)
    assert "Rationale for" in page and "Below the pass mark" in page and "Retake" in page


def test_review_policy_never_and_after_window(app, api, exam_bank, make_blueprint):
    exam_bank(id="closed", review="never")
    make_blueprint(id="window", review="after_window", window_closes=(T0 + timedelta(days=5)).isoformat(),
                   sections=[{"domain": "anatomy", "questions": 2}])
    for slug in ("closed", "window"):
        with freeze_time(T0):
            a = api.start(slug).get_json()
            api.save(a["id"], 0, choice=0)
            res = api.submit(a["id"]).get_json()
            assert res["review_available"] is False and "review" not in res
            page = api.client.get(f"/attempts/{a['id']}/results").get_data(as_text=True)
            assert "Rationale for" not in page and "No A." not in page
    with freeze_time(T0 + timedelta(days=6)):
        res = api.results(a["id"]).get_json()
        assert res["review_available"] is True and len(res["review"]) == 2


def test_practice_mode_gives_feedback_at_once_and_the_first_answer_is_final(app, api, exam_bank, make_blueprint):
    exam_bank()
    make_blueprint(id="drill", mode="practice", sections=[{"domain": "terminology", "questions": 2}])
    a = api.start("drill").get_json()
    assert a["remaining_seconds"] is None and a["deadline"] is None
    assert_no_key(a)
    right = correct_choice(app, a["id"], 0)
    r = api.save(a["id"], 0, choice=right).get_json()
    assert r["feedback"]["correct"] is True and r["feedback"]["answer"] == right
    assert "Rationale for terminology" in r["feedback"]["rationale"]
    assert api.save(a["id"], 0, choice=1 - right).status_code == 409
    state = api.get(a["id"]).get_json()
    assert state["questions"][0]["feedback"]["correct"] is True
    assert "feedback" not in state["questions"][1]
    # Leave and come back days later: still open, untimed.
    with freeze_time(datetime.now(UTC) + timedelta(days=3)):
        assert api.get(a["id"]).get_json()["status"] == "open"


def test_retake_prefers_questions_not_seen(app, api, exam_bank):
    exam_bank(id="mini", sections=[{"domain": "anatomy", "questions": 2}])
    first = api.start("mini").get_json()
    api.submit(first["id"])
    second = api.start("mini").get_json()
    assert second["id"] != first["id"]
    assert not {q["stem"] for q in first["questions"]} & {q["stem"] for q in second["questions"]}


def test_plain_form_fallback_saves_and_navigates(app, client, api, exam_bank):
    exam_bank(id="mini")
    page = client.post("/exams/mini/start", data={"csrf_token": api.token})
    assert page.status_code == 302
    attempt_url = page.headers["Location"]
    attempt_id = int(re.search(r"/attempts/(\d+)", attempt_url).group(1))
    html = client.get(attempt_url).get_data(as_text=True)
    assert "Question 1 of 5" in html
    r = client.post(f"/attempts/{attempt_id}/answer", data={"csrf_token": api.token, "position": "0", "choice": "2", "flagged": "1", "nav": "next"})
    assert r.status_code == 302 and r.headers["Location"].endswith("q=1")
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Question 2 of 5" in html
    assert 'aria-label="Question 1, answered, flagged"' in html
    r = client.post(f"/attempts/{attempt_id}/answer", data={"csrf_token": api.token, "position": "1", "choice": "9"})
    assert "has no choice 9" in client.get(r.headers["Location"]).get_data(as_text=True)
    html = client.get(f"/attempts/{attempt_id}/submit").get_data(as_text=True)
    assert "1 of 5 questions answered" in html and "Flagged for review (1)" in html
    r = client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": api.token})
    assert r.headers["Location"].endswith(f"/attempts/{attempt_id}/results")
    assert client.get(f"/attempts/{attempt_id}").headers["Location"].endswith("/results")


def test_personal_api_token(app, client, api, exam_bank):
    exam_bank(id="mini")
    html = client.post("/account/tokens", data={"csrf_token": api.token, "label": "my script"}).get_data(as_text=True)
    token = re.search(r'data-testid="new-token">([^<]+)<', html).group(1)
    script = app.test_client()  # no cookies, no CSRF token
    h = {"Authorization": f"Bearer {token}"}
    r = script.post("/api/attempts", json={"blueprint": "mini"}, headers=h)
    assert r.status_code == 201
    assert script.put(f"/api/attempts/{r.get_json()['id']}/questions/0", json={"choice": 1}, headers=h).status_code == 200
    assert script.get("/api/attempts", headers={"Authorization": "Bearer cr_wrong"}).status_code == 401
    assert script.get("/admin/users", headers=h).status_code == 302  # tokens only open the API


CODING_KEY = {"diagnoses": ["E11.22", "N18.31", "Z79.4"], "procedures": ["99214-25", "J3301 x4"]}


@pytest.fixture
def coding_bank(make_item, make_blueprint):
    make_item(id="case-dm", type="coding", domain="icd-10-cm", key=CODING_KEY, stem="Office visit: diabetes with CKD.",
              rationale="Diabetes with the CKD combination code first.")
    make_item(id="case-htn", type="coding", domain="icd-10-cm", key={"diagnoses": ["I10"]}, stem="Office visit: hypertension.",
              rationale="Essential hypertension.")
    make_blueprint(id="cases", mode="practice", sections=[{"domain": "any", "type": "coding", "questions": 2}])
    make_blueprint(id="cases-timed", mode="timed", sections=[{"domain": "icd-10-cm", "type": "coding", "questions": 2}])


def _position_of(state, stem_start):
    return next(q["position"] for q in state["questions"] if q["stem"].startswith(f"<p>{stem_start}"))


def test_coding_practice_grades_each_line_at_once(app, api, coding_bank):
    a = api.start("cases").get_json()
    assert all(q["type"] == "coding" and q["choices"] == [] for q in a["questions"])
    assert "E11.22" not in str(a)  # no key before answering
    pos = _position_of(a, "Office visit: diabetes")
    r = api.save(a["id"], pos, codes={"diagnoses": ["N18.31", "e1122", "Z79.4", "E11"], "procedures": ["99214", "J3301 x4"]})
    assert r.status_code == 200, r.get_json()
    fb = r.get_json()["feedback"]
    assert fb["kind"] == "coding" and fb["correct"] is False
    statuses = {line["code"]: line["status"] for line in fb["lines"]}
    assert statuses["E11.22"] == "out_of_sequence"
    assert statuses["99214"] == "wrong_modifier" or statuses.get("99214-25") == "wrong_modifier"
    assert statuses["E11"] == "incomplete"
    assert 0 < fb["score"] < 1
    assert fb["key"] == {"diagnoses": ["E11.22", "N18.31", "Z79.4"], "procedures": ["99214-25", "J3301 x4"]}
    # The first answer is final in practice.
    assert api.save(a["id"], pos, codes={"diagnoses": ["E11.22"]}).status_code == 409


def test_coding_in_a_timed_exam_earns_partial_credit(app, api, coding_bank):
    a = api.start("cases-timed").get_json()
    dm = _position_of(a, "Office visit: diabetes")
    htn = _position_of(a, "Office visit: hypertension")
    r = api.save(a["id"], dm, codes="E11.22, N18.31, Z79.4\n99214-25 J3301 x4")
    assert r.status_code == 200 and "feedback" not in r.get_json()  # no key during a timed exam
    assert api.save(a["id"], htn, codes={"diagnoses": ["I12.9"], "procedures": []}).status_code == 200
    res = api.submit(a["id"]).get_json()
    assert res["correct"] == 1.0 and res["total"] == 2 and res["percent"] == 50.0
    review = {q["number"] - 1: q for q in res["review"]}
    assert review[dm]["correct"] is True and review[dm]["score"] == 1.0
    htn_lines = {line["status"] for line in review[htn]["lines"]}
    assert htn_lines == {"missing", "extra"}  # I10 missing; I12.9 unsupported
    page = api.client.get(f"/attempts/{a['id']}/results").get_data(as_text=True)
    assert "Missing" in page and "I12.9" in page


@pytest.mark.parametrize(
    "codes,message",
    [
        ({"diagnoses": "I10"}, "diagnoses must be a list of codes"),
        ({"diagnoses": ["I10"], "extra": []}, "send codes as"),
        ({"diagnoses": ["X" * 41]}, "longer than 40 characters"),
        ({"diagnoses": ["I10"] * 31}, "at most 30 diagnoses"),
        ("I10 " * 600, "at most 2000 characters"),
    ],
)
def test_bad_coding_answers_are_refused(app, api, coding_bank, codes, message):
    a = api.start("cases-timed").get_json()
    r = api.save(a["id"], 0, codes=codes)
    assert r.status_code == 400 and message in r.get_json()["message"]


def test_choice_for_a_coding_question_is_refused(app, api, coding_bank):
    a = api.start("cases-timed").get_json()
    r = api.save(a["id"], 0, choice=1)
    assert r.status_code == 400 and "coding scenario: send codes" in r.get_json()["message"]


def test_coding_form_fallback(app, client, api, coding_bank):
    a = api.start("cases-timed").get_json()
    htn = _position_of(a, "Office visit: hypertension")
    r = client.post(f"/attempts/{a['id']}/answer", data={
        "csrf_token": api.token, "position": str(htn), "dx": ["i10", ""], "px_code": ["99213", ""], "px_mod": ["25", ""],
        "px_units": ["", ""], "nav": "stay"})
    assert r.status_code == 302
    state = api.get(a["id"]).get_json()
    assert state["questions"][htn]["answer"] == {"diagnoses": ["i10"], "procedures": ["99213-25"]}
    html = client.get(f"/attempts/{a['id']}?q={htn}").get_data(as_text=True)
    assert 'value="i10"' in html and 'value="99213"' in html and 'value="25"' in html
