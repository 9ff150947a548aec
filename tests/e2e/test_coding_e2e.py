"""In a real browser: open a coding scenario, enter codes in the rows, check them, read the feedback."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_coding_scenario_feedback_line_by_line(page, make_user, make_item, make_blueprint):
    make_item(id="case-fx", type="coding", domain="icd-10-cm", stem="**ED visit.** Torus fracture of the right distal radius after a fall from a jungle gym.",
              key={"diagnoses": ["S52.521A", "W09.2XXA"], "procedures": ["25600-RT"]}, rationale="Fracture first, then the external cause.")
    make_blueprint(id="cases", name="Coding cases", mode="practice", sections=[{"domain": "any", "type": "coding", "questions": 1}])
    user = make_user("learner")
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(user.plain_password)
    page.get_by_role("button", name="Log in").click()
    page.goto("/exams")
    page.get_by_role("region", name="Coding cases").get_by_role("button", name=re.compile("Start")).click()
    expect(page.get_by_text("Torus fracture of the right distal radius")).to_be_visible()

    page.get_by_label("Diagnosis 1", exact=True).fill("w09.2xxa")   # out of order
    page.get_by_label("Diagnosis 2", exact=True).fill("s52521a")
    page.get_by_label("Diagnosis 3", exact=True).fill("S52.52")     # incomplete
    page.get_by_role("button", name="Add a diagnosis").click()
    expect(page.get_by_label("Diagnosis 5", exact=True)).to_be_focused()
    page.get_by_label("Procedure 1 code").fill("25600")
    page.get_by_label("Procedure 1 modifiers").fill("LT")
    page.get_by_role("button", name="Check my codes").click()

    feedback = page.locator("#feedback")
    expect(feedback).to_contain_text("Some lines need work.", timeout=30000)  # the first grade may load the ICD-10-CM tables
    rows = feedback.locator("table tbody tr")
    expect(rows.nth(0)).to_contain_text("S52.521A")
    expect(rows.nth(0)).to_contain_text("Out of sequence")
    expect(rows.filter(has_text="25600")).to_contain_text("Wrong modifier")
    expect(rows.filter(has_text="Incomplete code")).to_contain_text("S52.52")
    expect(feedback).to_contain_text("Fracture first, then the external cause.")
    expect(page.get_by_label("Diagnosis 1", exact=True)).to_be_disabled()

    page.reload()  # the graded answer and its feedback are kept
    expect(page.locator("#feedback")).to_contain_text("Out of sequence")
