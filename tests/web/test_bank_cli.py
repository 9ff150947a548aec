"""`flask bank validate|import|export`: one transaction, clear errors, exact round trip."""

from __future__ import annotations

import textwrap
from pathlib import Path

import yaml

from prep.bank.format import load_paths
from prep.bank.models import Item
from prep.extensions import db

BANK = Path(__file__).resolve().parents[2] / "question_bank"
SHIPPED = BANK / "items"

TWO_ITEMS = textwrap.dedent(
    """\
    format: 1
    items:
      - id: anat-femur-001
        type: mcq
        domain: anatomy
        difficulty: 1
        stem: Which bone is the longest in the body?
        choices:
          - {text: Femur, correct: true, why: It is.}
          - {text: Tibia, correct: false, why: Shorter than the femur.}
        rationale: The femur is the longest bone.
      - id: icd-fracture-001
        type: coding
        domain: icd-10-cm
        difficulty: 2
        stem: Emergency visit, closed torus fracture of the lower end of the right radius after a fall.
        key:
          diagnoses: [S52.521A, W19.XXXA]
          procedures: ["25600-RT"]
          accept: {W19.XXXA: [W18.30XA]}
          optional: [Y92.009]
        rationale: The fracture first, then the external cause.
    """
)


def write(tmp_path: Path, text: str = TWO_ITEMS, name: str = "bank.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def item_count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(Item))


def test_validate_reports_ok(runner, tmp_path):
    result = runner.invoke(args=["bank", "validate", str(write(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "OK: 2 item(s) and 0 blueprint(s) valid." in result.output


def test_import_is_idempotent_and_versions_changes(runner, app, tmp_path):
    path = write(tmp_path)
    result = runner.invoke(args=["bank", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 created, 0 updated, 0 unchanged" in result.output
    result = runner.invoke(args=["bank", "import", str(path)])
    assert "0 created, 0 updated, 2 unchanged" in result.output
    path.write_text(TWO_ITEMS.replace("longest bone.", "longest bone in the body."))
    result = runner.invoke(args=["bank", "import", str(path)])
    assert "0 created, 1 updated, 1 unchanged" in result.output
    with app.app_context():
        row = db.session.scalar(db.select(Item).where(Item.slug == "anat-femur-001"))
        assert row.version == 2 and row.rationale == "The femur is the longest bone in the body."
        assert db.session.scalar(db.select(Item).where(Item.slug == "icd-fracture-001")).key["diagnoses"] == ["S52.521A", "W19.XXXA"]


def test_one_bad_item_rejects_the_whole_import(runner, app, tmp_path):
    good = write(tmp_path, name="a.yaml")
    bad_text = TWO_ITEMS.replace("anat-femur-001", "anat-femur-002").replace("icd-fracture-001", "icd-fracture-002")
    bad_text = bad_text.replace("correct: false", "correct: true")
    write(tmp_path, bad_text, name="b.yaml")
    result = runner.invoke(args=["bank", "import", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path / 'b.yaml'}:10: an MCQ needs exactly one correct choice" in result.output
    assert "nothing was written" in result.output
    assert item_count(app) == 0
    assert runner.invoke(args=["bank", "import", str(good)]).exit_code == 0
    assert item_count(app) == 2


def test_key_codes_are_checked_against_the_code_sets(runner, app, tmp_path):
    text = TWO_ITEMS.replace("[S52.521A, W19.XXXA]", "[S52.521, Z99.999, W19.XXXA]")
    result = runner.invoke(args=["bank", "import", str(write(tmp_path, text))])
    assert result.exit_code == 1
    out = result.output
    assert "bank.yaml:18: key diagnosis 'S52.521'" in out and "7th character" in out
    assert "key diagnosis 'Z99.999'" in out
    assert item_count(app) == 0


def test_non_reportable_category_and_bad_procedure_line(runner, tmp_path):
    text = TWO_ITEMS.replace("[S52.521A, W19.XXXA]", "[E11, W19.XXXA]").replace('["25600-RT"]', '["25600-RT-59-LT-XS-76"]')
    result = runner.invoke(args=["bank", "validate", str(write(tmp_path, text))])
    assert result.exit_code == 1
    assert "key diagnosis 'E11'" in result.output
    assert "key procedure '25600-RT-59-LT-XS-76'" in result.output


def test_accept_must_name_a_key_code(runner, tmp_path):
    text = TWO_ITEMS.replace("accept: {W19.XXXA: [W18.30XA]}", "accept: {I10: [I11.9]}")
    result = runner.invoke(args=["bank", "validate", str(write(tmp_path, text))])
    assert result.exit_code == 1
    assert "accept: 'I10' is not one of the key's codes" in result.output


def test_export_round_trips_exactly(runner, app, tmp_path):
    runner.invoke(args=["bank", "import", str(write(tmp_path))])
    out_dir = tmp_path / "export"
    result = runner.invoke(args=["bank", "export", str(out_dir)])
    assert result.exit_code == 0 and "Wrote 2 item(s) and 0 blueprint(s) to 2 file(s)" in result.output
    assert sorted(p.name for p in out_dir.iterdir()) == ["anatomy.yaml", "icd-10-cm.yaml"]
    original = {i.data["id"]: i.data for i in load_paths([tmp_path / "bank.yaml"]).items}
    exported = {i.data["id"]: i.data for i in load_paths([out_dir]).items}
    assert exported == original
    single = tmp_path / "all.json"
    assert runner.invoke(args=["bank", "export", str(single)]).exit_code == 0
    assert {i.data["id"]: i.data for i in load_paths([single]).items} == original
    result = runner.invoke(args=["bank", "import", str(out_dir)])
    assert "0 created, 0 updated, 2 unchanged" in result.output


def test_shipped_bank_imports_and_round_trips(runner, app, tmp_path):
    result = runner.invoke(args=["bank", "import", str(BANK)])
    assert result.exit_code == 0, result.output
    source = load_paths([BANK])
    out_dir = tmp_path / "export"
    runner.invoke(args=["bank", "export", str(out_dir)])
    exported = load_paths([out_dir])
    assert {i.data["id"]: i.data for i in exported.items} == {i.data["id"]: i.data for i in source.items}
    assert {b.data["id"]: b.data for b in exported.blueprints} == {b.data["id"]: b.data for b in source.blueprints}
    assert len(source.blueprints) >= 3
    # And the exported files are plain, readable YAML.
    doc = yaml.safe_load((out_dir / "anatomy.yaml").read_text())
    assert doc["format"] == 1 and len(doc["items"]) >= 5


def test_shipped_bank_covers_every_area(app):
    from prep.domains import SLUGS

    result = load_paths([SHIPPED])
    per_area: dict[str, int] = {}
    for li in result.items:
        per_area[li.data["domain"]] = per_area.get(li.data["domain"], 0) + 1
    short = {slug: per_area.get(slug, 0) for slug in SLUGS if per_area.get(slug, 0) < 5}
    assert not short, f"areas with fewer than 5 items: {short}"


def test_import_of_missing_path_fails_cleanly(runner, tmp_path):
    result = runner.invoke(args=["bank", "import", str(tmp_path / "missing")])
    assert result.exit_code == 1 and "no such file or folder" in result.output


def test_instructor_pages_show_imported_items(client, login_as, runner, tmp_path):
    runner.invoke(args=["bank", "import", str(write(tmp_path))])
    login_as("instructor")
    page = client.get("/bank/?domain=icd-10-cm").get_data(as_text=True)
    assert "icd-fracture-001" in page and "anat-femur-001" not in page
    page = client.get("/bank/icd-fracture-001").get_data(as_text=True)
    assert "S52.521A" in page and "The fracture first" in page
    assert client.get("/bank/no-such-item").status_code == 404


def test_authored_markdown_is_sanitised(client, login_as, make_item):
    make_item(id="xss-1", stem="Hello <script>alert(1)</script> **bold** <img src=x onerror=alert(2)>",
              rationale="[click](javascript:alert(3))")
    login_as("instructor")
    page = client.get("/bank/xss-1").get_data(as_text=True)
    assert "<script>alert(1)" not in page  # shown as text, never as a tag
    assert "&lt;script&gt;alert(1)" in page
    assert "<img" not in page
    assert 'href="javascript' not in page
    assert "<strong>bold</strong>" in page
