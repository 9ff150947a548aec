"""The code lookup: /api/lookup search and detail, the /lookup page, `flask codesets ...`, and
imported CPT/HCPCS files reaching the bank validator.

The CPT file here is invented: real code numbers with made-up descriptors ("Test descriptor
for 99213 ..."), never AMA text. The ICD-10-CM tables load once per test session.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from prep.extensions import db
from prep.lookup import store
from prep.lookup.models import CodeDescriptor

ROOT = Path(__file__).resolve().parents[2]

FAKE_CPT = textwrap.dedent(
    """\
    code,long_description
    99213,Test descriptor for 99213 zebra visit established
    99214,Test descriptor for 99214 zebra visit established longer
    99203,Test descriptor for 99203 zebra visit new
    10060,Test descriptor for 10060 quokka drainage
    25600,Test descriptor for 25600 narwhal treatment
    0521F,Test descriptor for 0521F ocelot measure
    """
)


def hcpcs_record(code: str, ric: str, long: str, short: str = "", seq: str = "00100") -> str:
    """One 320-character CMS record (positions 1-5 code, 6-10 sequence, 11 RIC, 12-91 long,
    92-119 short)."""
    return (code.ljust(5) + seq + ric + long.ljust(80)[:80] + short.ljust(28)[:28]).ljust(320)


FAKE_HCPCS = "\n".join(
    [
        hcpcs_record("A4253", "3", "Test strips for a home blood glucose monitor, box of 50", "Glucose strips"),
        hcpcs_record("D0120", "3", "Dental code that must be skipped", "Dental"),
        hcpcs_record("J0696", "3", "Injection of ceftriaxone sodium, each 250 mg", "Ceftriaxone inj"),
        hcpcs_record("E0114", "3", "Crutches, underarm, other than wood, adjustable or fixed, pair, with pads, tips", "Crutches"),
        hcpcs_record("E0114", "4", "and handgrips", seq="00200"),
    ]
) + "\n"


@pytest.fixture(autouse=True)
def fresh_code_cache():
    """Each test starts and ends with this process's registry cache empty (the database is
    emptied between tests, which no import records)."""
    store.invalidate()
    yield
    store.invalidate()


@pytest.fixture
def learner(login_as):
    return login_as("learner")


@pytest.fixture
def cpt_file(tmp_path) -> Path:
    path = tmp_path / "cpt.csv"
    path.write_text(FAKE_CPT)
    return path


@pytest.fixture
def hcpcs_file(tmp_path) -> Path:
    path = tmp_path / "HCPC2026_A.txt"
    path.write_text(FAKE_HCPCS)
    return path


def rows(app, system: str) -> dict[str, str]:
    with app.app_context():
        return dict(
            db.session.execute(
                db.select(CodeDescriptor.code, CodeDescriptor.description).where(CodeDescriptor.system == system)
            ).all()
        )


def codes_of(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [r["code"] for r in response.get_json()["results"]]


# ------------------------------------------------------------------ ICD-10-CM search


def test_search_by_words_finds_torus_fractures(client, learner):
    r = client.get("/api/lookup", query_string={"q": "torus fracture radius"})
    body = r.get_json()
    assert body["system"] == "icd-10-cm" and body["loaded"] is True
    found = codes_of(r)
    assert "S52.521A" in found[:5]
    assert all(c.startswith(("S52.1", "S52.5")) for c in found)
    first = body["results"][0]
    assert set(first) == {"code", "description", "reportable"}
    assert "Torus fracture" in first["description"] and first["reportable"] is True


def test_search_by_code_prefix(client, learner):
    r = client.get("/api/lookup?q=s52.5&limit=5")
    found = codes_of(r)
    assert found[0] == "S52.5" and len(found) == 5
    assert all(c.startswith("S52.5") for c in found)
    assert r.get_json()["results"][0]["reportable"] is False  # a subcategory
    assert codes_of(client.get("/api/lookup?q=S525&system=ICD-10-CM&limit=5")) == found


def test_nothing_found_says_so(client, learner):
    body = client.get("/api/lookup?q=zzzzqqq").get_json()
    assert body["results"] == [] and "No ICD-10-CM code matches" in body["message"]


@pytest.mark.parametrize(
    "query,status,error",
    [
        ({"q": ""}, 400, "empty_query"),
        ({"q": "   "}, 400, "empty_query"),
        ({"q": "x" * 300}, 400, "query_too_long"),
        ({"q": "asthma", "system": "snomed"}, 400, "unknown_system"),
        ({"q": "asthma", "limit": "0"}, 400, "bad_limit"),
        ({"q": "asthma", "limit": "51"}, 400, "bad_limit"),
        ({"q": "asthma", "limit": "ten"}, 400, "bad_limit"),
    ],
)
def test_bad_search_input_is_a_clear_400(client, learner, query, status, error):
    r = client.get("/api/lookup", query_string=query)
    assert r.status_code == status
    body = r.get_json()
    assert body["error"] == error and body["message"]


def test_without_a_query_the_api_describes_the_systems(client, learner):
    body = client.get("/api/lookup").get_json()
    systems = {s["id"]: s for s in body["systems"]}
    assert systems["icd-10-cm"]["loaded"] is True
    assert systems["cpt"]["loaded"] is False and "flask codesets import-cpt" in systems["cpt"]["message"]
    assert body["max_query_length"] == 100


def test_anonymous_clients_get_401(client):
    assert client.get("/api/lookup?q=asthma").status_code == 401
    assert client.get("/api/lookup/icd-10-cm/I10").status_code == 401


def test_a_personal_api_token_works(app, client, make_user):
    from prep.api.tokens import create_token
    from prep.auth.models import User

    user = make_user("learner")
    with app.app_context():
        token = create_token(db.session.get(User, user.id), "script")
        db.session.commit()
    r = client.get("/api/lookup?q=I10", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and codes_of(r)[0] == "I10"


def test_rate_limited_per_account(app, client, learner):
    app.config["LOOKUP_RATE_LIMIT"] = "3 per minute"
    try:
        statuses = [client.get("/api/lookup?q=i10").status_code for _ in range(4)]
    finally:
        app.config.pop("LOOKUP_RATE_LIMIT")
    assert statuses == [200, 200, 200, 429]


# ------------------------------------------------------------------ ICD-10-CM detail


def test_detail_of_a_code_with_seventh_character(client, learner):
    r = client.get("/api/lookup/icd-10-cm/s52521a")
    assert r.status_code == 200
    d = r.get_json()
    assert d["code"] == "S52.521A" and d["reportable"] is True
    assert [p["code"] for p in d["parents"]] == ["S52", "S52.5", "S52.52", "S52.521"]
    assert d["block"]["code"] == "S50-S59" and d["chapter"]["code"] == "19"
    sevenths = {s["character"]: s["meaning"] for s in d["seventh_characters"]}
    assert set(sevenths) == {"A", "D", "G", "K", "P", "S"}
    assert sevenths["A"] == "initial encounter for closed fracture"
    assert d["seventh_character"] == {"character": "A", "meaning": "initial encounter for closed fracture"}
    assert {"source": "S52", "text": "traumatic amputation of forearm (S58.-)"} in d["notes"]["excludes1"]
    assert any(n["source"] == "S52.5" for n in d["notes"]["excludes2"])
    assert any("Z18" in n["text"] for n in d["notes"]["use_additional"])


def test_detail_with_code_first_use_additional_and_inclusion_terms(client, learner):
    d = client.get("/api/lookup/icd-10-cm/E08.42").get_json()
    assert d["notes"]["code_first"] and "underlying condition" in d["notes"]["code_first"][0]["text"]
    assert d["notes"]["use_additional"]
    assert d["inclusion_terms"] == ["Diabetes mellitus due to underlying condition with diabetic neuralgia"]
    also = client.get("/api/lookup/icd-10-cm/C78.89").get_json()
    assert also["notes"]["code_also"][0] == {"source": "C78.89", "text": "exocrine pancreatic insufficiency (K86.81)"}


def test_detail_of_an_incomplete_code_says_what_it_needs(client, learner):
    d = client.get("/api/lookup/icd-10-cm/S52.52").get_json()
    assert d["reportable"] is False
    assert "S52.521A" in d["reportable_note"]
    assert "S52.521" in [c["code"] for c in d["children"]]


@pytest.mark.parametrize(
    "path,status,error,says",
    [
        ("/api/lookup/icd-10-cm/S52.521B", 404, "not_found", "B is not a 7th character"),
        ("/api/lookup/icd-10-cm/Z99.999", 404, "not_found", "not an ICD-10-CM code"),
        ("/api/lookup/icd-10-cm/" + "A" * 20, 400, "bad_code", "1 to 10"),
        ("/api/lookup/icd-10-cm/%3Cb%3E", 400, "bad_code", "1 to 10"),
        ("/api/lookup/snomed/I10", 400, "unknown_system", "use one of"),
    ],
)
def test_bad_detail_requests(client, learner, path, status, error, says):
    r = client.get(path)
    assert r.status_code == status
    assert r.get_json()["error"] == error and says in r.get_json()["message"]


# ------------------------------------------------------------------ CPT and HCPCS, with and without files


def test_cpt_without_a_file_says_how_to_load_one(client, learner):
    body = client.get("/api/lookup?q=992&system=cpt").get_json()
    assert body["loaded"] is False and body["results"] == []
    assert body["message"] == (
        "No CPT file is loaded: an instructor can import the institution's licensed file with flask codesets import-cpt"
    )
    r = client.get("/api/lookup/cpt/99213")
    assert r.status_code == 404 and r.get_json()["error"] == "not_loaded"
    body = client.get("/api/lookup?q=j0696&system=hcpcs").get_json()
    assert body["loaded"] is False and "flask codesets import-hcpcs" in body["message"]


def test_import_cpt_then_search_and_detail(app, runner, client, learner, cpt_file):
    result = runner.invoke(args=["codesets", "import-cpt", str(cpt_file)])
    assert result.exit_code == 0, result.output
    assert "Imported 6 CPT code(s) from cpt.csv (replacing 0)" in result.output
    assert "Test descriptor" not in result.output  # descriptors are never printed

    assert codes_of(client.get("/api/lookup?q=992&system=cpt")) == ["99203", "99213", "99214"]
    assert codes_of(client.get("/api/lookup?q=zebra+established&system=cpt")) == ["99213", "99214"]
    assert codes_of(client.get("/api/lookup?q=quok&system=cpt")) == ["10060"]
    assert codes_of(client.get("/api/lookup?q=0521f&system=cpt")) == ["0521F"]
    d = client.get("/api/lookup/cpt/99213").get_json()
    assert d == {
        "system": "cpt", "code": "99213", "description": "Test descriptor for 99213 zebra visit established",
        "reportable": True, "kind": "Category I", "source": "cpt.csv",
    }
    r = client.get("/api/lookup/cpt/99999")
    assert r.status_code == 404 and "not in the loaded CPT file" in r.get_json()["message"]

    status = runner.invoke(args=["codesets", "status"])
    assert status.exit_code == 0
    assert "cpt              6 codes  imported" in status.output and "from cpt.csv" in status.output
    assert "hcpcs            0 codes  (not loaded" in status.output


def test_an_import_replaces_the_whole_set(app, runner, cpt_file, tmp_path):
    assert runner.invoke(args=["codesets", "import-cpt", str(cpt_file)]).exit_code == 0
    smaller = tmp_path / "smaller.csv"
    smaller.write_text("code,description\n99213,Test descriptor for 99213 renamed\n")
    result = runner.invoke(args=["codesets", "import-cpt", str(smaller)])
    assert result.exit_code == 0 and "Imported 1 CPT code(s) from smaller.csv (replacing 6)" in result.output
    assert rows(app, "cpt") == {"99213": "Test descriptor for 99213 renamed"}
    with app.app_context():
        assert store.cpt_registry() == {"99213": "Test descriptor for 99213 renamed"}


@pytest.mark.parametrize(
    "text,line,reason",
    [
        ("code,description\n99213,Test descriptor for 99213\n9921,Test descriptor for 9921\n", 3, "not shaped like a CPT code"),
        ("code,description\n99213,Test descriptor for 99213\n99214,\n", 3, "99214 has no description"),
        ("code,description\n99213,Test descriptor A\n99213,Test descriptor B\n", 3, "appears twice"),
        ("name,notes\n99213,x\n", 1, "no code column"),
        ("", 1, "empty"),
    ],
)
def test_a_malformed_cpt_file_is_rejected_whole(app, runner, cpt_file, tmp_path, text, line, reason):
    assert runner.invoke(args=["codesets", "import-cpt", str(cpt_file)]).exit_code == 0
    before = rows(app, "cpt")
    bad = tmp_path / "bad.csv"
    bad.write_text(text)
    result = runner.invoke(args=["codesets", "import-cpt", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: line {line}: " in result.output and reason in result.output
    assert "nothing was changed" in result.output
    assert rows(app, "cpt") == before


def test_import_hcpcs_fixed_width_skips_dental_codes(app, runner, client, learner, hcpcs_file):
    result = runner.invoke(args=["codesets", "import-hcpcs", str(hcpcs_file)])
    assert result.exit_code == 0, result.output
    assert "Imported 3 HCPCS Level II code(s)" in result.output
    assert set(rows(app, "hcpcs")) == {"A4253", "E0114", "J0696"}
    assert codes_of(client.get("/api/lookup?q=j06&system=hcpcs")) == ["J0696"]
    assert codes_of(client.get("/api/lookup?q=crutches+handgrips&system=hcpcs")) == ["E0114"]
    d = client.get("/api/lookup/hcpcs/e0114").get_json()
    assert d["description"].endswith("tips and handgrips") and d["section"] == "Durable medical equipment"
    r = client.get("/api/lookup/hcpcs/D0120")
    assert r.status_code == 404 and "CDT" in r.get_json()["message"]


def test_import_hcpcs_csv_and_a_malformed_file(app, runner, tmp_path):
    good = tmp_path / "hcpcs.csv"
    good.write_text("HCPC,LONG DESCRIPTION\nJ1030,Injection of methylprednisolone acetate 40 mg\nD1110,Dental\n")
    assert runner.invoke(args=["codesets", "import-hcpcs", str(good)]).exit_code == 0
    assert rows(app, "hcpcs") == {"J1030": "Injection of methylprednisolone acetate 40 mg"}
    bad = tmp_path / "bad.txt"
    bad.write_text(hcpcs_record("J0696", "3", "Ceftriaxone") + "\n" + hcpcs_record("J06X6", "3", "Broken") + "\n")
    result = runner.invoke(args=["codesets", "import-hcpcs", str(bad)])
    assert result.exit_code == 1 and "line 2: positions 1-5" in result.output
    assert rows(app, "hcpcs") == {"J1030": "Injection of methylprednisolone acetate 40 mg"}


def test_clear_removes_a_set(app, runner, client, learner, cpt_file):
    assert runner.invoke(args=["codesets", "import-cpt", str(cpt_file)]).exit_code == 0
    result = runner.invoke(args=["codesets", "clear", "cpt", "--yes"])
    assert result.exit_code == 0 and "Removed 6 CPT code(s)." in result.output
    assert rows(app, "cpt") == {}
    assert client.get("/api/lookup?q=992&system=cpt").get_json()["loaded"] is False


def test_missing_file_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(args=["codesets", "import-cpt", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2 and "does not exist" in result.output


# ------------------------------------------------------------------ registries: cache and bank validator


def test_an_import_by_another_process_is_seen_after_the_recheck_interval(app):
    """Another process writes and commits without touching this process's cache: the cached
    set stays until the interval passes, then one cheap read notices the new version."""
    with app.app_context():
        app.config["CODE_SETS_RECHECK_SECONDS"] = 3600
        try:
            assert store.cpt_registry() is None
            from prep.dbtypes import utcnow

            store.replace_code_set("cpt", {"99213": "Test descriptor for 99213"}, "other.csv", utcnow())
            db.session.commit()
            assert store.cpt_registry() is None  # still the cached answer
            app.config["CODE_SETS_RECHECK_SECONDS"] = 0
            assert store.cpt_registry() == {"99213": "Test descriptor for 99213"}
            first = store.cpt_registry()
            assert store.cpt_registry() is first  # unchanged version: no reload
            store.replace_code_set("cpt", {"99214": "Test descriptor for 99214"}, "other.csv", utcnow())
            db.session.commit()
            assert store.cpt_registry() == {"99214": "Test descriptor for 99214"}
            assert store.hcpcs_registry() is None
        finally:
            app.config["CODE_SETS_RECHECK_SECONDS"] = 2.0


def test_imports_at_the_same_time_queue_up(app):
    """Three first imports at once: none fails, and the set is exactly one of the files."""
    import threading

    from prep.dbtypes import utcnow

    errors: list[str] = []

    def run(tag: str) -> None:
        with app.app_context():
            try:
                codes = {f"{i:05d}": f"Test descriptor {tag} {i}" for i in range(10000, 12000)}
                store.replace_code_set("cpt", codes, tag, utcnow())
                db.session.commit()
            except Exception as exc:  # noqa: BLE001  (reported below)
                db.session.rollback()
                errors.append(repr(exc))

    threads = [threading.Thread(target=run, args=(f"file{i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    found = rows(app, "cpt")
    assert len(found) == 2000
    assert len({d.split()[2] for d in found.values()}) == 1
    with app.app_context():
        assert store.status()["cpt"]["count"] == 2000


CODING_ITEM = textwrap.dedent(
    """\
    format: 1
    items:
      - id: lookup-coding-001
        type: coding
        domain: icd-10-cm
        difficulty: 2
        stem: Closed torus fracture of the lower end of the right radius, treated without manipulation.
        key:
          diagnoses: [S52.521A]
          procedures: ["25600-RT", "J0696"]
        rationale: The fracture, its treatment, and the drug.
    """
)


def test_bank_validator_checks_key_codes_against_loaded_files(runner, tmp_path, cpt_file, hcpcs_file):
    item = tmp_path / "item.yaml"
    item.write_text(CODING_ITEM)
    assert runner.invoke(args=["bank", "validate", str(item)]).exit_code == 0  # shape only

    without_25600 = tmp_path / "cpt-small.csv"
    without_25600.write_text(FAKE_CPT.replace("25600,Test descriptor for 25600 narwhal treatment\n", ""))
    assert runner.invoke(args=["codesets", "import-cpt", str(without_25600)]).exit_code == 0
    result = runner.invoke(args=["bank", "validate", str(item)])
    assert result.exit_code == 1
    assert "key procedure '25600-RT': 25600 is not in the loaded CPT file" in result.output
    result = runner.invoke(args=["bank", "import", str(item)])
    assert result.exit_code == 1 and "nothing was written" in result.output

    assert runner.invoke(args=["codesets", "import-cpt", str(cpt_file)]).exit_code == 0
    assert runner.invoke(args=["bank", "validate", str(item)]).exit_code == 0
    hcpcs_without_j0696 = tmp_path / "hcpcs.csv"
    hcpcs_without_j0696.write_text("HCPC,LONG DESCRIPTION\nA4253,Test strips\n")
    assert runner.invoke(args=["codesets", "import-hcpcs", str(hcpcs_without_j0696)]).exit_code == 0
    result = runner.invoke(args=["bank", "validate", str(item)])
    assert result.exit_code == 1 and "J0696 is not in the loaded HCPCS file" in result.output
    assert runner.invoke(args=["codesets", "import-hcpcs", str(hcpcs_file)]).exit_code == 0
    assert runner.invoke(args=["bank", "validate", str(item)]).exit_code == 0


# ------------------------------------------------------------------ the page (works without JavaScript)


def test_lookup_page_renders_search_and_detail_on_the_server(client, learner):
    r = client.get("/lookup?q=torus+fracture+radius&code=S52.521A")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'id="lookup-panel"' in html and "js/lookup.js" in html
    assert 'data-code="S52.521A"' in html
    assert "Torus fracture of lower end of right radius, initial encounter for closed fracture" in html
    for heading in ("7th characters", "Excludes1", "Excludes2", "Use additional code"):
        assert f"<h3>{heading}</h3>" in html
    assert '<tr class="is-current"><th scope="row">A</th>' in html
    assert ">Code lookup</a>" in html  # the nav link


def test_lookup_page_escapes_input_and_shows_problems(client, learner):
    r = client.get("/lookup", query_string={"q": "<script>alert(1)</script>"})
    html = r.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    r = client.get("/lookup?system=cpt&q=992")
    assert "No CPT file is loaded" in r.get_data(as_text=True)
    r = client.get("/lookup?code=Z99.999")
    assert r.status_code == 404 and "Z99.999 is not an ICD-10-CM code" in r.get_data(as_text=True)


def test_lookup_page_needs_a_login(client):
    r = client.get("/lookup")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_panel_and_script_follow_the_content_security_policy():
    """CSP allows no inline scripts or style attributes; data reaches the page as text only."""
    panel = re.sub(r"\{#.*?#\}", "", (ROOT / "templates/lookup/_panel.html").read_text(), flags=re.S)
    script = (ROOT / "static/js/lookup.js").read_text()
    assert "<script" not in panel and "style=" not in panel
    for unsafe in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert unsafe not in script
    ids = re.findall(r'\bid="([^"]+)"', panel)
    assert ids and all(i.startswith("lookup-") for i in ids)


# ------------------------------------------------------------------ start-up stays light


def test_create_app_does_not_load_the_icd_tables():
    code = (
        "import sys\n"
        "from prep import create_app\n"
        "from prep.config import TestConfig\n"
        "import tempfile\n"
        "d = tempfile.mkdtemp()\n"
        "create_app(TestConfig, SQLALCHEMY_DATABASE_URI='sqlite:///' + d + '/x.db', instance_path=d)\n"
        "assert 'simple_icd_10_cm' not in sys.modules, 'ICD-10-CM tables loaded at start-up'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_warm_on_start_flag_and_command(app, runner, monkeypatch):
    from prep import create_app
    from prep.codesets import icd10cm
    from prep.config import TestConfig

    calls = []
    monkeypatch.setattr(icd10cm, "warm", lambda index=True: calls.append(index))
    create_app(TestConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], instance_path=app.instance_path)
    assert calls == []
    create_app(TestConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], instance_path=app.instance_path,
               LOOKUP_WARM_ON_START=True)
    assert calls == [True]
    monkeypatch.undo()
    result = runner.invoke(args=["codesets", "warm"])
    assert result.exit_code == 0, result.output
    assert "ICD-10-CM tables loaded in" in result.output and "CPT: no file loaded." in result.output
