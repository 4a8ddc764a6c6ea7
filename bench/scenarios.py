"""The scenarios: a game (or many at once) played to the end, a join storm, the bare reference
round, and the phone page's weight. Each starts its own server process (unless ``--url``), so
memory and CPU figures of one scenario never carry over into the next."""
from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .cluster import Cluster
from .loadgen import TRANSPORTS, Host, Pool
from .servers import (Remote, Server, create_game, cpu_seconds, spawn, stop, system_busy_seconds,
                      total, wait_quiet)

monotonic = time.monotonic


@dataclass
class Settings:
    quick: bool = False
    workers: int = 2
    url: str | None = None
    server_pids: list[int] = field(default_factory=list)
    user: str = "admin"
    password: str = ""
    school: str = "DEMO"
    quiz: str = "bench-quiz"
    server_cpus: set[int] | None = None
    loadgen_cpus: set[int] | None = None
    connect_limit: int = 50  # connections being opened at once, per worker
    join_limit: int = 0  # joins in flight at once per worker (0: all at once)
    phase_timeout: float = 180.0  # connecting or joining everyone
    request_timeout: float = 60.0  # one connect or one ack
    question_timeout: float = 60.0
    game_timeout: float = 600.0
    logs: Path = Path(".")
    profile: set[str] = field(default_factory=set)
    think: float = 0.0  # players answer after a random 0..think s (0: at once)
    wait_quiet: float = 30.0  # seconds to wait, before a scenario, for other work to calm down
    profile_rate: int = 100
    records_db: str | None = None  # records scenarios: a database generated earlier, kept
    keep_records_db: bool = False  # records scenarios: keep the database they generate
    records_reps: int = 0  # records scenarios: rounds of every request (0: by scale)
    records_seed: int = 2025


#: Seconds over which the players of a ``hall`` scenario answer (uniformly at random): a hall
#: of pupils reading the question and pressing, rather than every answer in the same instant.
HALL_SPREAD = 5.0


@dataclass
class Scenario:
    name: str
    kind: str  # game | joins | page | records
    games: int = 1
    players: int = 0
    server: str = "project"  # project | bare
    mode: str = "gevent"
    think: float | None = None  # players answer after a random 0..think s (None: --think)
    processes: int = 0  # >= 1: that many server processes behind nginx, PostgreSQL + Redis
    transport: str = "websocket"  # websocket | browser (polling, then the upgrade) | polling
    database: str = ""  # records: postgresql | sqlite
    scale: str = ""  # records: national | province | tiny (bench/records_data.py)

    @property
    def total_players(self) -> int:
        return self.games * self.players


#: Games x players of ``procs<N>`` when the name gives no size (as ``games50x40``).
CLUSTER_GAMES, CLUSTER_PLAYERS = 50, 40


def parse(name: str, ref: int) -> Scenario:
    """``game1000``, ``games50x40``, ``joins`` / ``joins1000``, ``hall`` / ``hall1000``,
    ``bare`` / ``bare1000``, ``eventlet`` / ``eventlet1000``, ``page``, ``procs<N>`` /
    ``procs<N>:<G>x<P>`` (G games of P players through nginx on N processes, PostgreSQL and
    Redis; 50 x 40 by default), and the transports: ``browser`` / ``browser1000`` (players and
    host connect the browser's way, long-polling then the upgrade to WebSocket), ``polling`` /
    ``polling1000`` (long-polling only), ``barebrowser`` / ``barepolling`` (the same on the bare
    server)."""
    if m := re.fullmatch(r"(bare)?(browser|polling)(\d*)", name):
        n = int(m[3] or ref)
        return Scenario(f"{m[1] or ''}{m[2]}{n}", "game", 1, n,
                        server="bare" if m[1] else "project", transport=m[2])
    if m := re.fullmatch(r"game(\d+)", name):
        return Scenario(name, "game", 1, int(m[1]))
    if m := re.fullmatch(r"games(\d+)x(\d+)", name):
        return Scenario(name, "game", int(m[1]), int(m[2]))
    if m := re.fullmatch(r"joins(\d*)", name):
        n = int(m[1] or ref)
        return Scenario(f"joins{n}", "joins", 1, n)
    if m := re.fullmatch(r"hall(\d*)", name):
        n = int(m[1] or ref)
        return Scenario(f"hall{n}", "game", 1, n, think=HALL_SPREAD)
    if m := re.fullmatch(r"bare(\d*)", name):
        n = int(m[1] or ref)
        return Scenario(f"bare{n}", "game", 1, n, server="bare")
    if m := re.fullmatch(r"eventlet(\d*)", name):
        n = int(m[1] or ref)
        return Scenario(f"eventlet{n}", "game", 1, n, mode="eventlet")
    if m := re.fullmatch(r"procs(\d+)(?::(\d+)x(\d+))?", name):
        n, games = int(m[1]), int(m[2] or CLUSTER_GAMES)
        players = int(m[3] or CLUSTER_PLAYERS)
        if n < 1:
            raise SystemExit(f"{name!r}: at least one process")
        sized = (games, players) != (CLUSTER_GAMES, CLUSTER_PLAYERS)
        return Scenario(f"procs{n}" + (f":{games}x{players}" if sized else ""), "game", games,
                        players, processes=n)
    if name == "page":
        return Scenario("page", "page")
    if m := re.fullmatch(r"records(-sqlite)?(?::(national|province|tiny))?", name):
        database = "sqlite" if m[1] else "postgresql"
        default = "province" if m[1] else "national"
        scale = m[2] or default
        return Scenario(f"records{m[1] or ''}" + (f":{scale}" if scale != default else ""),
                        "records", database=database, scale=scale)
    raise SystemExit(f"unknown scenario {name!r} (game<N>, games<G>x<P>, joins[N], hall[N], "
                     "bare[N], eventlet[N], browser[N], barebrowser[N], polling[N], "
                     "barepolling[N], procs<N>[:<G>x<P>], page, records[:<scale>], "
                     "records-sqlite[:<scale>])")


# ----- statistics -------------------------------------------------------------------------------

def pct(values, p: float):
    """Percentile with linear interpolation (like numpy's default); None for no values."""
    v = sorted(values)
    if not v:
        return None
    k = (len(v) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def ms(x):
    return None if x is None else round(x * 1000, 1)


def rnd(x, n=3):
    return None if x is None else round(x, n)


# ----- running ----------------------------------------------------------------------------------

def make_server(s: Settings, sc: Scenario):
    if sc.processes:
        if s.url:
            return None  # it starts its own cluster; --url has one already
        return Cluster(sc.processes, s.logs, sc.name, cpus=s.server_cpus, mode=sc.mode)
    if s.url and sc.server == "project":
        if sc.mode != "gevent":
            return None  # the deployment's async mode is what it is
        return Remote(s.url, s.server_pids, s.user, s.password)
    return Server(sc.server, sc.mode, s.logs, sc.name, cpus=s.server_cpus)


def run(s: Settings, sc: Scenario) -> dict:
    if sc.kind == "records":
        from .records import run as run_records

        return run_records(s, sc)
    server = make_server(s, sc)
    if server is None:
        return {"skipped": "--url: the cluster scenarios start their own nginx and processes"
                if sc.processes else "--url: the deployment's async mode cannot be switched"}
    result: dict = {"kind": sc.kind, "server": sc.server, "mode": sc.mode, "games": sc.games,
                    "players": sc.players, "url": s.url if isinstance(server, Remote) else None}
    if sc.kind != "page":
        result["transport"] = sc.transport
    if sc.processes:
        result["processes"] = sc.processes
        result["setup"] = (f"nginx (deploy/nginx.conf) -> {sc.processes} x python wsgi.py "
                           "(gevent), PostgreSQL, Redis")
    if s.wait_quiet > 0:
        result["before"] = wait_quiet(s.wait_quiet)
    t0 = monotonic()
    try:
        server.start()
        if sc.kind == "page":
            result.update(_page(s, server))
        else:
            result.update(_players(s, sc, server))
    except Exception as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        if not server.alive():
            result.setdefault("error", "the server process died")
        log = server.log()
        if "Traceback" in log:
            result["server_tracebacks"] = log.count("Traceback")
        server.stop()
        if isinstance(server, Cluster):
            result["server_log"] = ", ".join(str(p) for p in server.log_paths)
            result["nginx_log"] = str(server.nginx_log)
        elif server.log_path:
            result["server_log"] = str(server.log_path)
    result["wall_s"] = round(monotonic() - t0, 1)
    return result


def _page(s: Settings, server) -> dict:
    from .page_weight import measure

    game = create_game(server.url, server.token(), s.quiz, s.school)
    return {"page": measure(server.url, game["pin"])}


def _players(s: Settings, sc: Scenario, server) -> dict:
    if sc.server == "bare":
        infos = [{"pin": f"{900000 + g}", "host_token": ""} for g in range(sc.games)]
    else:
        headers = server.token()
        infos = [create_game(server.url, headers, s.quiz, s.school) for _ in range(sc.games)]
    time.sleep(0.5)
    think = s.think if sc.think is None else sc.think
    res: dict = {"rss_idle_kb": server.rss_kb(), "think_s": think}
    specs = [(g, info["pin"], f"Bot {n}", n) for g, info in enumerate(infos)
             for n in range(sc.players)]
    assert sc.transport in TRANSPORTS, sc.transport
    pool = Pool(server.url, specs, s.workers, cpus=s.loadgen_cpus, think=think,
                transport=sc.transport, request_timeout=s.request_timeout)
    res["workers"] = pool.n
    try:
        coro = _joins(s, server, pool, res) if sc.kind == "joins" else \
            _game(s, sc, server, pool, infos, res)
        asyncio.run(asyncio.wait_for(coro, s.game_timeout + 2 * s.phase_timeout))
    except asyncio.TimeoutError:
        res["error"] = "the scenario did not finish in time"
    finally:
        pool.terminate()
    if pool.crashed:
        res["error"] = "; ".join(pool.crashed)
    return res


def _quiet(loop, context) -> None:
    """Interrupted runs leave cancelled gathers behind; that is not worth a traceback."""
    if isinstance(context.get("exception"), asyncio.CancelledError):
        return
    loop.default_exception_handler(context)


def _join_summary(replies: list[dict], n: int, label: str) -> dict:
    ok = sum(r["ok"] for r in replies)
    t0 = min((r["t0"] for r in replies if r["t0"] is not None), default=None)
    t1 = max((r["t1"] for r in replies if r["t1"] is not None), default=None)
    lat = [x for r in replies for x in r["lat"]]
    span = (t1 - t0) if t0 is not None and t1 is not None else None
    return {"ok": ok, "failed": n - ok, "seconds": rnd(span),
            f"{label}_per_s": rnd(ok / span, 1) if span else None,
            "p50_ms": ms(pct(lat, 50)), "p95_ms": ms(pct(lat, 95)), "p99_ms": ms(pct(lat, 99)),
            "max_ms": ms(max(lat, default=None))}


def _loadgen_cpu(pool: Pool):
    import os

    own = sum(os.times()[:2])
    workers = total(cpu_seconds, pool.pids)
    return None if workers is None else own + workers


async def _joins(s: Settings, server, pool: Pool, res: dict) -> None:
    """N players open a connection and join at once (at most ``connect_limit`` connections
    being opened at a time per worker), as a class scanning the QR code."""
    asyncio.get_running_loop().set_exception_handler(_quiet)
    pool.attach()
    try:
        replies = await pool.command("connect_join", s.connect_limit, s.request_timeout,
                                     timeout=s.phase_timeout)
        total_players = sum(r["ok"] + r["failed"] for r in replies)
        res["joins"] = _join_summary(replies, total_players, "joins")
        await asyncio.sleep(1.0)
        res["rss_connected_kb"] = server.rss_kb()
        res["kb_per_player"] = _per_player(res, res["joins"]["ok"])
        res["completed"] = res["joins"]["failed"] == 0
        errors = await pool.command("report", timeout=60)
        res["errors"] = _merge(r["errors"] for r in errors)
        await pool.command("close", 10.0, timeout=30)
    finally:
        pool.detach()


def _per_player(res: dict, n: int):
    idle, conn = res.get("rss_idle_kb"), res.get("rss_connected_kb")
    if idle is None or conn is None or not n:
        return None
    return round((conn - idle) * 1024 / n / 1000, 1)  # KiB -> decimal KB


def _merge(counters) -> dict:
    out: Counter = Counter()
    for c in counters:
        out.update(c)
    return dict(out.most_common(20))


class _Profiler:
    def __init__(self, s: Settings, name: str, pids: list[int]):
        self.proc = None
        self.path = s.logs / f"profile-{name}.txt"
        self.pids = pids
        self.rate = s.profile_rate
        self.log = s.logs / f"profile-{name}.log"

    def start(self) -> None:
        import shutil

        exe = shutil.which("py-spy")
        if not exe or not self.pids:
            return
        self.proc = spawn([exe, "record", "--pid", str(self.pids[0]), "--rate", str(self.rate),
                           "--nonblocking", "--format", "raw", "--output", str(self.path)],
                          self.log)
        time.sleep(0.5)

    def stop(self) -> str | None:
        import signal

        if self.proc is None:
            return None
        stop(self.proc, sig=signal.SIGINT, timeout=20)
        return str(self.path) if self.path.exists() else None


async def _game(s: Settings, sc: Scenario, server, pool: Pool, infos: list[dict],
                res: dict) -> None:
    bare = sc.server == "bare"
    asyncio.get_running_loop().set_exception_handler(_quiet)
    pool.attach()
    hosts = [Host(server.url, g, info, pool, bare, s.question_timeout, sample=server.cpu,
                  sample_loadgen=lambda: _loadgen_cpu(pool), transport=sc.transport,
                  request_timeout=s.request_timeout) for g, info in enumerate(infos)]
    pool.on_done = lambda g, i: hosts[g].answered(i)
    profiler = _Profiler(s, sc.name, server.pids) if sc.name in s.profile else None
    try:
        await asyncio.wait_for(asyncio.gather(*(h.connect(s.request_timeout) for h in hosts)),
                               s.phase_timeout)
        n = sc.total_players
        replies = await pool.command("connect", s.connect_limit, s.request_timeout,
                                     timeout=s.phase_timeout)
        res["connect"] = _join_summary(replies, n, "connects")
        await asyncio.sleep(0.5)
        res["rss_sockets_only_kb"] = server.rss_kb()  # connected, not joined yet
        replies = await pool.command("join", s.join_limit, s.request_timeout,
                                     timeout=s.phase_timeout)
        res["joins"] = _join_summary(replies, n, "joins")
        res["transports_after_join"] = _merge(r["transports"] for r in replies)
        res["transports_after_join_per_worker"] = [r["transports"] for r in replies]
        for g in range(sc.games):
            pool.players_per_game[g] = sum(r["expected"].get(g, 0) for r in replies)
        await asyncio.sleep(1.0)  # the coalesced lobby updates go out
        res["rss_connected_kb"] = server.rss_kb()
        res["kb_per_player"] = _per_player(res, res["joins"]["ok"])
        if isinstance(server, Cluster):
            res["games_per_process"] = server.games_per_process()
        if res.get("rss_sockets_only_kb") is not None and res.get("rss_idle_kb") is not None:
            ok = res["connect"]["ok"]
            res["kb_per_socket"] = round((res["rss_sockets_only_kb"] - res["rss_idle_kb"])
                                         * 1024 / ok / 1000, 1) if ok else None
        if profiler:
            profiler.start()
        cluster = server if isinstance(server, Cluster) else None
        if cluster:
            cluster.services_mark()
        cpu0, lg0, t0 = server.cpu(), _loadgen_cpu(pool), monotonic()
        sys0 = system_busy_seconds()
        await asyncio.wait_for(asyncio.gather(*(h.start(s.request_timeout) for h in hosts)),
                               s.phase_timeout)
        try:
            await asyncio.wait_for(asyncio.gather(*(h.over.wait() for h in hosts)),
                                   s.game_timeout)
        except asyncio.TimeoutError:
            res["game_timeout"] = True
        # The host can hear game:over before the workers have read the last acks.
        last = [pool.event(g, i) for g, h in enumerate(hosts) for i in h.qstart]
        try:
            await asyncio.wait_for(asyncio.gather(*(e.wait() for e in last)), 15)
        except asyncio.TimeoutError:
            pass
        cpu1, lg1, t1 = server.cpu(), _loadgen_cpu(pool), monotonic()
        sys1 = system_busy_seconds()
        services = cluster.services_used() if cluster else {}
        if profiler:
            res["profile"] = profiler.stop()
            profiler = None
        res["rss_end_kb"] = server.rss_kb()
        # every player should hear game:over too (the bare server has none)
        reports = await pool.command("report", 0.0 if bare else 10.0, timeout=60)
        closed = await pool.command("close", 10.0, timeout=30)
        res["play"] = {"seconds": rnd(t1 - t0),
                       "server_cpu_s": rnd(cpu1 - cpu0) if cpu0 is not None else None,
                       "loadgen_cpu_s": rnd(lg1 - lg0) if lg0 is not None else None}
        if services:
            # what serves the cluster's processes: not the server's CPU, not "other load" either
            res["play"]["services_cpu_s"] = services
        if None not in (sys0, sys1, cpu0, cpu1, lg0, lg1) and t1 > t0:
            # CPU used meanwhile by processes that are neither the server nor the load generator
            # (nor, for a cluster, its nginx, PostgreSQL backends and Redis)
            other = ((sys1 - sys0) - (cpu1 - cpu0) - (lg1 - lg0)
                     - sum(v for v in services.values() if v is not None))
            res["play"]["other_cores"] = round(max(0.0, other) / (t1 - t0), 2)
        _game_figures(sc, hosts, pool, reports, closed, res, bare)
        _transport_figures(sc, hosts, reports, res)
    finally:
        if profiler:
            profiler.stop()
        for h in hosts:
            await h.close()
        pool.detach()


def _transport_figures(sc: Scenario, hosts, reports, res: dict) -> None:
    """Which transport the players and hosts were on: after joining, and at the end of the game
    (before closing). A browser-like client still on long-polling after joining is an upgrade
    that failed — what the phones of a class would suffer — and counts as such in the targets."""
    after = res.get("transports_after_join") or {}
    res["transports_at_end"] = _merge(r.get("transports") or {} for r in reports)
    res["host_transports"] = dict(Counter(h.transport_after_join or "not joined"
                                          for h in hosts))
    joined = (res.get("joins") or {}).get("ok", 0)
    if sc.transport == "browser":
        ws = after.get("websocket", 0)
        res["upgrade"] = {
            "players_on_websocket_after_join": ws, "players_joined": joined,
            "share_on_websocket": round(ws / joined, 4) if joined else None,
            "players_on_websocket_at_end": res["transports_at_end"].get("websocket", 0),
            "hosts_on_websocket": res["host_transports"].get("websocket", 0),
            "hosts": len(hosts)}


def _game_figures(sc, hosts, pool, reports, closed, res, bare) -> None:
    acks: dict[str, list] = {}
    qrecv: dict[str, list] = {}
    lat: list[float] = []
    for r in reports:
        lat += r["latencies"]
        for k, (ok, err, last) in r["acks"].items():
            a = acks.setdefault(k, [0, 0, 0.0])
            a[0] += ok
            a[1] += err
            a[2] = max(a[2], last)
        for k, (first, last) in r["qrecv"].items():
            q = qrecv.setdefault(k, [first, last])
            q[0], q[1] = min(q[0], first), max(q[1], last)
    questions = max((h.total or 0) for h in hosts)
    rounds, cpu_answering, per_q = [], 0.0, []
    lg_cpu, lg_wall = 0.0, 0.0
    cpu_ok = True
    incomplete = []
    for i in range(questions):
        q_rounds, q_fanout, q_ok, q_err, q_cpu = [], [], 0, 0, 0.0
        for g, h in enumerate(hosts):
            expected = pool.players_per_game.get(g, 0)
            ok, err, last = acks.get(f"{g}:{i}", [0, 0, None])
            q_ok += ok
            q_err += err
            start = h.qstart.get(i)
            complete = (start is not None and ok == expected and expected > 0
                        and i not in h.forced and (bare or i in h.reveal))
            if not complete:
                incomplete.append({"game": g, "question": i, "acked_ok": ok, "errors": err,
                                   "players": expected, "started": start is not None,
                                   "revealed": bare or i in h.reveal})
                continue
            q_rounds.append(last - start)
            recv = qrecv.get(f"{g}:{i}")
            if recv:
                q_fanout.append(recv[1] - start)
            c = h.cpu.get(i, [])
            if len(c) == 2 and None not in c:
                q_cpu += c[1] - c[0]
            else:
                cpu_ok = False
            lg = h.lgcpu.get(i, [])
            if sc.games == 1 and len(lg) == 2 and None not in lg:
                lg_cpu += lg[1] - lg[0]
                lg_wall += pool.done_at[(g, i)] - start
        rounds += q_rounds
        cpu_answering += q_cpu
        per_q.append({"index": i, "answers_ok": q_ok, "answer_errors": q_err,
                      "round_s": rnd(pct(q_rounds, 50)) if sc.games > 1 else rnd(
                          q_rounds[0] if q_rounds else None),
                      "round_max_s": rnd(max(q_rounds, default=None)),
                      "last_player_got_question_s": rnd(max(q_fanout, default=None)),
                      # games overlap: a per-question CPU window only means something for one
                      "server_cpu_s": rnd(q_cpu, 2) if cpu_ok and sc.games == 1 else None})
    answers = sum(q["answers_ok"] for q in per_q)
    events = _merge(c for c in closed)
    seconds = (res.get("play") or {}).get("seconds")
    if answers and seconds and not res.get("think_s"):
        # throughput: answers acknowledged per second of the play phase (host:start → every
        # game over and every ack in), reveals, leaderboards and host round trips included
        res["answers_per_s"] = round(answers / seconds, 1)
    over = sum(1 for h in hosts if h.over.is_set())
    if not bare:
        # players that heard game:over before the bots were closed (of those that joined)
        res["players_game_over"] = sum(r["events"].get("game:over", 0) for r in reports)
    res.update({
        "questions": per_q,
        "answers_ok": answers,
        "round_median_s": rnd(pct(rounds, 50)),
        "round_max_s": rnd(max(rounds, default=None)),
        "ack_ms": {"p50": ms(pct(lat, 50)), "p95": ms(pct(lat, 95)), "p99": ms(pct(lat, 99)),
                   "max": ms(max(lat, default=None)), "count": len(lat)},
        "games_over": over,
        "completed": not incomplete and over == len(hosts) and not res.get("game_timeout")
        and questions > 0,
        "games_completed": sum(1 for g, h in enumerate(hosts)
                               if h.over.is_set() and g not in {x["game"] for x in incomplete}),
        "incomplete": incomplete[:20],
        "client_events": events,
        "errors": _merge(r["errors"] for r in reports),
        "host_errors": [e for h in hosts for e in h.errors][:20],
    })
    play = res["play"]
    # With think time the answering phases are mostly waiting: no CPU per answer then.
    spread = bool(res.get("think_s"))
    if not spread and cpu_ok and answers and sc.games == 1 and play["server_cpu_s"] is not None:
        res["cpu_s_per_1000_answers"] = round(cpu_answering / answers * 1000, 3)
        res["cpu_window"] = "answering phases (question:start at the host → every answer acked)"
    elif not spread and answers and play["server_cpu_s"] is not None:
        res["cpu_s_per_1000_answers"] = round(play["server_cpu_s"] / answers * 1000, 3)
        res["cpu_window"] = "whole play phase (games overlap): start → every game over"
    if play["server_cpu_s"] is not None and answers:
        res["cpu_s_per_1000_answers_whole_game"] = round(play["server_cpu_s"] / answers * 1000, 3)
    if lg_wall > 0:
        # cores the load generator kept busy while the answers were being acknowledged: near
        # the number of cores it has, and the round time measures the load generator too
        res["loadgen_busy_rounds"] = round(lg_cpu / lg_wall, 2)
    if play["loadgen_cpu_s"] is not None and play["seconds"]:
        cores = len(pool.procs) + 1
        res["loadgen_busy"] = round(play["loadgen_cpu_s"] / play["seconds"], 2)
        res["loadgen_processes"] = cores
