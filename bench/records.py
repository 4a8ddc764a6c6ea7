"""The records benchmark: how fast the campaign dashboard, a school's record and the coverage
answer on a national-sized data set (``records``: PostgreSQL, ``bench/records_data.py``'s
national scale) and on one province in SQLite (``records-sqlite``).

A scenario generates its database (or takes one already generated, ``--records-db``), starts
the real server on it (``python wsgi.py``, gevent, ``DATABASE_URL``), signs in (an API token for
the admin and for a presenter; a browser session for the record pages, when they exist) and
times each request many times, in turns (every request once per round), from one client on a
keep-alive connection that accepts compressed answers as a browser does. Per request: p50, p95,
max, the bytes sent, the server's CPU and the database's (PostgreSQL backends) per request.

Then, in this process, the same requests through the app's test client, with every SQL
statement they run timed; on PostgreSQL the slowest statements of each request are run again
under ``EXPLAIN (ANALYZE, BUFFERS)`` and their plans (scans, indexes, JIT, parallel workers)
summarised; the plans in full go to ``bench/results/logs/<scenario>.plans.txt``.
"""
from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import statistics
import tempfile
import time
import urllib.parse
import zlib
from pathlib import Path

from .cluster import POSTGRES
from .records_data import (PRESENTER_PASSWORD, drop_postgres_database, generate, picks,
                           table_sizes)
from .servers import (ADMIN_PASSWORD, ROOT, Server, api_token, cpu_seconds, system_busy_seconds,
                      wait_quiet)

#: The issue's target for the dashboard, a school page and the coverage, at p95.
TARGET_MS = 300.0
#: Rounds of every request (after the warm-up rounds), by scale.
REPS = {"national": 40, "province": 60, "tiny": 20}
WARMUP = 3
#: Statements of a request under EXPLAIN ANALYZE (the slowest ones).
EXPLAIN_TOP = 4
BROWSER_ENCODINGS = "gzip, deflate, br"


def requests_for(p: dict) -> list[dict]:
    """What is timed: name, path, who asks, and whether the 300 ms target applies."""
    c = urllib.parse.quote(p["campaign"])
    dash = f"/api/v1/dashboard?campaign={c}"
    return [
        {"name": "dashboard", "path": dash, "auth": "admin", "target": True,
         "label": "dashboard, no filter"},
        {"name": "dashboard_unit", "path": f"{dash}&unit={p['unit']}", "auth": "admin",
         "target": True, "label": f"dashboard, one unit ({p['unit_sessions']:,} sessions)"},
        {"name": "dashboard_level", "path": f"{dash}&level={p['level']}", "auth": "admin",
         "target": True, "label": f"dashboard, one level ({p['level']})"},
        {"name": "school_busy", "path": f"/api/v1/schools/{p['busy_school']}/records",
         "auth": "admin", "target": True,
         "label": f"school record, the busiest school ({p['busy_school_sessions']:,} sessions "
                  "in the campaign)"},
        {"name": "school_empty", "path": f"/api/v1/schools/{p['empty_school']}/records",
         "auth": "admin", "target": True, "label": "school record, a school without sessions"},
        {"name": "coverage_admin", "path": f"/api/v1/coverage?campaign={c}", "auth": "admin",
         "target": True, "label": "coverage, admin (every unit)"},
        {"name": "coverage_presenter", "path": f"/api/v1/coverage?campaign={c}",
         "auth": "presenter", "target": True, "label": "coverage, a presenter (their unit)"},
        {"name": "public_summary", "path": f"/api/v1/public/summary?campaign={c}", "auth": None,
         "target": False, "label": "public figures"},
        {"name": "me_records", "path": f"/api/v1/me/records?campaign={c}", "auth": "presenter",
         "target": False, "label": "a presenter's own records"},
    ]


def pages_for(p: dict) -> list[dict]:
    """The record pages (timed when the server has them: a 404 means not built yet)."""
    c = urllib.parse.quote(p["campaign"])
    return [
        {"name": "page_dashboard", "path": f"/records/dashboard?campaign={c}", "auth": "cookie",
         "target": True, "label": "dashboard page, no filter"},
        {"name": "page_dashboard_unit", "path": f"/records/dashboard?campaign={c}&unit={p['unit']}",
         "auth": "cookie", "target": True, "label": "dashboard page, one unit"},
        {"name": "page_school_busy", "path": f"/records/schools/{p['busy_school']}",
         "auth": "cookie", "target": True, "label": "school page, the busiest school"},
        {"name": "page_school_empty", "path": f"/records/schools/{p['empty_school']}",
         "auth": "cookie", "target": True, "label": "school page, a school without sessions"},
    ]


# ----- HTTP -------------------------------------------------------------------------------------

class Client:
    """One keep-alive connection, as a browser tab; answers read in full."""

    def __init__(self, base: str):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.conn: http.client.HTTPConnection | None = None

    def get(self, path: str, headers: dict) -> tuple[int, bytes, dict]:
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                self.conn.request("GET", path, headers=headers)
                resp = self.conn.getresponse()
                body = resp.read()
                return resp.status, body, {k.lower(): v for k, v in resp.getheaders()}
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn:
            self.conn.close()


def decoded(body: bytes, encoding: str | None) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    if encoding == "br":
        import brotli

        return brotli.decompress(body)
    return body


def login_cookie(base: str, user: str, password: str) -> str | None:
    """A signed-in browser session (``session=…``) through the login form, CSRF token and all;
    None if the form refused."""
    client = Client(base)
    try:
        _, body, headers = client.get("/login", {})
        cookie = _cookie(headers)
        m = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body) or \
            re.search(rb'value="([^"]+)"[^>]*name="csrf_token"', body)
        form = {"username": user, "password": password}
        if m:
            form["csrf_token"] = m[1].decode()
        client.conn.request("POST", "/login", body=urllib.parse.urlencode(form),
                            headers={"Content-Type": "application/x-www-form-urlencoded",
                                     "Cookie": cookie or ""})
        resp = client.conn.getresponse()
        resp.read()
        if resp.status != 302:
            return None
        return _cookie({k.lower(): v for k, v in resp.getheaders()}) or cookie
    finally:
        client.close()


def _cookie(headers: dict) -> str | None:
    raw = headers.get("set-cookie") or ""
    m = re.search(r"(session=[^;]+)", raw)
    return m[1] if m else None


# ----- /proc: the database's CPU ----------------------------------------------------------------

def backend_pids(database: str) -> list[int]:
    """PostgreSQL backends serving ``database`` (their process title names it)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            title = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace")
        except OSError:
            continue
        if title.startswith("postgres: ") and f" {database} " in title:
            out.append(int(entry))
    return out


def cpu_of(pids: list[int]) -> float:
    return sum(cpu_seconds(p) or 0.0 for p in pids)


# ----- the scenario -----------------------------------------------------------------------------

def database_url(s, sc) -> tuple[str, bool]:
    """The database to measure and whether this scenario made it (then it drops it):
    ``--records-db`` for the scenarios of its kind of database, else a new one."""
    if s.records_db and s.records_db.startswith(sc.database):
        return s.records_db, False
    if sc.database == "postgresql":
        return f"{POSTGRES}/quizbench_records_{sc.scale}", True
    tmp = Path(tempfile.mkdtemp(prefix=f"quizbench-{sc.name.replace(':', '-')}-"))
    return f"sqlite:///{tmp / 'records.db'}", True


def _engine(url: str):
    from sqlalchemy import create_engine

    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url)


#: PostgreSQL settings that decide the plans and their speed (recorded with the figures).
PG_SETTINGS = ("shared_buffers", "work_mem", "effective_cache_size", "random_page_cost",
               "max_parallel_workers_per_gather", "jit", "jit_above_cost")


def postgres_settings(engine) -> dict:
    from sqlalchemy import text

    with engine.connect() as conn:
        out = {"version": conn.execute(text("SHOW server_version")).scalar()}
        for name in PG_SETTINGS:
            out[name] = conn.execute(text(f"SHOW {name}")).scalar()
    return out


def run(s, sc) -> dict:
    """The ``records…`` scenario (see the module)."""
    result: dict = {"kind": "records", "database": sc.database, "scale": sc.scale,
                    "target_ms": TARGET_MS}
    if s.url:
        return {**result, "skipped": "--url: the records scenarios start their own server on "
                                     "a generated database"}
    url, made = database_url(s, sc)
    result["database_url"] = url.split("@")[-1]
    log_path = s.logs / f"{sc.name.replace(':', '-')}.generate.log"
    t0 = time.monotonic()
    server = None
    try:
        if made:
            with open(log_path, "w", encoding="utf-8") as log:
                def echo(line: str) -> None:
                    log.write(line + "\n")
                    log.flush()
                    print(f"[{sc.name}] {line}", flush=True)

                result["generated"] = generate(url, sc.scale, s.records_seed, replace=True,
                                               echo=echo)
            result["generate_log"] = str(log_path)
        engine = _engine(url)
        try:
            if sc.database == "postgresql":
                result["postgres"] = postgres_settings(engine)
            result["tables"] = table_sizes(engine)
            result["students"] = result["tables"].pop("_students")
            picked = picks(engine)
        finally:
            engine.dispose()
        result["picks"] = picked
        if s.wait_quiet > 0:
            result["before"] = wait_quiet(s.wait_quiet)
        server = Server("project", "gevent", s.logs, sc.name.replace(":", "-"), cpus=None,
                        env={"DATABASE_URL": url, "QUIZAPP_QUESTIONS_DIR": str(ROOT / "questions"),
                             "QUIZAPP_SEED_DEMO": "0"})
        server.start(timeout=300)
        result.update(_measure(s, sc, server, url, picked))
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - reported with the results
        result["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        if server is not None:
            log = server.log()
            if "Traceback" in log:
                result["server_tracebacks"] = log.count("Traceback")
            result["server_log"] = str(server.log_path)
            server.stop()
    if "error" not in result and "requests" in result:
        try:
            result["breakdown"] = breakdown(s, sc, url, picked, result)
        except Exception as exc:  # noqa: BLE001
            result["breakdown_error"] = f"{type(exc).__name__}: {exc}"
    if made and not s.keep_records_db:
        try:
            if url.startswith("postgresql"):
                drop_postgres_database(url)
            else:
                path = Path(url[len("sqlite:///"):])
                for suffix in ("", "-wal", "-shm"):
                    Path(str(path) + suffix).unlink(missing_ok=True)
                path.parent.rmdir()
            result["dropped"] = True
        except Exception as exc:  # noqa: BLE001
            result["drop_error"] = f"{type(exc).__name__}: {exc}"
    elif made:
        result["kept"] = url
    result["wall_s"] = round(time.monotonic() - t0, 1)
    return result


def _measure(s, sc, server, url: str, p: dict) -> dict:
    base = server.url
    auth = {"admin": server.token(),
            "presenter": api_token(base, p["presenter"], PRESENTER_PASSWORD), None: {}}
    cookie = login_cookie(base, "admin", ADMIN_PASSWORD)
    auth["cookie"] = {"Cookie": cookie} if cookie else {}
    client = Client(base)
    todo, skipped = [], {}
    for req in requests_for(p) + pages_for(p):
        status, body, headers = client.get(req["path"], {**auth[req["auth"]],
                                                         "Accept-Encoding": BROWSER_ENCODINGS})
        if req["auth"] == "cookie" and status == 404:
            skipped[req["name"]] = "not built yet (404)"
            continue
        if req["auth"] == "cookie" and not cookie:
            skipped[req["name"]] = "could not sign in through the login form"
            continue
        if status != 200:
            raise RuntimeError(f"GET {req['path']}: {status} {body[:300]!r}")
        raw = decoded(body, headers.get("content-encoding"))
        req["bytes"], req["raw_bytes"] = len(body), len(raw)
        req["encoding"] = headers.get("content-encoding") or "identity"
        if req["auth"] != "cookie":
            req["answer"] = _shape(json.loads(raw))
        todo.append(req)
    dbname = url.rsplit("/", 1)[1] if url.startswith("postgresql") else None
    reps = s.records_reps or REPS.get(sc.scale, 30)
    times: dict[str, list[float]] = {r["name"]: [] for r in todo}
    server_cpu: dict[str, float] = {r["name"]: 0.0 for r in todo}
    db_cpu: dict[str, float] = {r["name"]: 0.0 for r in todo}
    errors: dict[str, int] = {}
    own = lambda: sum(os.times()[:2])  # noqa: E731
    phase = None
    for rnd in range(WARMUP + reps):
        timed = rnd >= WARMUP
        if rnd == WARMUP:
            backends = backend_pids(dbname) if dbname else []
            phase = (system_busy_seconds(), server.cpu(), cpu_of(backends), own(),
                     time.monotonic())
        backends = backend_pids(dbname) if dbname else []
        for req in todo:
            headers = {**auth[req["auth"]], "Accept-Encoding": BROWSER_ENCODINGS}
            c0, d0 = server.cpu(), cpu_of(backends)
            t = time.perf_counter()
            status, body, _ = client.get(req["path"], headers)
            elapsed = time.perf_counter() - t
            c1, d1 = server.cpu(), cpu_of(backends)
            if status != 200:
                errors[f"{req['name']}: {status}"] = errors.get(f"{req['name']}: {status}", 0) + 1
            if timed:
                times[req["name"]].append(elapsed)
                server_cpu[req["name"]] += (c1 - c0) if c0 is not None else 0.0
                db_cpu[req["name"]] += d1 - d0
    busy1, srv1, _, own1, t1 = (system_busy_seconds(), server.cpu(), None, own(),
                                time.monotonic())
    backends = backend_pids(dbname) if dbname else []
    client.close()
    out = {"reps": reps, "warmup": WARMUP, "requests": {}, "skipped_requests": skipped,
           "errors": errors}
    for req in todo:
        v = sorted(times[req["name"]])
        out["requests"][req["name"]] = {
            "label": req["label"], "path": req["path"], "auth": req["auth"] or "none",
            "target": req["target"], "n": len(v),
            "p50_ms": _ms(_pct(v, 50)), "p95_ms": _ms(_pct(v, 95)), "max_ms": _ms(v[-1]),
            "mean_ms": _ms(statistics.fmean(v)), "min_ms": _ms(v[0]),
            "bytes": req["bytes"], "raw_bytes": req["raw_bytes"], "encoding": req["encoding"],
            "server_cpu_ms": _ms(server_cpu[req["name"]] / len(v)),
            "db_cpu_ms": _ms(db_cpu[req["name"]] / len(v)) if dbname else None,
            "answer": req.get("answer")}
    if phase and phase[0] is not None and busy1 is not None:
        busy0, srv0, _, own0, t0 = phase
        db_total = sum(db_cpu.values())
        other = (busy1 - busy0) - (srv1 - srv0) - db_total - (own1 - own0)
        out["phase"] = {"seconds": round(t1 - t0, 1), "server_cpu_s": round(srv1 - srv0, 2),
                        "db_cpu_s": round(db_total, 2) if dbname else None,
                        "client_cpu_s": round(own1 - own0, 2),
                        "other_cores": round(max(0.0, other) / (t1 - t0), 2)}
    return out


def _shape(answer: dict) -> dict:
    """A few figures of an answer, to show what was measured (sizes of its lists)."""
    out = {}
    for k, v in answer.items():
        if isinstance(v, list):
            out[k] = f"{len(v)} items"
        elif isinstance(v, dict) and k == "totals":
            out[k] = {kk: vv for kk, vv in v.items() if not isinstance(vv, (dict, list))}
    return out


def _pct(values: list[float], p: float) -> float:
    k = (len(values) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def _ms(x: float | None):
    return None if x is None else round(x * 1000, 1)


# ----- what each request spends: SQL statements and their plans ----------------------------------

def breakdown(s, sc, url: str, p: dict, result: dict, runs: int = 5) -> dict:
    """Each timed request again, in this process through the app's test client, with every SQL
    statement timed (the run with the median total of ``runs``): the request's time in this
    process, its SQL time, its statements, the slowest ones; on PostgreSQL their plans."""
    from sqlalchemy import event, select

    from quizapp.extensions import db
    from quizapp.models import User
    from quizapp.services.accounts import issue_api_token

    from .records_data import make_app

    app = make_app(url)
    app.config.update(RATELIMIT_ENABLED=False)
    statements: list[list] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("t", []).append(time.perf_counter())

    def after(conn, cursor, statement, parameters, context, executemany):
        t = conn.info["t"].pop()
        statements.append([statement, parameters, time.perf_counter() - t,
                           cursor.rowcount])

    out: dict = {}
    plans: list[str] = []
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        presenter = db.session.scalar(select(User).where(User.username == p["presenter"]))
        tokens = {"admin": issue_api_token(admin), "presenter": issue_api_token(presenter)}
        engine = db.engine
        dialect = engine.dialect.name
        db.session.remove()
    client = app.test_client()
    if "page_dashboard" in result["requests"]:
        with client.session_transaction() as sess:  # the pages: signed in as the admin
            sess["_user_id"] = str(admin.id)
            sess["_fresh"] = True
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        for name, req in result["requests"].items():
            headers = ({"Authorization": f"Bearer {tokens[req['auth']]}"}
                       if req["auth"] in tokens else {})
            samples = []
            for _ in range(runs):
                statements.clear()
                t = time.perf_counter()
                resp = client.get(req["path"], headers=headers)
                total = time.perf_counter() - t
                if resp.status_code != 200:
                    break
                samples.append((total, list(statements)))
            if not samples:  # the server answered it; here it failed (reported, not fatal)
                out[name] = {"error": f"{resp.status_code} in this process"}
                continue
            samples.sort(key=lambda x: x[0])
            total, stmts = samples[len(samples) // 2]
            sql = sum(x[2] for x in stmts)
            slow = sorted(stmts, key=lambda x: -x[2])
            out[name] = {"in_process_ms": _ms(total), "sql_ms": _ms(sql),
                         "python_ms": _ms(total - sql), "statements": len(stmts),
                         "slowest": [{"ms": _ms(x[2]), "rows": x[3], "sql": _short(x[0])}
                                     for x in slow[:EXPLAIN_TOP]]}
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    # the plans of the slowest statements (the last run's parameters)
    with app.app_context(), db.engine.connect() as conn:
        for name, req in result["requests"].items():
            headers = ({"Authorization": f"Bearer {tokens[req['auth']]}"}
                       if req["auth"] in tokens else {})
            statements.clear()
            event.listen(engine, "before_cursor_execute", before)
            event.listen(engine, "after_cursor_execute", after)
            try:
                client.get(req["path"], headers=headers)
            finally:
                event.remove(engine, "before_cursor_execute", before)
                event.remove(engine, "after_cursor_execute", after)
            if "error" in out[name]:
                continue
            slowest = out[name]["slowest"]
            for i, (statement, params, _, _) in enumerate(
                    sorted(statements, key=lambda x: -x[2])[:EXPLAIN_TOP]):
                plan = explain(conn, dialect, statement, params)
                plans.append(f"===== {sc.name} {name} #{i + 1}\n{statement}\n-- params: "
                             f"{params}\n{plan}\n")
                same = [x for x in slowest if x["sql"] == _short(statement) and "plan" not in x]
                if same:
                    same[0]["plan"] = summarise_plan(plan, dialect)
    path = s.logs / f"{sc.name.replace(':', '-')}.plans.txt"
    path.write_text("\n".join(plans), encoding="utf-8")
    return {"runs": runs, "plans_log": str(path), "requests": out}


def explain(conn, dialect: str, statement: str, params) -> str:
    if dialect == "postgresql":
        rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
        return "\n".join(r[0] for r in rows)
    rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)
    return "\n".join(str(r[-1]) for r in rows)


_SCAN = re.compile(r"((?:Parallel )?(?:Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan|"
                   r"Bitmap Index Scan))(?: using (\S+))?(?: on (\S+))?")


def summarise_plan(plan: str, dialect: str) -> dict:
    """What a plan does, in a few words: its scans (with their index), time, JIT, workers."""
    if dialect != "postgresql":
        return {"steps": [line.strip() for line in plan.splitlines()][:8]}
    scans = []
    for m in _SCAN.finditer(plan):
        kind, index, table = m[1], m[2], m[3]
        if kind == "Bitmap Index Scan" and m[3] is None:
            index = index or table
        scans.append(f"{kind} {'on ' + table if table else ''}"
                     f"{' using ' + index if index else ''}".strip())
    out: dict = {"scans": list(dict.fromkeys(scans))}
    for key, pattern in (("execution_ms", r"Execution Time: ([\d.]+) ms"),
                         ("planning_ms", r"Planning Time: ([\d.]+) ms"),
                         ("jit_ms", r"Timing: .*Total ([\d.]+) ms")):
        m = re.search(pattern, plan)
        if m:
            out[key] = float(m[1])
    workers = re.findall(r"Workers Launched: (\d+)", plan)
    if workers:
        out["workers_launched"] = max(int(w) for w in workers)
    sorts = re.findall(r"Sort Method: ([^\n]+)", plan)
    if sorts:
        out["sorts"] = list(dict.fromkeys(x.strip() for x in sorts))
    out["top"] = plan.splitlines()[0].split("  (")[0].strip() if plan else ""
    return out


def _short(statement: str, width: int = 160) -> str:
    flat = " ".join(statement.split())
    return flat if len(flat) <= width else flat[:width - 1] + "…"


# ----- what the run prints ----------------------------------------------------------------------

def summary(r: dict) -> str:
    """One line for the progress output."""
    if r.get("skipped"):
        return "skipped: " + r["skipped"]
    parts = []
    if r.get("error"):
        parts.append("ERROR " + r["error"])
    for name, q in (r.get("requests") or {}).items():
        parts.append(f"{name} p95 {q['p95_ms']:.0f} ms")
    parts.append(f"{r.get('wall_s', 0):.0f} s")
    return "; ".join(parts)
