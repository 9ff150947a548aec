"""The code lookup: start-up stays light, the first query pays for the tables, later ones are fast.

    .venv/bin/python bench/lookup_bench.py            # ~300 queries per system after warm-up
    .venv/bin/python bench/lookup_bench.py --queries 1000

Measures, each against a baseline taken in the same run:

1. start-up: ``create_app`` in fresh interpreters (median of a few runs), the cost of importing
   the lookup modules alone, and ``create_app`` with ``LOOKUP_WARM_ON_START=1``; checks that
   ``simple_icd_10_cm`` is *not* in ``sys.modules`` after a normal ``create_app``;
2. the cold first query through the Flask test client (loads the ICD-10-CM tables and index);
3. p50/p95/p99 over varied ICD-10-CM queries (words and prefixes), code details, and CPT and
   HCPCS searches over an invented ~9,000-code file, all through the test client as a
   logged-in learner, beside ``/healthz`` through the same client (the ratio is per query).

Target: p95 under 20 ms per lookup after warm-up; the exit status is 1 when it is missed.
Uses a throw-away SQLite database; contacts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_P95_MS = 20.0

WORDS = [
    "torus fracture radius", "fracture", "radius", "diabetes", "type 2 diabetes", "asthma", "hypertension",
    "pneumonia", "sepsis", "fall", "burn", "pregnancy", "chronic kidney disease", "open wound", "laceration",
    "dislocation", "migraine", "depressive", "anemia", "obesity", "otitis media", "cellulitis", "ulcer",
    "neoplasm", "poisoning", "sprain ankle", "fract", "diab", "hyperten", "covid-19", "b12 deficiency",
    "heart failure", "atrial fibrillation", "copd exacerbation", "urinary tract infection", "gout", "osteoarthritis knee",
    "low back pain", "chest pain", "abdominal pain", "headache", "dog bite", "motor vehicle", "encounter for screening",
    "vitamin d deficiency", "hyperlipidemia", "anxiety", "alcohol dependence", "opioid", "gestational diabetes",
    "pressure ulcer sacral", "femur fracture", "wrist sprain", "concussion", "sequela", "subsequent encounter",
    "S52 torus", "diabetes without complications", "asthma exacerbation", "left", "right lower",
]
PREFIXES = [
    "S52.5", "s525", "E11", "I10", "J45", "M54", "Z23", "T38.0", "O24", "F32", "K21", "N18", "C50", "W19",
    "R07", "G43", "S72", "E78", "I48", "J44", "Z00", "A41", "B95", "L89", "M17", "S06", "T40", "V43", "Y92", "Z79",
]
DETAILS = ["S52.521A", "E11.9", "I10", "J45.909", "E08.42", "S52.52", "N18", "T38.0X5A", "W19.XXXA", "Z79.4", "O24.4", "C78.89"]
CPT_QUERIES = ["99", "992", "9921", "1", "20", "27447", "alpha", "bravo charlie", "delta", "echo fox", "golf", "hot", "india juliet"]
HCPCS_QUERIES = ["j", "j0", "j06", "e01", "a42", "l", "alpha", "bravo", "charlie delta", "echo", "fox golf"]

STARTUP_SNIPPET = r"""
import json, os, resource, sys, tempfile, time
sys.path.insert(0, {root!r})
t0 = time.perf_counter()
from prep import create_app
from prep.config import TestConfig
t1 = time.perf_counter()
d = tempfile.mkdtemp()
app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite:///" + d + "/x.db", instance_path=d, **{overrides})
t2 = time.perf_counter()
print(json.dumps({{"import_s": t1 - t0, "create_app_s": t2 - t1, "total_s": t2 - t0,
                  "icd_loaded": "simple_icd_10_cm" in sys.modules,
                  "lookup_imported": "prep.lookup.routes" in sys.modules,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""

MODULES_SNIPPET = r"""
import json, sys, time
sys.path.insert(0, {root!r})
import flask, flask_login, flask_limiter, sqlalchemy  # what the app imports anyway
import prep.extensions, prep.auth.access, prep.dbtypes
t0 = time.perf_counter()
import prep.lookup.routes, prep.lookup.operations, prep.lookup.store, prep.lookup.cli
print(json.dumps({{"lookup_modules_s": time.perf_counter() - t0, "icd_loaded": "simple_icd_10_cm" in sys.modules}}))
"""


def run_snippet(snippet: str, **fmt) -> dict:
    out = subprocess.run([sys.executable, "-c", snippet.format(root=str(ROOT), **fmt)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(values: list[float]) -> dict[str, float]:
    return {"p50": pct(values, 50), "p95": pct(values, 95), "p99": pct(values, 99), "mean": statistics.fmean(values)}


def rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def fake_registry(n: int, letters: str | None, rng: random.Random) -> dict[str, str]:
    """Invented codes and descriptors (never real CPT text): words from a fixed nonsense list."""
    vocab = ("alpha bravo charlie delta echo fox golf hotel india juliet kilo lima mike november oscar papa "
             "quebec romeo sierra tango uniform victor whiskey xray yankee zulu").split()
    out: dict[str, str] = {}
    while len(out) < n:
        if letters:
            code = rng.choice(letters) + f"{rng.randrange(10000):04d}"
        else:
            code = f"{rng.randrange(100000):05d}"
        out[code] = "Invented descriptor " + " ".join(rng.choice(vocab) for _ in range(rng.randint(3, 12)))
    return out


def time_requests(client, urls: list[str]) -> list[float]:
    times = []
    for url in urls:
        t = time.perf_counter()
        r = client.get(url)
        times.append(time.perf_counter() - t)
        if r.status_code != 200:
            raise RuntimeError(f"{url}: {r.status_code} {r.get_data(as_text=True)[:200]}")
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=300, help="timed ICD-10-CM searches (default 300)")
    parser.add_argument("--startup-runs", type=int, default=3, help="fresh interpreters per start-up figure")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    report: list[str] = []

    def say(line: str = "") -> None:
        print(line, flush=True)
        report.append(line)

    # 1. start-up -------------------------------------------------------------------------
    say("== start-up (fresh interpreters) ==")
    runs = [run_snippet(STARTUP_SNIPPET, overrides="{}") for _ in range(args.startup_runs)]
    cold = statistics.median(r["create_app_s"] for r in runs)
    total = statistics.median(r["total_s"] for r in runs)
    loaded_at_start = any(r["icd_loaded"] for r in runs)
    say(f"create_app: {ms(cold)} (imports + create_app {ms(total)}), max RSS {runs[0]['maxrss_mb']:.0f} MB; "
        f"lookup blueprint registered: {runs[0]['lookup_imported']}; ICD-10-CM tables loaded: {loaded_at_start}")
    mods = [run_snippet(MODULES_SNIPPET) for _ in range(args.startup_runs)]
    mod_s = statistics.median(m["lookup_modules_s"] for m in mods)
    say(f"importing the lookup modules alone: {ms(mod_s)} ({mod_s / cold:.1%} of create_app); tables loaded: "
        f"{any(m['icd_loaded'] for m in mods)}")
    warm = run_snippet(STARTUP_SNIPPET, overrides="{'LOOKUP_WARM_ON_START': True}")
    say(f"create_app with LOOKUP_WARM_ON_START=1: {ms(warm['create_app_s'])} "
        f"({warm['create_app_s'] / cold:.1f}x), max RSS {warm['maxrss_mb']:.0f} MB; tables loaded: {warm['icd_loaded']}")
    if loaded_at_start:
        say("FAIL: simple_icd_10_cm was imported by create_app")
        return 1

    # 2. the app, a learner, a cold first query ---------------------------------------------
    from flask_migrate import upgrade

    from prep import create_app
    from prep.config import TestConfig
    from prep.extensions import db

    tmp = tempfile.mkdtemp(prefix="lookup-bench-")
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp}/bench.db", instance_path=tmp,
                     LOOKUP_RATE_LIMIT="1000000 per minute", WTF_CSRF_ENABLED=False)
    assert "simple_icd_10_cm" not in sys.modules, "tables loaded by create_app"
    with app.app_context():
        upgrade()
        from prep.auth.operations import create_user
        from prep.dbtypes import utcnow
        from prep.lookup import store

        create_user("bench@example.com", "Bench", "correct horse battery", "learner")
        store.replace_code_set("cpt", fake_registry(9000, None, rng), "invented-cpt.csv", utcnow())
        store.replace_code_set("hcpcs", fake_registry(7000, "ABEGJKLQ", rng), "invented-hcpcs.txt", utcnow())
        db.session.commit()
    client = app.test_client()
    r = client.post("/login", data={"email": "bench@example.com", "password": "correct horse battery"})
    assert r.status_code == 302, r.status_code

    say("\n== first query (cold: loads the ICD-10-CM tables and builds the search index) ==")
    before = rss_mb()
    t = time.perf_counter()
    r = client.get("/api/lookup?q=torus+fracture+radius")
    first = time.perf_counter() - t
    assert r.status_code == 200 and r.get_json()["results"], r.get_data(as_text=True)[:300]
    say(f"first /api/lookup: {ms(first)}; RSS {before:.0f} -> {rss_mb():.0f} MB")
    for system, q in (("cpt", "992"), ("hcpcs", "j0")):
        t = time.perf_counter()
        client.get(f"/api/lookup?system={system}&q={q}")
        say(f"first {system} search (loads and indexes the imported file): {ms(time.perf_counter() - t)}")

    # 3. warm queries ------------------------------------------------------------------------
    def icd_url(q: str) -> str:
        from urllib.parse import urlencode

        return "/api/lookup?" + urlencode({"q": q})

    pool = WORDS + PREFIXES
    queries = [rng.choice(WORDS) if i % 2 else rng.choice(PREFIXES) for i in range(args.queries)]
    for q in pool:  # warm-up: every distinct query once (caches, branch paths)
        client.get(icd_url(q))
    time_requests(client, ["/healthz"] * 50)

    # Interleave the baseline with the lookups so both see the same machine state.
    lookup_t: list[float] = []
    base_t: list[float] = []
    for q in queries:
        lookup_t += time_requests(client, [icd_url(q)])
        base_t += time_requests(client, ["/healthz"])
    detail_urls = [f"/api/lookup/icd-10-cm/{rng.choice(DETAILS)}" for _ in range(max(100, args.queries // 3))]
    detail_t = time_requests(client, detail_urls)
    cpt_t = time_requests(client, [f"/api/lookup?system=cpt&q={rng.choice(CPT_QUERIES)}" for _ in range(max(100, args.queries // 3))])
    hcpcs_t = time_requests(client, [f"/api/lookup?system=hcpcs&q={rng.choice(HCPCS_QUERIES)}" for _ in range(max(100, args.queries // 3))])

    from prep.codesets import icd10cm

    direct = []
    for q in queries:
        t = time.perf_counter()
        icd10cm.search(q, limit=20)
        direct.append(time.perf_counter() - t)

    say(f"\n== after warm-up: {len(queries)} ICD-10-CM searches ({len(set(queries))} distinct; words and prefixes), "
        "each beside a /healthz through the same client ==")
    base = summary(base_t)
    rows = [
        ("/healthz (baseline)", base),
        ("ICD-10-CM search", summary(lookup_t)),
        ("  icd10cm.search() alone", summary(direct)),
        ("ICD-10-CM code detail", summary(detail_t)),
        ("CPT search (9,000 invented)", summary(cpt_t)),
        ("HCPCS search (7,000 invented)", summary(hcpcs_t)),
    ]
    say(f"{'':32} {'p50':>9} {'p95':>9} {'p99':>9}   p95 / baseline p95")
    for name, s in rows:
        say(f"{name:32} {ms(s['p50']):>9} {ms(s['p95']):>9} {ms(s['p99']):>9}   {s['p95'] / base['p95']:.1f}x")

    worst = max(s["p95"] for name, s in rows[1:] if not name.startswith("  "))
    ok = worst * 1000 < TARGET_P95_MS
    say(f"\ntarget p95 < {TARGET_P95_MS:.0f} ms per lookup after warm-up: {'met' if ok else 'MISSED'} "
        f"(worst p95 {ms(worst)})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
