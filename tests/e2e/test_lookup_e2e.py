"""In a real browser: the code lookup page searches as you type, opens a code's detail (its
7th characters and notes), works from the keyboard, and keeps the search in the address."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def log_in(page, user) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(user.plain_password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_search_open_a_code_and_read_its_seventh_characters(page, make_user):
    log_in(page, make_user("learner"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Code lookup").click()
    expect(page.get_by_role("heading", name="Code lookup", level=1)).to_be_visible()

    page.get_by_label("Code or words").fill("torus fracture radius")
    results = page.locator("#lookup-results")
    # The first lookup of a server process may load the ICD-10-CM tables (a few seconds).
    result = results.get_by_role("button", name=re.compile(r"^S52\.521A "))
    expect(result).to_be_visible(timeout=30000)
    expect(page.locator("#lookup-status")).to_contain_text("results")
    result.click()

    detail = page.locator("#lookup-detail")
    expect(detail.get_by_role("heading", level=2)).to_contain_text("S52.521A")
    expect(detail.get_by_role("heading", level=2)).to_contain_text("Torus fracture of lower end of right radius")
    expect(detail).to_be_focused()
    expect(detail.get_by_text("Reportable", exact=True)).to_be_visible()
    expect(detail.get_by_role("heading", name="7th characters")).to_be_visible()
    sevenths = detail.locator(".lookup-seventh tr")
    expect(sevenths).to_have_count(6)
    expect(detail.locator(".lookup-seventh tr.is-current")).to_contain_text("initial encounter for closed fracture")
    expect(detail.get_by_role("heading", name="Excludes1")).to_be_visible()
    expect(detail).to_contain_text("traumatic amputation of forearm (S58.-)")
    expect(result).to_have_attribute("aria-current", "true")
    assert "code=S52.521A" in page.url and "q=torus+fracture+radius" in page.url

    # A parent in the chain opens its own detail.
    detail.get_by_role("button", name="S52.52", exact=True).click()
    expect(detail.get_by_role("heading", level=2)).to_contain_text("Torus fracture of lower end of radius")
    expect(detail.get_by_text("Not reportable", exact=True)).to_be_visible()

    # Reloading renders the same search and code on the server.
    page.reload()
    expect(page.locator("#lookup-results").get_by_role("link", name=re.compile(r"^S52\.521A "))).to_be_visible()
    expect(page.locator("#lookup-detail").get_by_role("heading", level=2)).to_contain_text("S52.52")


def test_keyboard_prefix_search_and_clear_messages(page, make_user):
    log_in(page, make_user("learner"))
    page.goto("/lookup")
    box = page.get_by_label("Code or words")
    box.fill("s52.5")
    first = page.locator("#lookup-results").get_by_role("button").first
    expect(first).to_contain_text("S52.5", timeout=30000)
    box.press("ArrowDown")
    expect(first).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#lookup-results").get_by_role("button").nth(1)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#lookup-detail").get_by_role("heading", level=2)).to_contain_text("S52.50")
    page.keyboard.press("Escape")
    expect(page.locator("#lookup-results").get_by_role("button").nth(1)).to_be_focused()

    page.get_by_label("Code set").select_option("cpt")
    expect(page.locator("#lookup-status")).to_have_text(
        "No CPT file is loaded: an instructor can import the institution's licensed file with flask codesets import-cpt"
    )
    box.fill("<img src=x onerror=alert(1)>")
    page.get_by_label("Code set").select_option("icd-10-cm")
    expect(page.locator("#lookup-status")).to_contain_text("No ICD-10-CM code matches")
    expect(page.locator("#lookup-panel img")).to_have_count(0)
