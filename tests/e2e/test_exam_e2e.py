"""In a real browser: a short timed exam from start to the area report, and a deadline that passes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from prep.dbtypes import utcnow
from prep.exams.models import Attempt
from prep.extensions import db

pytestmark = pytest.mark.e2e


def login(page, user):
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(user.plain_password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=re.compile("Welcome"))).to_be_visible()


def test_timed_exam_answer_reload_flag_submit_and_read_the_report(page, make_user, exam_bank):
    exam_bank(id="short-exam", name="Short timed exam")
    user = make_user("learner")
    login(page, user)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Exams").click()
    card = page.get_by_role("region", name="Short timed exam")
    card.get_by_role("button", name="Start").click()
    expect(page.get_by_text("Question 1 of 5")).to_be_visible()
    expect(page.get_by_role("timer")).to_contain_text("0:5")  # 0:59:xx

    page.locator("label.choice").nth(1).click()
    expect(page.locator("#save-status")).to_have_text("Saved")
    page.get_by_label("Flag for review").check()
    expect(page.locator("#save-status")).to_have_text("Saved")
    expect(page.locator('#palette a[data-position="0"]')).to_have_attribute("aria-label", "Question 1, answered, flagged")

    page.reload()  # nothing lost
    expect(page.locator("label.choice").nth(1).locator("input")).to_be_checked()
    expect(page.get_by_label("Flag for review")).to_be_checked()

    page.get_by_role("button", name=re.compile("Save and next")).click()
    expect(page.get_by_text("Question 2 of 5")).to_be_visible()
    page.locator("label.choice").first.click()
    expect(page.locator("#save-status")).to_have_text("Saved")
    page.locator('#palette a[data-position="4"]').click()
    expect(page.get_by_text("Question 5 of 5")).to_be_visible()

    page.get_by_role("link", name="Review and submit").click()
    expect(page.get_by_text("2 of 5 questions answered")).to_be_visible()
    expect(page.get_by_role("heading", name="Flagged for review (1)")).to_be_visible()
    page.get_by_role("button", name="Submit exam").click()

    expect(page.get_by_role("heading", name="Short timed exam: results")).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_role("row").nth(1)).to_contain_text("Anatomy")
    expect(table.get_by_role("row").nth(2)).to_contain_text("Medical Terminology")
    expect(page.get_by_text("Question 1", exact=False).first).to_be_visible()
    expect(page.locator(".review-item").first.locator(".badge.flag")).to_be_visible()
    expect(page.get_by_role("button", name="Retake")).to_be_visible()


def test_the_exam_submits_itself_when_time_runs_out(page, app, make_user, exam_bank):
    exam_bank(id="tight-exam", name="Tight exam", time_limit_minutes=1)
    user = make_user("learner")
    login(page, user)
    page.goto("/exams")
    page.get_by_role("region", name="Tight exam").get_by_role("button", name="Start").click()
    page.locator("label.choice").first.click()
    expect(page.locator("#save-status")).to_have_text("Saved")
    # Bring the deadline close (the server's clock decides), then let the page count down.
    with app.app_context():
        a = db.session.scalar(db.select(Attempt).where(Attempt.user_id == user.id))
        a.deadline = utcnow() + timedelta(seconds=4)
        db.session.commit()
    page.reload()
    expect(page.get_by_role("heading", name="Tight exam: results")).to_be_visible(timeout=20000)
    expect(page.get_by_text("Time ran out: graded on the answers saved before the deadline.")).to_be_visible()
    expect(page.get_by_text("of 5 correct")).to_be_visible()
