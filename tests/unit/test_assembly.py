"""Assembly: per-area draws, reproducible from the seed, fresh items first, clear shortfalls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prep.exams.assembly import BankTooSmall, Candidate, assemble, proportional_sections

POOL = [Candidate(i, "anatomy", 4) for i in range(1, 11)] + [Candidate(i, "terminology", 4) for i in range(11, 16)]
SECTIONS = [{"domain": "terminology", "questions": 2}, {"domain": "anatomy", "questions": 3}]


def test_draws_the_count_of_each_area_in_blueprint_order():
    picks = assemble(SECTIONS, POOL, seed=1)
    assert [p.domain for p in picks] == ["terminology"] * 2 + ["anatomy"] * 3
    assert len({p.item_id for p in picks}) == 5


def test_same_seed_same_exam_different_seed_differs():
    a = assemble(SECTIONS, POOL, seed=42)
    assert a == assemble(SECTIONS, list(reversed(POOL)), seed=42)  # pool order does not matter
    others = {tuple(assemble(SECTIONS, POOL, seed=s)) for s in range(20)}
    assert len(others) > 10


def test_choices_are_shuffled_only_when_asked():
    picks = assemble(SECTIONS, POOL, seed=3, shuffle_choices=False)
    assert all(p.choice_order == (0, 1, 2, 3) for p in picks)
    orders = {p.choice_order for s in range(10) for p in assemble(SECTIONS, POOL, seed=s)}
    assert len(orders) > 5
    assert all(sorted(o) == [0, 1, 2, 3] for o in orders)


def test_unseen_items_come_first_then_the_least_recent():
    now = datetime(2026, 11, 1, tzinfo=UTC)
    seen = {i: now - timedelta(days=i) for i in range(1, 9)}  # anatomy 9 and 10 never seen
    picks = assemble([{"domain": "anatomy", "questions": 3}], POOL, seed=5, last_seen=seen)
    ids = {p.item_id for p in picks}
    assert {9, 10} <= ids
    assert (ids - {9, 10}) == {8}  # seen longest ago


def test_short_bank_names_every_short_area():
    with pytest.raises(BankTooSmall) as exc:
        assemble([{"domain": "anatomy", "questions": 12}, {"domain": "ndc", "questions": 2}, {"domain": "terminology", "questions": 5}], POOL, seed=1)
    short = {(s.domain, s.needed, s.available) for s in exc.value.shortfalls}
    assert short == {("anatomy", 12, 10), ("ndc", 2, 0)}
    assert "anatomy: needs 12, the bank has 10 (2 short)" in str(exc.value)


def test_proportional_sections_keep_cpc_shape():
    from prep.domains import DOMAINS

    cpc = {d.slug: d.cpc_questions for d in DOMAINS if d.cpc_questions}
    mini = proportional_sections(cpc, 25)
    assert sum(s["questions"] for s in mini) == 25
    counts = {s["domain"]: s["questions"] for s in mini}
    assert counts["icd-10-cm"] == 3 and all(n >= 1 for n in counts.values())
    assert proportional_sections(cpc, 100) == [{"domain": d, "questions": n} for d, n in cpc.items()]


@given(seed=st.integers(0, 2**31 - 1), n_anat=st.integers(0, 10), n_term=st.integers(0, 5))
def test_any_draw_is_a_valid_exam(seed, n_anat, n_term):
    sections = [s for s in ({"domain": "anatomy", "questions": n_anat}, {"domain": "terminology", "questions": n_term}) if s["questions"]]
    if not sections:
        return
    picks = assemble(sections, POOL, seed)
    assert len(picks) == n_anat + n_term
    assert len({p.item_id for p in picks}) == len(picks)
