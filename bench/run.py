"""Run the benchmark: ``python -m bench`` (or ``python bench/run.py``). See bench/README.md."""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

if __package__ in (None, ""):  # python bench/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"  # noqa: A001

from bench import report  # noqa: E402
from bench.scenarios import Settings, parse, run  # noqa: E402
from bench.servers import check_loopback, reap_descendants, stop_all  # noqa: E402

FULL = ["page", "joins", "game500", "game1000", "bare", "browser", "barebrowser", "polling",
        "barepolling", "hall", "eventlet", "game2000", "games50x40", "procs1", "procs2"]
QUICK = ["page", "joins", "game100", "bare", "browser", "barebrowser", "polling", "barepolling",
         "hall", "eventlet", "games10x10"]


def options(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Load benchmark of the quiz server: games of 500 to 2,000 players, 50 games "
                    "at once, a join storm, the bare Flask-SocketIO reference, players over "
                    "WebSocket, the browser's way (long-polling, then the upgrade) and "
                    "long-polling only, eventlet vs gevent, and the phone page's weight and "
                    "join in Chromium.")
    p.add_argument("--quick", action="store_true",
                   help="a small smoke run (100 players, 10 games x 10) in under a minute")
    p.add_argument("--scenarios", help="comma-separated: game<N>, games<G>x<P>, joins[N], "
                   "hall[N], bare[N], eventlet[N], browser[N] / barebrowser[N] (long-polling "
                   "then the upgrade to WebSocket, as browsers connect), polling[N] / "
                   "barepolling[N] (long-polling only), procs<N>[:<G>x<P>] (G games of P "
                   "players through nginx on N processes, PostgreSQL and Redis; default 50x40), "
                   "page "
                   f"(default: {','.join(FULL)}; quick: {','.join(QUICK)})")
    p.add_argument("--players", type=int, metavar="N",
                   help="reference size for joins, hall, bare, eventlet, browser, polling and "
                        "their bare versions, and the targets (default 1000; quick 100)")
    p.add_argument("--url", help="benchmark this running deployment instead of starting the "
                   "server (loopback only, e.g. http://127.0.0.1:8080); it needs the bench quiz "
                   "imported and the join limits raised, see bench/README.md")
    p.add_argument("--server-pid", default="",
                   help="with --url: comma-separated server process ids, for memory and CPU")
    p.add_argument("--user", default=os.environ.get("BENCH_USER", "admin"),
                   help="with --url: a presenter or admin account (default admin)")
    p.add_argument("--password", default=os.environ.get("BENCH_PASSWORD", ""),
                   help="with --url: its password (or BENCH_PASSWORD)")
    p.add_argument("--school", default="DEMO", help="school code for the games (default DEMO)")
    p.add_argument("--quiz", default="bench-quiz", help="quiz slug (default bench-quiz)")
    p.add_argument("--workers", type=int, default=2,
                   help="load-generator processes (default 2)")
    p.add_argument("--pin-cpus", action=argparse.BooleanOptionalAction, default=True,
                   help="give the server CPU 0 and the load generator the others, so they do "
                        "not take turns on the same core (default on with 2+ cores)")
    p.add_argument("--question-timeout", type=float, default=60.0,
                   help="seconds before an unfinished question is closed and counted as "
                        "not completed (default 60)")
    p.add_argument("--profile", nargs="?", const="", metavar="SCENARIOS",
                   help="record the server with py-spy during these game scenarios (default: "
                        "game<reference>); figures of a profiled scenario are perturbed")
    p.add_argument("--think", type=float, default=0.0, metavar="SECONDS",
                   help="players answer after a random 0..SECONDS instead of at once: answer "
                        "latency under a spread of answers (round times then include the think "
                        "time, so the bare-server ratio no longer means anything); default 0")
    p.add_argument("--wait-quiet", type=float, metavar="SECONDS",
                   help="before each scenario, wait up to this long for other processes to use "
                        "under a quarter of a core (default 30, quick 2; 0: do not wait)")
    p.add_argument("--profile-rate", type=int, default=100, metavar="HZ",
                   help="py-spy samples per second (default 100)")
    p.add_argument("--records-db", metavar="URL",
                   help="records scenarios on this kind of database (postgresql:// or "
                        "sqlite:///): measure this one, generated earlier by python -m "
                        "bench.records_data (kept), instead of generating one")
    p.add_argument("--keep-records-db", action="store_true",
                   help="records scenarios: keep the database they generate (its URL is in the "
                        "results) instead of dropping it")
    p.add_argument("--records-reps", type=int, default=0, metavar="N",
                   help="records scenarios: rounds of every request (default: 40 national, "
                        "60 province)")
    p.add_argument("--records-seed", type=int, default=2025, help="records data set seed")
    p.add_argument("--out", type=Path, default=report.LATEST, help="the JSON figures")
    p.add_argument("--update-docs", nargs="?", const=report.BENCH.parent / "docs" /
                   "performance.md", type=Path, metavar="PATH",
                   help="also rewrite the figures between the bench markers of this file "
                        "(default docs/performance.md)")
    return p.parse_args(argv)


def _interrupt(signum, frame):
    signal.raise_signal(signal.SIGINT)  # SIGTERM: stop as on Ctrl-C (asyncio cancels cleanly)


def main(argv=None) -> int:
    args = options(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started in background
    ref = args.players or (100 if args.quick else 1000)
    names = args.scenarios.split(",") if args.scenarios else (QUICK if args.quick else FULL)
    scenarios = [parse(n.strip(), ref) for n in names if n.strip()]
    if args.url:
        check_loopback(args.url)
        if not args.password:
            sys.exit("--url needs --password (or BENCH_PASSWORD) for the API token")
    logs = report.RESULTS / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    cores = os.cpu_count() or 1
    pin = args.pin_cpus and cores >= 2 and hasattr(os, "sched_setaffinity")
    profile = set()
    if args.profile is not None:
        profile = {n.strip() for n in args.profile.split(",") if n.strip()} or {f"game{ref}"}
    s = Settings(quick=args.quick, workers=args.workers, url=args.url and args.url.rstrip("/"),
                 server_pids=[int(x) for x in args.server_pid.split(",") if x.strip()],
                 user=args.user, password=args.password, school=args.school, quiz=args.quiz,
                 server_cpus={0} if pin else None,
                 loadgen_cpus=set(range(1, cores)) if pin else None,
                 question_timeout=args.question_timeout, logs=logs, profile=profile,
                 wait_quiet=args.wait_quiet if args.wait_quiet is not None else
                 (2.0 if args.quick else 30.0), think=args.think,
                 profile_rate=args.profile_rate, records_db=args.records_db,
                 keep_records_db=args.keep_records_db, records_reps=args.records_reps,
                 records_seed=args.records_seed)
    if pin:
        os.sched_setaffinity(0, s.loadgen_cpus)
    results = {
        "version": 1, "quick": args.quick, "url": s.url, "reference_players": ref,
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": report.machine(),
        "options": {"workers": args.workers, "pin_cpus": bool(pin), "think_s": args.think,
                    "scenarios": [sc.name for sc in scenarios],
                    "question_timeout_s": args.question_timeout},
        "scenarios": {},
    }
    t_all = time.monotonic()
    code = 0
    try:
        for sc in scenarios:
            print(f"[{sc.name}] {describe(sc)} …", flush=True)
            r = run(s, sc)
            results["scenarios"][sc.name] = r
            print(f"[{sc.name}] {summary(r)}", flush=True)
            save(results, args.out)
            if r.get("profile"):
                from bench.hotspots import describe as prof, summarise

                r["hotspots"] = summarise(r["profile"])
                print(prof(r["hotspots"]), flush=True)
    except KeyboardInterrupt:
        print("\ninterrupted: stopping every process the benchmark started", flush=True)
        results["interrupted"] = True
        code = 130
    finally:
        stop_all()
        reap_descendants()
    results["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    results["wall_s"] = round(time.monotonic() - t_all, 1)
    results["comparisons"] = report.comparisons(results)
    results["targets"] = report.targets(results)
    save(results, args.out)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    save(results, args.out.parent / f"run-{stamp}{'-quick' if args.quick else ''}.json")
    tables = report.write_tables(results, args.out.parent)
    print()
    print(report.text_table(results))
    print(f"\nfigures: {args.out}; Markdown: {', '.join(str(t) for t in tables)}; "
          f"took {results['wall_s']:.0f} s")
    if args.update_docs:
        report.publish(results, args.update_docs)
    return code


#: How each transport is described in the progress lines.
TRANSPORT_WORDS = {"websocket": "over WebSocket",
                   "browser": "browser-like (long-polling, then the upgrade to WebSocket)",
                   "polling": "over long-polling only"}


def describe(sc) -> str:
    if sc.kind == "records":
        return (f"the records API and pages on {sc.database}, a {sc.scale} data set "
                "(bench/records_data.py)")
    if sc.kind == "page":
        return "phone page weight, slow-3G timing, and a join from Chromium"
    who = (f"{'bare Flask-SocketIO' if sc.server == 'bare' else 'project'} ({sc.mode}), "
           f"{TRANSPORT_WORDS.get(sc.transport, sc.transport)}")
    if sc.processes:
        who = (f"through nginx on {sc.processes} project process"
               f"{'es' if sc.processes > 1 else ''} ({sc.mode}), PostgreSQL, Redis")
    if sc.kind == "joins":
        return f"{sc.players:,} players connect and join one game at once, {who}"
    if sc.games > 1:
        return f"{sc.games} games of {sc.players} players at once, {who}"
    if sc.think:
        return f"one game of {sc.players:,} players answering over {sc.think:g} s, {who}"
    return f"one game of {sc.players:,} players, {who}"


def summary(r: dict) -> str:
    if r.get("kind") == "records":
        from bench.records import summary as records_summary

        return records_summary(r)
    if r.get("skipped"):
        return "skipped: " + r["skipped"]
    parts = []
    if r.get("error"):
        parts.append("ERROR " + r["error"])
    if r.get("kind") == "page":
        p = r.get("page") or {}
        if p:
            parts.append(f"{p['transferred']:,} bytes transferred ({p['raw']:,} raw, "
                         f"{p['gzip_by_us']:,} gzipped)")
            s3g = p.get("slow_3g") or {}
            if "nickname_input_s" in s3g:
                parts.append(f"slow 3G: input {s3g['nickname_input_s']:.2f} s, "
                             f"button {s3g['join_button_s']:.2f} s")
            elif s3g:
                parts.append(f"slow 3G: {s3g.get('error')}")
            joined = s3g.get("join") or {}
            if joined.get("joined_s") is not None:
                parts.append(f"joined after {joined['joined_s']:.2f} s, ended on "
                             f"{joined.get('ended_on')}")
            elif joined.get("error"):
                parts.append(f"join: {joined['error']}")
    else:
        j = r.get("joins") or {}
        if j:
            parts.append(f"joins {j.get('ok')}/{j.get('ok', 0) + j.get('failed', 0)} at "
                         f"{j.get('joins_per_s')}/s")
        up = r.get("upgrade")
        if up:
            on_ws, of = up["players_on_websocket_after_join"], up["players_joined"]
            parts.append(f"{on_ws}/{of} on WebSocket after joining"
                         + ("" if on_ws == of else " (UPGRADE FAILED for the others)"))
        if r.get("round_median_s") is not None:
            rounds = " ".join(_f(q.get("round_s")) for q in r.get("questions") or [])
            parts.append(f"rounds {rounds} s")
        if r.get("ack_ms"):
            parts.append(f"ack p95 {r['ack_ms']['p95']} ms")
        if r.get("kb_per_player") is not None:
            parts.append(f"{r['kb_per_player']} KB/player")
        if r.get("cpu_s_per_1000_answers") is not None:
            parts.append(f"{r['cpu_s_per_1000_answers']} CPU s/1k answers")
        if r.get("answers_per_s") is not None:
            parts.append(f"{r['answers_per_s']:,.0f} answers/s")
        if r.get("games_per_process"):
            parts.append("games per process " + "/".join(str(g) for g in r["games_per_process"]))
        if r.get("loadgen_busy_rounds") is not None:
            parts.append(f"load generator {r['loadgen_busy_rounds']:.2f} cores busy in rounds")
        elif r.get("loadgen_busy") is not None:
            parts.append(f"load generator {r['loadgen_busy']:.2f} cores busy")
        if "completed" in r:
            parts.append("complete" if r["completed"] else "NOT complete")
        heard, joined = r.get("players_game_over"), (r.get("joins") or {}).get("ok")
        if heard is not None and joined and heard < joined:
            parts.append(f"only {heard}/{joined} players heard game:over")
        other = (r.get("play") or {}).get("other_cores")
        if other is not None and other >= 0.2:
            parts.append(f"WARNING: other processes used {other:.2f} cores meanwhile")
    parts.append(f"{r.get('wall_s', 0):.0f} s")
    return "; ".join(parts)


def _f(x) -> str:
    return "–" if x is None else f"{x:.2f}"


def save(results: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    tmp.replace(path)


if __name__ == "__main__":
    sys.exit(main())
