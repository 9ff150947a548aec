"""In a real browser: register, log out, log in, change password; an admin changes a role."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_learner_registers_logs_out_and_in_and_changes_password(page, make_item):
    make_item(id="e2e-anatomy-1", domain="anatomy")
    page.goto("/")
    page.get_by_role("link", name="Create account").first.click()
    page.get_by_label("Your name").fill("Robin Student")
    page.get_by_label("Email").fill("robin@example.com")
    page.get_by_label("Password", exact=True).fill("a long password")
    page.get_by_label("Repeat the password").fill("a long password")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Welcome, Robin Student")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("^Anatomy"))).to_contain_text("1")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Email").fill("robin@example.com")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Email or password is not right.")).to_be_visible()
    page.get_by_label("Password").fill("a long password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Welcome, Robin Student")).to_be_visible()

    page.get_by_role("link", name=re.compile("Robin Student")).click()
    page.get_by_label("Current password").fill("a long password")
    page.get_by_label("New password", exact=True).fill("another long one")
    page.get_by_label("Repeat the new password").fill("another long one")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password has been changed.")).to_be_visible()


def test_admin_promotes_a_learner(page, make_user):
    admin = make_user("admin", email="boss@example.com")
    make_user("learner", email="promote-me@example.com")
    page.goto("/login")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(admin.plain_password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Users").click()
    page.get_by_role("link", name="promote-me@example.com").click()
    page.get_by_label("Role").select_option("instructor")
    page.get_by_role("button", name="Change role").click()
    expect(page.get_by_text("promote-me@example.com is now instructor.")).to_be_visible()


def test_phone_layout_has_a_menu(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto("/")
    nav_login = page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")
    expect(nav_login).to_be_hidden()
    page.get_by_text("Menu").click()
    expect(nav_login).to_be_visible()
    context.close()
