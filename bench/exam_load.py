"""Autosave under load, a crash check and a scale-out check, each against a same-run baseline.

    make bench                 # everything, SQLite and (when installed) PostgreSQL
    .venv/bin/python bench/exam_load.py --quick

For each backend it starts the app under gunicorn on loopback, creates simulated test-takers
(each with a personal API token), and:

1. paced load: N takers (50, 200, 500) each start the 60-minute mini exam and save an answer
   every ``--interval`` seconds (with jitter) for ``--duration`` seconds; beside it the same
   takers hit the baseline endpoint (insert one row, same stack) with the same pacing.
   Prints saves/s, p50/p99 latency, errors, and autosave/baseline ratios.
2. saturation: ``--workers`` closed-loop clients with no think time, autosave vs baseline.
3. crash: SIGKILL the server in the middle of a load, restart it, and check that every save
   the server acknowledged is in the database.
4. scale-out (PostgreSQL): two gunicorn servers on one database; one learner's requests
   alternate between them; nothing is lost and both report the same remaining time.

Every loop is bounded in count and time, and only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from httpload import Conn, HttpError, Stats  # noqa: E402

BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
BLUEPRINT = "cpc-mini"
QUESTIONS = 25


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving app:app on loopback, in its own process group (so SIGKILL takes it all)."""

    def __init__(self, env: dict[str, str], workers: int, threads: int, port: int | None = None):
        self.env, self.workers, self.threads = env, workers, threads
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None

    def start(self):
        cmd = [str(BIN / "gunicorn"), "-w", str(self.workers), "-k", "gthread", "--threads", str(self.threads),
               "--keep-alive", "30", "-b", f"{HOST}:{self.port}", "--log-level", "warning", "app:app"]
        self.log = open(Path(self.env["PREP_INSTANCE_PATH"]) / f"gunicorn-{self.port}.log", "a")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log, start_new_session=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with socket.create_connection((HOST, self.port), timeout=1) as s:
                    s.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
                    if b"200" in s.recv(100):
                        return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start on port {self.port}; see {self.log.name}")

    def kill(self):
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def flask(env, *args):
    subprocess.run([str(BIN / "flask"), "--app", "app", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def prepare(env: dict[str, str], users: int) -> list[str]:
    """Migrate, import the shipped bank, create ``users`` learners with API tokens; return the tokens."""
    flask(env, "db", "upgrade")
    flask(env, "bank", "import", "question_bank")
    code = f"""
import hashlib, secrets, sys
from prep import create_app
from prep.extensions import db
from prep.auth.models import User
from prep.exams.models import ApiToken
app = create_app()
tokens = []
with app.app_context():
    for i in range({users}):
        u = User(email=f"taker{{i}}@bench.example.com", name=f"Taker {{i}}", password_hash="!", role="learner")
        db.session.add(u); db.session.flush()
        t = "cr_" + secrets.token_urlsafe(24)
        db.session.add(ApiToken(user_id=u.id, token_hash=hashlib.sha256(t.encode()).hexdigest(), label="bench"))
        tokens.append(t)
    db.session.commit()
print("\\n".join(tokens))
"""
    out = subprocess.run([str(BIN / "python"), "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return out.stdout.split()


async def _start_attempt(conn: Conn) -> int:
    status, body = await conn.request("POST", "/api/attempts", {"blueprint": BLUEPRINT})
    if status not in (200, 201):
        raise RuntimeError(f"could not start an attempt: {status} {body}")
    return body["id"]


async def _one(conn: Conn, attempt_id: int, rng: random.Random, baseline: bool, stats: Stats) -> None:
    """One autosave (or one baseline insert), timed into ``stats``."""
    t = time.perf_counter()
    try:
        if baseline:
            status, _ = await conn.request("POST", "/api/bench/ping", {})
        else:
            status, _ = await conn.request("PUT", f"/api/attempts/{attempt_id}/questions/{rng.randrange(QUESTIONS)}", {"choice": rng.randrange(4)})
    except (TimeoutError, HttpError):
        status = None
    stats.add(time.perf_counter() - t, status)


async def drive(port: int, tokens: list[str], duration: float, baseline: bool, interval: float | None = None) -> Stats:
    """Each token starts (or resumes) the exam, then saves (or pings): every ~``interval``
    seconds with jitter (a paced test-taker), or back to back when ``interval`` is None
    (a closed loop: the most the server can do). Bounded by ``duration`` and a request count."""
    stats = Stats()
    conns = [Conn(HOST, port, {"Authorization": f"Bearer {t}"}) for t in tokens]
    attempts = await asyncio.gather(*(_start_attempt(c) for c in conns)) if not baseline else [0] * len(conns)
    stop_at = time.perf_counter() + duration
    stats.started = time.perf_counter()

    async def taker(conn: Conn, attempt_id: int, rng: random.Random):
        if interval:
            await asyncio.sleep(rng.uniform(0, interval))
        sent = 0
        while time.perf_counter() < stop_at and sent < 100_000:
            sent += 1
            t = time.perf_counter()
            await _one(conn, attempt_id, rng, baseline, stats)
            if interval:
                await asyncio.sleep(max(0.0, interval * rng.uniform(0.5, 1.5) - (time.perf_counter() - t)))

    await asyncio.gather(*(taker(c, a, random.Random(i)) for i, (c, a) in enumerate(zip(conns, attempts, strict=True))))
    stats.ended = time.perf_counter()
    await asyncio.gather(*(c.close() for c in conns))
    return stats


async def crash_load(port: int, tokens: list[str], kill_after: float, server: Server) -> tuple[dict, dict]:
    """Save steadily from every token; SIGKILL the server mid-way. Return acked and sent saves."""
    acked: dict[tuple[int, int], list[int]] = {}
    sent: dict[tuple[int, int], list[int]] = {}
    conns = [Conn(HOST, port, {"Authorization": f"Bearer {t}"}) for t in tokens]
    attempts = await asyncio.gather(*(_start_attempt(c) for c in conns))
    stop_at = time.perf_counter() + kill_after + 3

    async def taker(conn, attempt_id, rng):
        n = 0
        while time.perf_counter() < stop_at and n < 2_000:
            n += 1
            pos, choice = rng.randrange(QUESTIONS), rng.randrange(4)
            sent.setdefault((attempt_id, pos), []).append(choice)
            try:
                status, body = await conn.request("PUT", f"/api/attempts/{attempt_id}/questions/{pos}", {"choice": choice}, timeout=5)
            except (TimeoutError, HttpError):
                await asyncio.sleep(0.2)
                continue
            if status == 200 and body and body.get("saved"):
                acked.setdefault((attempt_id, pos), []).append(choice)
            await asyncio.sleep(rng.uniform(0.05, 0.3))

    async def killer():
        await asyncio.sleep(kill_after)
        server.kill()

    await asyncio.gather(killer(), *(taker(c, a, random.Random(i)) for i, (c, a) in enumerate(zip(conns, attempts, strict=True))))
    await asyncio.gather(*(c.close() for c in conns))
    return acked, sent


def check_crash(env, acked, sent, port_after: int, tokens: list[str]) -> tuple[int, int]:
    """Compare every acknowledged save with what the restarted server returns. Returns (checked, lost)."""
    async def read_all():
        out = {}
        by_attempt = {}
        for (attempt_id, pos) in acked:
            by_attempt.setdefault(attempt_id, []).append(pos)
        conns = [Conn(HOST, port_after, {"Authorization": f"Bearer {t}"}) for t in tokens]
        for c in conns:
            status, body = await c.request("POST", "/api/attempts", {"blueprint": BLUEPRINT})
            if status in (200, 201) and body["id"] in by_attempt:
                for q in body["questions"]:
                    out[(body["id"], q["position"])] = q["answer"]
            await c.close()
        return out

    saved = asyncio.run(read_all())
    lost = 0
    for key, values in acked.items():
        # The stored value must be the last acknowledged one, or a later save that was sent
        # (and committed) but whose answer the kill cut off.
        sent_values = sent[key]
        last_ack_index = max(i for i, v in enumerate(sent_values) if v == values[-1])
        allowed = set(sent_values[last_ack_index:])
        if saved.get(key) not in allowed:
            lost += 1
    return len(acked), lost


async def scale_out(ports: tuple[int, int], token: str, steps: int = 24) -> dict:
    """One learner alternating between two servers: every save visible on both, one clock."""
    a = Conn(HOST, ports[0], {"Authorization": f"Bearer {token}"})
    b = Conn(HOST, ports[1], {"Authorization": f"Bearer {token}"})
    status, body = await a.request("POST", "/api/attempts", {"blueprint": BLUEPRINT})
    attempt_id = body["id"]
    t0 = time.perf_counter()
    ends = []  # the deadline implied by each answer: now + remaining
    expected = {}
    for i in range(steps):
        conn = (a, b)[i % 2]
        pos, choice = i % QUESTIONS, (i * 7) % 4
        status, body = await conn.request("PUT", f"/api/attempts/{attempt_id}/questions/{pos}", {"choice": choice})
        if status != 200:
            raise RuntimeError(f"save failed on server {i % 2}: {status} {body}")
        expected[pos] = choice
        ends.append(time.perf_counter() - t0 + body["remaining_seconds"])
        await asyncio.sleep(0.05)
    views = []
    for conn in (a, b):
        status, body = await conn.request("GET", f"/api/attempts/{attempt_id}")
        views.append({q["position"]: q["answer"] for q in body["questions"]})
        ends.append(time.perf_counter() - t0 + body["remaining_seconds"])
    await a.close()
    await b.close()
    lost = sum(1 for pos, choice in expected.items() if views[0].get(pos) != choice or views[1].get(pos) != choice)
    return {"saves": steps, "lost": lost, "clock_spread_ms": (max(ends) - min(ends)) * 1000}


def backend_env(kind: str, workdir: Path) -> tuple[dict[str, str], str]:
    env = dict(os.environ)
    env.update({"PREP_BENCH": "1", "SECRET_KEY": secrets.token_hex(16), "PREP_INSTANCE_PATH": str(workdir),
                "RATELIMIT_STORAGE_URI": "memory://"})
    if kind == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
    else:
        base = subprocess.run(["bash", str(ROOT / "scripts" / "pg-test-server.sh"), "start"], check=True, capture_output=True, text=True).stdout.strip()
        import psycopg

        admin = base.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS cpcprep_bench WITH (FORCE)")
            conn.execute("CREATE DATABASE cpcprep_bench")
        url = base.rsplit("/", 1)[0] + "/cpcprep_bench"
    env["DATABASE_URL"] = url
    return env, url


def fmt(s: Stats) -> str:
    return f"{s.rate():8.1f}/s  p50 {s.pct(50):6.1f} ms  p99 {s.pct(99):7.1f} ms  errors {s.errors}"


def run_backend(kind: str, args) -> list[str]:
    lines = [f"\n=== {kind} ==="]
    print(lines[0], flush=True)
    workdir = Path(tempfile.mkdtemp(prefix=f"cpcprep-bench-{kind}-"))
    env, _ = backend_env(kind, workdir)
    tokens = prepare(env, max(args.takers) + 1)
    server = Server(env, args.gunicorn_workers, args.threads).start()
    try:
        print(f"gunicorn: {args.gunicorn_workers} workers x {args.threads} threads; each taker saves every ~{args.interval}s for {args.duration}s", flush=True)
        for n in args.takers:
            save = asyncio.run(drive(server.port, tokens[:n], args.duration, baseline=False, interval=args.interval))
            base = asyncio.run(drive(server.port, tokens[:n], args.duration, baseline=True, interval=args.interval))
            ratio = save.rate() / base.rate() if base.rate() else float("nan")
            target = "target: p99 < 100 ms, no errors, >= 0.7x throughput"
            met = save.errors == 0 and save.pct(99) < 100 and ratio >= 0.7
            verdict = (f"{target}: {'met' if met else 'MISSED'}") if n == 200 else ("no errors" if save.errors == 0 else f"{save.errors} errors")
            for line in (f"N={n:<4} autosave  {fmt(save)}", f"N={n:<4} baseline  {fmt(base)}",
                         f"N={n:<4} ratio     throughput {ratio:.2f}x, p99 {save.pct(99) / base.pct(99):.2f}x of baseline  [{verdict}]"):
                print(line, flush=True)
                lines.append(line)
        save = asyncio.run(drive(server.port, tokens[: args.sat_workers], args.sat_duration, baseline=False))
        base = asyncio.run(drive(server.port, tokens[: args.sat_workers], args.sat_duration, baseline=True))
        for line in (f"saturation ({args.sat_workers} clients, no think time) autosave {fmt(save)}",
                     f"saturation ({args.sat_workers} clients, no think time) baseline {fmt(base)}",
                     f"saturation throughput ratio {save.rate() / base.rate():.2f}x of baseline"):
            print(line, flush=True)
            lines.append(line)
        # Crash check: kill everything mid-load, restart, compare.
        crash_tokens = tokens[: args.crash_takers]
        acked, sent = asyncio.run(crash_load(server.port, crash_tokens, args.kill_after, server))
        server = Server(env, args.gunicorn_workers, args.threads).start()
        checked, lost = check_crash(env, acked, sent, server.port, crash_tokens)
        line = f"crash: SIGKILL after {args.kill_after}s of load from {len(crash_tokens)} takers; {sum(len(v) for v in acked.values())} acknowledged saves on {checked} answers; lost after restart: {lost}"
        print(line, flush=True)
        lines.append(line)
        if kind == "postgres":
            second = Server(env, max(1, args.gunicorn_workers // 2), args.threads).start()
            try:
                result = asyncio.run(scale_out((server.port, second.port), tokens[-1]))
            finally:
                second.stop()
            line = f"scale-out: two gunicorn servers, one learner alternating: {result['saves']} saves, lost {result['lost']}, remaining-time spread {result['clock_spread_ms']:.0f} ms"
            print(line, flush=True)
            lines.append(line)
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--takers", default="50,200,500")
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between one taker's saves")
    parser.add_argument("--gunicorn-workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--sat-workers", type=int, default=16)
    parser.add_argument("--sat-duration", type=float, default=8.0)
    parser.add_argument("--crash-takers", type=int, default=50)
    parser.add_argument("--kill-after", type=float, default=4.0)
    parser.add_argument("--quick", action="store_true", help="small and short: N=20,50 for 5 s")
    args = parser.parse_args()
    if args.quick:
        args.takers, args.duration, args.sat_duration = "20,50", 5.0, 4.0
    args.takers = [int(x) for x in str(args.takers).split(",")]
    backends = args.backends.split(",")
    if "postgres" in backends and not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        print("PostgreSQL is not installed: skipping it (make test installs it).")
        backends.remove("postgres")
    report = []
    for kind in backends:
        report += run_backend(kind, args)
    print("\n=== summary ===")
    print("\n".join(line for line in report if line))


if __name__ == "__main__":
    main()
