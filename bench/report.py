"""Figures → targets, the printed table, and the Markdown table for docs/performance.md.

``python -m bench.report`` prints the table of ``bench/results/latest.json`` again;
``python -m bench.report --update-docs [docs/performance.md]`` rewrites the figures between
``<!-- bench:start -->`` and ``<!-- bench:end -->`` in that file (the markers must be there).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
LATEST = RESULTS / "latest.json"
TABLE_MD = RESULTS / "performance-table.md"
RECORDS_MD = RESULTS / "records-table.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
RECORDS_START, RECORDS_END = "<!-- bench:records:start -->", "<!-- bench:records:end -->"

ROUND_RATIO_MAX = 1.3
ACK_P95_MAX_MS = 150.0
KB_PER_PLAYER_MAX = 50.0
PAGE_KB_MAX = 60.0
SLOW_3G_MAX_S = 3.0
#: Printed with the two-to-one-process throughput ratio (no limit: the issue sets none).
#: Printed with the transports' figures.
TRANSPORT_NOTE = ("players connect as the scenario's name says: WebSocket only (game…, bare…), "
                  "the browser's way — long-polling, then the upgrade to WebSocket "
                  "(browser…, barebrowser…), or long-polling only (polling…, barepolling…)")
CLUSTER_NOTE = ("on a 2-core machine shared with the load generator a second process cannot add "
                "cores, so the ratio mainly shows the cost of the cluster path (nginx, Redis, "
                "a second process), not the capacity of a real multi-core machine")


def machine() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for pkg in ("Flask", "Flask-SocketIO", "python-socketio", "python-engineio", "gevent",
                "gevent-websocket", "eventlet", "SQLAlchemy", "aiohttp"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    try:
        mem_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        mem_gb = None
    return {"cpu": model, "cores": os.cpu_count(), "memory_gib": mem_gb,
            "python": platform.python_version(), "kernel": platform.release(),
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "packages": versions}


# ----- targets ----------------------------------------------------------------------------------

def _games(results: dict, **match) -> list[tuple[str, dict]]:
    out = []
    for name, r in results["scenarios"].items():
        if r.get("kind") == "game" and all(r.get(k) == v for k, v in match.items()):
            out.append((name, r))
    return out


def transport_of(r: dict) -> str:
    """The transport of a scenario's players (results written before there was a choice were
    all WebSocket)."""
    return r.get("transport") or "websocket"


#: The figures compared across transports: label -> how to read it from a scenario's results.
TRANSPORT_FIGURES = (
    ("round_median_s", lambda r: r.get("round_median_s")),
    ("round_max_s", lambda r: r.get("round_max_s")),
    ("ack_p95_ms", lambda r: (r.get("ack_ms") or {}).get("p95")),
    ("joins_per_s", lambda r: (r.get("joins") or {}).get("joins_per_s")),
    ("kb_per_player", lambda r: r.get("kb_per_player")),
    ("cpu_s_per_1000_answers", lambda r: r.get("cpu_s_per_1000_answers")),
    ("answers_per_s", lambda r: r.get("answers_per_s")),
)

#: How the compared figures are named in docs/performance.md.
FIGURE_LABELS = {"round_median_s": "round, median (s)", "round_max_s": "round, longest (s)",
                 "ack_p95_ms": "answer ack p95 (ms)", "joins_per_s": "joins/s",
                 "kb_per_player": "KB/player", "cpu_s_per_1000_answers": "CPU s per 1,000 answers",
                 "answers_per_s": "answers/s"}

#: scenario name prefixes at the reference size: (project, bare) for each transport
TRANSPORT_SCENARIOS = {"websocket": ("game", "bare"), "browser": ("browser", "barebrowser"),
                       "polling": ("polling", "barepolling")}


def _round_ratio(a: dict | None, b: dict | None):
    if a and b and a.get("round_median_s") and b.get("round_median_s"):
        return round(a["round_median_s"] / b["round_median_s"], 2)
    return None


def comparisons(results: dict) -> dict:
    ref = results["reference_players"]
    sc = results["scenarios"]
    out: dict = {}
    project, bare = sc.get(f"game{ref}"), sc.get(f"bare{ref}")
    if (ratio := _round_ratio(project, bare)) is not None:
        out["round_ratio_project_to_bare"] = ratio
        out["round_ratio_players"] = ref
    for transport in ("browser", "polling"):
        name, bare_name = (f"{p}{ref}" for p in TRANSPORT_SCENARIOS[transport])
        if (ratio := _round_ratio(sc.get(name), sc.get(bare_name))) is not None:
            out[f"round_ratio_{transport}_to_bare_{transport}"] = ratio
    figures: dict = {}
    names = {t: f"{p}{ref}" for t, (p, _) in TRANSPORT_SCENARIOS.items()}
    present = {t: sc[n] for t, n in names.items() if n in sc and not sc[n].get("skipped")
               and not sc[n].get("error")}
    if len(present) > 1 and "websocket" in present:
        for label, get in TRANSPORT_FIGURES:
            row = {t: get(r) for t, r in present.items()}
            ws = row["websocket"]
            for t in present:
                if t != "websocket":
                    row[f"{t}_over_websocket"] = (round(row[t] / ws, 2)
                                                  if ws and row[t] is not None else None)
            figures[label] = row
        out["transports"] = {"players": ref, "scenarios": {t: names[t] for t in present},
                             "figures": figures}
    ev = sc.get(f"eventlet{ref}")
    if project and ev and not ev.get("skipped"):
        rows = {}
        for label, get in (("round_median_s", lambda r: r.get("round_median_s")),
                           ("round_max_s", lambda r: r.get("round_max_s")),
                           ("ack_p95_ms", lambda r: (r.get("ack_ms") or {}).get("p95")),
                           ("joins_per_s", lambda r: (r.get("joins") or {}).get("joins_per_s")),
                           ("kb_per_player", lambda r: r.get("kb_per_player")),
                           ("cpu_s_per_1000_answers", lambda r: r.get("cpu_s_per_1000_answers"))):
            g, e = get(project), get(ev)
            rows[label] = {"gevent": g, "eventlet": e,
                           "eventlet_over_gevent": round(e / g, 2) if g and e is not None else None}
        out["eventlet_vs_gevent"] = rows
        out["eventlet_players"] = ref
    pair = cluster_pair(results)
    if pair:
        (n1, one), (n2, two) = pair
        out["throughput_ratio_two_to_one_process"] = round(
            two["answers_per_s"] / one["answers_per_s"], 2)
        out["throughput_ratio_scenarios"] = {
            "one_process": n1, "two_processes": n2, "games": two["games"],
            "players": two["players"], "answers_per_s": {n1: one["answers_per_s"],
                                                         n2: two["answers_per_s"]},
            "both_complete": one.get("completed") is True and two.get("completed") is True,
            "cores": (results.get("machine") or {}).get("cores")}
    return out


def cluster_pair(results: dict):
    """The ``procs1`` and ``procs2`` scenarios of the same size that both have a throughput:
    ((name, result), (name, result)), or None."""
    sc = results["scenarios"]
    ones = [(n, r) for n, r in sc.items() if r.get("processes") == 1 and r.get("answers_per_s")]
    for n2, two in sc.items():
        if two.get("processes") != 2 or not two.get("answers_per_s"):
            continue
        for n1, one in ones:
            if (one["games"], one["players"]) == (two["games"], two["players"]):
                return (n1, one), (n2, two)
    return None


def has_games(results: dict) -> bool:
    """Whether the run played games or loaded the phone page (not only the records)."""
    return any(r.get("kind") != "records" for r in results["scenarios"].values())


def has_records(results: dict) -> bool:
    return any(r.get("kind") == "records" for r in results["scenarios"].values())


def targets(results: dict) -> list[dict]:
    out = game_targets(results) if has_games(results) or not has_records(results) else []
    return out + records_targets(results)


def records_targets(results: dict) -> list[dict]:
    """p95 under the limit for the dashboard, the school records and the coverage (and the
    record pages when they exist), per records scenario; the other requests as information."""
    out = []
    for name, r in results["scenarios"].items():
        if r.get("kind") != "records":
            continue
        where = f"{name} ({r.get('database')}, {r.get('scale')})"
        if r.get("skipped") or r.get("error") or not r.get("requests"):
            out.append({"target": f"{where}: records requests answer in time", "value": "n/a",
                        "limit": f"p95 < {r.get('target_ms', 300):.0f} ms", "result": "SKIP",
                        "detail": r.get("skipped") or r.get("error") or "nothing measured",
                        "scope": "records"})
            continue
        limit = r["target_ms"]
        for q in r["requests"].values():
            value = f"p95 {q['p95_ms']:.0f} ms (p50 {q['p50_ms']:.0f}, max {q['max_ms']:.0f})"
            if q["target"]:
                out.append({"target": f"{where}: {q['label']}", "value": value,
                            "limit": f"p95 < {limit:.0f} ms",
                            "result": "PASS" if q["p95_ms"] < limit else "FAIL", "detail": "",
                            "scope": "records"})
            else:
                out.append({"target": f"{where}: {q['label']}", "value": value, "limit": "none",
                            "result": "INFO", "detail": "", "scope": "records"})
        for page, why in (r.get("skipped_requests") or {}).items():
            out.append({"target": f"{where}: {page}", "value": "n/a",
                        "limit": f"p95 < {limit:.0f} ms", "result": "SKIP", "detail": why,
                        "scope": "records"})
    return out


def game_targets(results: dict) -> list[dict]:
    ref = results["reference_players"]
    sc = results["scenarios"]
    comp = results.get("comparisons") or comparisons(results)
    out = []

    def add(name, value, limit, ok, detail=""):
        out.append({"target": name, "value": value, "limit": limit,
                    "result": "SKIP" if ok is None else ("PASS" if ok else "FAIL"),
                    "detail": detail})

    ratio = comp.get("round_ratio_project_to_bare")
    if (results.get("options") or {}).get("think_s"):
        ratio = None  # the rounds include the players' think time
    add(f"round time at {ref:,} players within {ROUND_RATIO_MAX}x the bare server",
        f"{ratio}x" if ratio is not None else "n/a", f"<= {ROUND_RATIO_MAX}x",
        None if ratio is None else ratio <= ROUND_RATIO_MAX,
        "median round, project / bare" if ratio is not None else
        f"needs game{ref} and bare{ref}")

    singles = [(n, r) for n, r in _games(results, server="project", mode="gevent", games=1)
               if not r.get("skipped") and not r.get("processes")
               and transport_of(r) == "websocket"]
    if singles:
        name, big = max(singles, key=lambda x: x[1]["players"])
        done = big.get("completed") is True
        qs = big.get("questions") or []
        n_done = sum(1 for q in qs if q["round_s"] is not None)
        add(f"every question of the {big['players']:,}-player game completes",
            f"{n_done}/{len(qs)} questions" + ("" if big.get("games_over") else ", no game:over"),
            "all", done, big.get("error", ""))
    else:
        add("every question of the largest single game completes", "n/a", "all", None)

    multis = [(n, r) for n, r in _games(results, server="project", mode="gevent")
              if r["games"] > 1 and not r.get("skipped")]
    for name, r in multis:
        where = (f" (through nginx, {r['processes']} process{'es' if r['processes'] > 1 else ''}"
                 f", {name})" if r.get("processes") else "")
        add(f"{r['games']} x {r['players']} concurrent games{where} all complete every question",
            f"{r.get('games_completed', 0)}/{r['games']} games", "all",
            r.get("completed") is True, r.get("error", ""))
    if not multis:
        add("concurrent games all complete every question", "n/a", "all", None)

    def p95_of(name):
        return ((sc.get(name) or {}).get("ack_ms") or {}).get("p95")

    p95 = p95_of(f"hall{ref}")
    burst, bare_burst = p95_of(f"game{ref}"), p95_of(f"bare{ref}")
    spread = (sc.get(f"hall{ref}") or {}).get("think_s")
    add(f"p95 answer-ack latency at {ref:,} players answering over "
        f"{spread:g} s" if spread else f"p95 answer-ack latency at {ref:,} players (hall{ref})",
        f"{p95} ms" if p95 is not None else "n/a", f"< {ACK_P95_MAX_MS:.0f} ms",
        None if p95 is None else p95 < ACK_P95_MAX_MS,
        f"all answers in the same instant: {burst} ms, bare server {bare_burst} ms"
        if burst is not None else f"needs hall{ref}")

    mem = [(n, r["kb_per_player"]) for n, r in singles if r.get("kb_per_player") is not None]
    if mem:
        worst = max(mem, key=lambda x: x[1])
        add("server memory per connected player (worst single game)",
            f"{worst[1]} KB ({worst[0]})", f"< {KB_PER_PLAYER_MAX:.0f} KB",
            worst[1] < KB_PER_PLAYER_MAX)
    else:
        add("server memory per connected player", "n/a", f"< {KB_PER_PLAYER_MAX:.0f} KB", None)

    page = (sc.get("page") or {}).get("page")
    if page:
        kb = page["transferred"] / 1000
        add("phone page weight (join + play), transferred", f"{kb:.1f} KB "
            f"({'compressed by the server' if page['server_compressed'] else 'not compressed'}; "
            f"gzip would give {page['gzip_by_us'] / 1000:.1f} KB)", f"<= {PAGE_KB_MAX:.0f} KB",
            kb <= PAGE_KB_MAX)
        s3g = page.get("slow_3g") or {}
        if "error" in s3g or not s3g:
            add("slow 3G: nickname input and Join button usable", "error", f"< {SLOW_3G_MAX_S} s",
                None, s3g.get("error", ""))
        else:
            worst = max(s3g["nickname_input_s"], s3g["join_button_s"])
            add("slow 3G: nickname input and Join button usable",
                f"{s3g['nickname_input_s']:.2f} s / {s3g['join_button_s']:.2f} s",
                f"< {SLOW_3G_MAX_S:.0f} s", worst < SLOW_3G_MAX_S)
        j = s3g.get("join")
        phone = "the phone page in Chromium on slow 3G"
        if not j:
            add(f"{phone} joins and ends on WebSocket", "n/a", "websocket", None,
                s3g.get("error", "no join measured"))
        else:
            polls_after = j.get("polling_requests_after_upgrade")
            add(f"{phone} joins and ends on WebSocket (upgrade packet sent, no long-polling "
                "request after it)",
                f"{j.get('ended_on')}" + (f" ({j['polling_requests']} long-polling requests "
                                          f"before the upgrade, {polls_after} after)"
                                          if j.get("upgrade_sent_s") is not None else ""),
                "websocket", j.get("joined_s") is not None and j.get("ended_on") == "websocket",
                j.get("error", "") or ("no WebSocket opened" if not j.get("websocket_opened")
                                       else "no upgrade packet sent"
                                       if j.get("upgrade_sent_s") is None else
                                       f"{polls_after} long-polling requests after the upgrade"))
            out.append({"target": f"{phone}: from navigation to joined (waiting screen)",
                        "value": f"{j['joined_s']:.2f} s" if j.get("joined_s") is not None
                        else "n/a", "limit": "none", "result": "INFO",
                        "detail": "; ".join(x for x in (
                            f"upgrade packet sent at {j['upgrade_sent_s']:.2f} s"
                            if j.get("upgrade_sent_s") is not None else "",
                            f"{j['server_connections']} TCP connections open to the server "
                            "after joining" if j.get("server_connections") is not None else "")
                            if x)})
    else:
        add("phone page weight", "n/a", f"<= {PAGE_KB_MAX:.0f} KB", None)

    out += transport_targets(results, comp)

    clusters = [n for n, r in sc.items() if r.get("processes")]
    if clusters:  # informational: the issue asks for the figure, not for a limit
        ratio = comp.get("throughput_ratio_two_to_one_process")
        pair = comp.get("throughput_ratio_scenarios") or {}
        value = "n/a"
        if ratio is not None:
            aps = pair["answers_per_s"]
            value = (f"{ratio}x ({pair['two_processes']} {aps[pair['two_processes']]:,.0f} / "
                     f"{pair['one_process']} {aps[pair['one_process']]:,.0f} answers/s"
                     + ("" if pair.get("both_complete") else "; NOT every game complete") + ")")
        out.append({"target": "throughput through nginx, two processes / one (answers acked "
                              "per second of play, PostgreSQL + Redis)",
                    "value": value, "limit": "none", "result": "INFO",
                    "detail": CLUSTER_NOTE if ratio is not None else
                    "needs procs1 and procs2 of the same size, both with answers acknowledged"})
    return out


def transport_targets(results: dict, comp: dict) -> list[dict]:
    """The targets of browser-like and long-polling-only players (when those scenarios ran)."""
    ref = results["reference_players"]
    sc = results["scenarios"]
    out: list[dict] = []
    if not any(transport_of(r) != "websocket" for r in sc.values() if r.get("kind") == "game"):
        return out

    def add(name, value, limit, ok, detail="", info=False):
        out.append({"target": name, "value": value, "limit": limit,
                    "result": "INFO" if info else "SKIP" if ok is None else
                    ("PASS" if ok else "FAIL"), "detail": detail})

    think = (results.get("options") or {}).get("think_s")
    browser, bare_browser = f"browser{ref}", f"barebrowser{ref}"
    ratio = None if think else comp.get("round_ratio_browser_to_bare_browser")
    add(f"round time at {ref:,} browser-like players (long-polling, then WebSocket) within "
        f"{ROUND_RATIO_MAX}x the bare server with the same clients",
        f"{ratio}x" if ratio is not None else "n/a", f"<= {ROUND_RATIO_MAX}x",
        None if ratio is None else ratio <= ROUND_RATIO_MAX,
        f"median round, {browser} / {bare_browser}" if ratio is not None else
        "the rounds include think time" if think else f"needs {browser} and {bare_browser}")

    for name, r in sc.items():
        if r.get("kind") != "game" or transport_of(r) != "browser" or r.get("skipped"):
            continue
        up = r.get("upgrade") or {}
        on_ws, joined = up.get("players_on_websocket_after_join"), up.get("players_joined")
        where = "the bare server" if r.get("server") == "bare" else "the project"
        add(f"browser-like players on WebSocket after joining ({name}, {where})",
            f"{on_ws:,}/{joined:,}" if joined else "n/a", "all",
            (on_ws == joined and up.get("hosts_on_websocket") == up.get("hosts"))
            if joined else None,
            r.get("error", "") if not joined else
            f"still on long-polling: {joined - on_ws} players; hosts on WebSocket "
            f"{up.get('hosts_on_websocket')}/{up.get('hosts')}; at the end of the game "
            f"{up.get('players_on_websocket_at_end')} players on WebSocket")

    pollings = [(n, r) for n, r in sc.items() if r.get("kind") == "game"
                and transport_of(r) == "polling" and r.get("server") == "project"
                and r.get("games") == 1 and not r.get("skipped")]
    if pollings:
        name, big = max(pollings, key=lambda x: x[1]["players"])
        qs = big.get("questions") or []
        n_done = sum(1 for q in qs if q["round_s"] is not None)
        heard, joined = big.get("players_game_over"), (big.get("joins") or {}).get("ok")
        add(f"every question of the {big['players']:,}-player long-polling-only game completes",
            f"{n_done}/{len(qs)} questions" + ("" if big.get("games_over") else ", no game:over")
            + (f"; {heard:,}/{joined:,} players heard game:over" if heard is not None and joined
               else ""), "all", big.get("completed") is True, big.get("error", ""))
    ratio = comp.get("round_ratio_polling_to_bare_polling")
    if ratio is not None or f"polling{ref}" in sc:
        add(f"round time at {ref:,} long-polling-only players, project / bare server with the "
            "same clients", f"{ratio}x" if ratio is not None else "n/a", "none", None,
            "median round" if ratio is not None else f"needs polling{ref} and barepolling{ref}",
            info=True)

    figs = (comp.get("transports") or {}).get("figures") or {}
    if "browser" in (figs.get("cpu_s_per_1000_answers") or {}):
        cpu, kb = figs["cpu_s_per_1000_answers"], figs["kb_per_player"]
        add(f"browser-like players at {ref:,}: server CPU s per 1,000 answers, KB per player",
            f"{_f(cpu.get('browser'), '{}')} s, {_f(kb.get('browser'), '{}')} KB "
            f"(WebSocket only: {_f(cpu.get('websocket'), '{}')} s, "
            f"{_f(kb.get('websocket'), '{}')} KB)", "none", None,
            f"memory limit for WebSocket players: < {KB_PER_PLAYER_MAX:.0f} KB", info=True)
    return out


# ----- tables -----------------------------------------------------------------------------------

def _f(x, fmt="{:,.2f}", none="–"):
    return none if x is None else fmt.format(x)


def rows(results: dict) -> list[list[str]]:
    out = []
    for name, r in results["scenarios"].items():
        if r.get("kind") in ("page", "records"):
            continue
        if r.get("skipped"):
            out.append([name, "", "", "", "", "", "", "", "", "", "skipped", ""])
            continue
        who = ("bare " if r.get("server") == "bare" else "") + r.get("mode", "")
        if r.get("processes"):
            who += f", nginx + {r['processes']} proc{'s' if r['processes'] > 1 else ''}, PG+Redis"
        if r.get("think_s"):
            who += f", answers over {r['think_s']:g} s"
        players = (f"{r['games']}x{r['players']}" if r.get("games", 1) > 1
                   else f"{r.get('players', 0):,}")
        joins = (r.get("joins") or {}).get("joins_per_s")
        ack = r.get("ack_ms") or {}
        done = "error" if r.get("error") else ("yes" if r.get("completed") else "NO")
        other = (r.get("play") or {}).get("other_cores")
        if other is None:
            other = (r.get("before") or {}).get("other_cores")
        other = _f(other, "{:.2f}")
        transport = transport_cell(r)
        if r.get("kind") == "joins":
            out.append([name, f"{players} ({who})", transport, _f(joins, "{:,.0f}"), "", "",
                        f"join p95 {_f((r.get('joins') or {}).get('p95_ms'), '{:,.0f}')}",
                        _f(r.get("kb_per_player"), "{:.1f}"), "", "", done, other])
            continue
        out.append([name, f"{players} ({who})", transport, _f(joins, "{:,.0f}"),
                    _f(r.get("round_median_s")), _f(r.get("round_max_s")),
                    f"{_f(ack.get('p50'), '{:.0f}')}/{_f(ack.get('p95'), '{:.0f}')}/"
                    f"{_f(ack.get('p99'), '{:.0f}')}",
                    _f(r.get("kb_per_player"), "{:.1f}"),
                    _f(r.get("cpu_s_per_1000_answers"), "{:.2f}"),
                    _f(r.get("answers_per_s"), "{:,.0f}"), done, other])
    return out


def transport_cell(r: dict) -> str:
    """``websocket``, ``polling``, or ``browser`` with how many players ended on WebSocket."""
    t = transport_of(r)
    up = r.get("upgrade")
    if t == "browser" and up and up.get("players_joined"):
        return (f"browser → ws {up['players_on_websocket_after_join']:,}/"
                f"{up['players_joined']:,}")
    return t


HEAD = ["scenario", "players", "transport", "joins/s", "round p50 s", "round max s",
        "ack ms p50/p95/p99", "KB/player", "CPU s/1k ans", "answers/s", "complete", "other load"]


TRANSPORT_WORDS = {"websocket": "WebSocket-only", "browser": "browser-like",
                   "polling": "long-polling-only"}


def text_table(results: dict) -> str:
    body = rows(results)
    widths = [max(len(h), *(len(r[i]) for r in body)) if body else len(h)
              for i, h in enumerate(HEAD)]
    line = lambda cells: "  ".join(c.ljust(w) if i < 3 else c.rjust(w)  # noqa: E731
                                   for i, (c, w) in enumerate(zip(cells, widths, strict=True)))
    out = [line(HEAD), line(["-" * w for w in widths])] + [line(r) for r in body] \
        if body or not has_records(results) else []
    out += records_text(results)
    comp = results.get("comparisons") or {}
    if "round_ratio_project_to_bare" in comp:
        out.append(f"\nround time, project / bare server at {comp['round_ratio_players']:,} "
                   f"players: {comp['round_ratio_project_to_bare']}x")
    for t in ("browser", "polling"):
        if f"round_ratio_{t}_to_bare_{t}" in comp:
            out.append(f"round time, project / bare server, {TRANSPORT_WORDS[t]} players: "
                       f"{comp[f'round_ratio_{t}_to_bare_{t}']}x")
    if "transports" in comp:
        tr = comp["transports"]
        cols = list(tr["scenarios"])
        out.append(f"transports at {tr['players']:,} players ("
                   + ", ".join(f"{t}: {n}" for t, n in tr["scenarios"].items()) + "):")
        for k, v in tr["figures"].items():
            out.append(f"  {k:24} " + "  ".join(
                f"{t} {_f(v.get(t), '{}')}" + (f" ({_f(v.get(f'{t}_over_websocket'), '{}')}x)"
                                               if t != "websocket" else "") for t in cols))
    if "eventlet_vs_gevent" in comp:
        out.append(f"eventlet vs gevent at {comp['eventlet_players']:,} players:")
        for k, v in comp["eventlet_vs_gevent"].items():
            out.append(f"  {k:24} gevent {_f(v['gevent'], '{}')}  eventlet "
                       f"{_f(v['eventlet'], '{}')}  ({_f(v['eventlet_over_gevent'], '{}')}x)")
    if "throughput_ratio_two_to_one_process" in comp:
        pair = comp["throughput_ratio_scenarios"]
        out.append(f"\nthroughput through nginx, {pair['games']} x {pair['players']} games, "
                   f"two processes / one: {comp['throughput_ratio_two_to_one_process']}x "
                   f"({pair['cores']} cores; see the note in the targets)")
    page = (results["scenarios"].get("page") or {}).get("page")
    if page:
        from .page_weight import describe

        out.append("\nphone page (/play/<pin>):\n" + describe(page))
    out.append("\ntargets:")
    for t in results.get("targets") or targets(results):
        out.append(f"  [{t['result']}] {t['target']}: {t['value']} (target {t['limit']})"
                   + (f" — {t['detail']}" if t["detail"] and t["result"] != "PASS" else ""))
    return "\n".join(out)


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = [START, "",
             f"Measured {m['date']} on {m['cpu']}, {m['cores']} cores"
             + (f", {m['memory_gib']} GiB" if m.get("memory_gib") else "")
             + f", Python {m['python']}; load generator on the same machine "
             f"({results['options']['workers']} worker processes)"
             + (" — quick run" if results.get("quick") else "")
             + (" — INTERRUPTED, incomplete" if results.get("interrupted") else "")
             + (f"; against {results['url']}" if results.get("url") else "") + ". "
             "Round: from `question:start` at the host to every answer acknowledged; "
             "answers/s: answers acknowledged per second of the play phase (`host:start` to "
             "every game over); "
             "KB = 1,000 bytes; other load: CPU cores used meanwhile by other processes "
             "on the machine.", "",
             "| " + " | ".join(HEAD) + " |", "|" + "|".join("---" for _ in HEAD) + "|"]
    lines += ["| " + " | ".join(c or " " for c in r) + " |" for r in rows(results)]
    comp = results.get("comparisons") or {}
    if "round_ratio_project_to_bare" in comp:
        lines += ["", f"Round time, project / bare Flask-SocketIO server at "
                      f"{comp['round_ratio_players']:,} players: "
                      f"**{comp['round_ratio_project_to_bare']}×**."]
    for t in ("browser", "polling"):
        if f"round_ratio_{t}_to_bare_{t}" in comp:
            lines += ["", f"Round time, project / bare Flask-SocketIO server with "
                          f"{TRANSPORT_WORDS[t]} players at {results['reference_players']:,}: "
                          f"**{comp[f'round_ratio_{t}_to_bare_{t}']}×**."]
    if "transports" in comp:
        tr = comp["transports"]
        cols = list(tr["scenarios"])
        lines += ["", f"Transports at {tr['players']:,} players (one game; "
                      + ", ".join(f"{TRANSPORT_WORDS[t]}: `{n}`" for t, n in
                                  tr["scenarios"].items()) + "):", "",
                  "| figure | " + " | ".join(TRANSPORT_WORDS[t] for t in cols) + " |",
                  "|---|" + "|".join("---" for _ in cols) + "|"]
        for k, v in tr["figures"].items():
            lines.append(f"| {FIGURE_LABELS.get(k, k)} | " + " | ".join(
                _f(v.get(t), "{}") + (f" ({_f(v.get(f'{t}_over_websocket'), '{}')}×)"
                                      if t != "websocket" and v.get(t) is not None else "")
                for t in cols) + " |")
    if "eventlet_vs_gevent" in comp:
        ev = comp["eventlet_vs_gevent"]
        lines += ["", f"eventlet vs gevent at {comp['eventlet_players']:,} players: "
                  + "; ".join(f"{k.replace('_', ' ')} {_f(v['gevent'], '{}')} → "
                              f"{_f(v['eventlet'], '{}')}" for k, v in ev.items()) + "."]
    if "throughput_ratio_two_to_one_process" in comp:
        pair = comp["throughput_ratio_scenarios"]
        lines += ["", f"Throughput through nginx on PostgreSQL + Redis ({pair['games']} × "
                      f"{pair['players']} games, answers acknowledged per second of play), two "
                      f"processes / one: **{comp['throughput_ratio_two_to_one_process']}×**. "
                      f"Note: {CLUSTER_NOTE}."]
    page = (results["scenarios"].get("page") or {}).get("page")
    if page:
        s3g = page.get("slow_3g") or {}
        lines += ["", f"Phone page: {page['transferred'] / 1000:.1f} KB transferred "
                      f"({'compressed' if page['server_compressed'] else 'uncompressed'}; "
                      f"{page['raw'] / 1000:.1f} KB raw, {page['gzip_by_us'] / 1000:.1f} KB if "
                      f"gzipped)"
                  + (f"; on slow 3G the nickname input is usable after "
                     f"{s3g['nickname_input_s']:.2f} s and the Join button after "
                     f"{s3g['join_button_s']:.2f} s" if "nickname_input_s" in s3g else "") + "."]
        j = s3g.get("join") or {}
        if j.get("joined_s") is not None:
            lines[-1] += (f" Chromium, as a phone on slow 3G, joined (waiting screen) "
                          f"{j['joined_s']:.2f} s after navigation; its Socket.IO connection "
                          f"ended on **{j['ended_on']}** ({j['polling_requests']} long-polling "
                          "requests" + (f", upgrade packet sent at {j['upgrade_sent_s']:.2f} s, "
                                        f"{j['polling_requests_after_upgrade']} long-polling "
                                        "requests after it" if j.get("upgrade_sent_s")
                                        is not None else ", no upgrade") + ")"
                          + (f"; it kept {j['server_connections']} TCP connections open to the "
                             "server (the WebSocket and idle keep-alive connections)"
                             if j.get("server_connections") is not None else "") + ".")
    lines += ["", "| target | measured | limit | result |", "|---|---|---|---|"]
    lines += [f"| {t['target']} | {t['value']} | {t['limit']} | {t['result']} |"
              for t in results.get("targets") or targets(results)
              if t.get("scope") != "records"]
    lines += ["", END]
    return "\n".join(lines) + "\n"


def update_docs(path: Path, md: str, start: str = START, end: str = END) -> bool:
    if not path.exists():
        print(f"{path} does not exist: nothing updated (the table is in {RESULTS})")
        return False
    text = path.read_text(encoding="utf-8")
    if start not in text or end not in text:
        print(f"{path} has no {start} … {end} markers: nothing updated")
        return False
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    path.write_text(before + md.rstrip("\n") + after, encoding="utf-8")
    print(f"updated the figures in {path}")
    return True


def write_tables(results: dict, folder: Path) -> list[Path]:
    """The Markdown tables of the run: the games' (if any ran) and the records' (if any)."""
    written = []
    if has_games(results) or not has_records(results):
        written.append(folder / TABLE_MD.name)
        written[-1].write_text(markdown(results), encoding="utf-8")
    if has_records(results):
        written.append(folder / RECORDS_MD.name)
        written[-1].write_text(records_markdown(results), encoding="utf-8")
    return written


def publish(results: dict, path: Path) -> None:
    """Rewrite the figures of ``path`` between the markers of what the run measured: the games'
    table between the bench markers, the records' between the records markers."""
    if has_games(results) or not has_records(results):
        update_docs(path, markdown(results))
    if has_records(results):
        update_docs(path, records_markdown(results), RECORDS_START, RECORDS_END)


# ----- the records --------------------------------------------------------------------------------

RECORDS_HEAD = ["request", "who", "p50 ms", "p95 ms", "max ms", "sent (raw) KB",
                "server CPU ms", "DB CPU ms", "target"]


def _records_rows(r: dict) -> list[list[str]]:
    out = []
    limit = r.get("target_ms", 300)
    for q in (r.get("requests") or {}).values():
        out.append([q["label"], q["auth"], f"{q['p50_ms']:.0f}", f"{q['p95_ms']:.0f}",
                    f"{q['max_ms']:.0f}",
                    f"{q['bytes'] / 1000:,.1f} ({q['raw_bytes'] / 1000:,.1f})",
                    _f(q.get("server_cpu_ms"), "{:.0f}"), _f(q.get("db_cpu_ms"), "{:.0f}"),
                    (("PASS" if q["p95_ms"] < limit else "FAIL") if q["target"] else "–")])
    return out


def _records_setup(r: dict) -> str:
    t = r.get("tables") or {}

    def n(k):
        return f"{(t.get(k) or {}).get('rows', 0):,}"

    size = t.get("_database_bytes")
    g = r.get("generated") or {}
    return (f"{r.get('scale')} data set: {n('province')} provinces, {n('unit')} units, "
            f"{n('school')} schools, {n('game')} sessions ({n('session_question')} session "
            f"questions), {r.get('students') or 0:,} students counted, {n('player')} players and "
            f"{n('answer')} answers in full"
            + (f"; database {size / 2**20:,.0f} MiB" if size else "")
            + (f"; generated in {g['seconds']:.0f} s (seed {g['seed']})" if g else ""))


def _line(cells: list[str], widths: list[int]) -> str:
    return "  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                     for i, (c, w) in enumerate(zip(cells, widths)))


def records_text(results: dict) -> list[str]:
    out = []
    for name, r in results["scenarios"].items():
        if r.get("kind") != "records":
            continue
        out.append(f"\n{name} — {r.get('database')}, {_records_setup(r)}")
        if r.get("skipped") or r.get("error"):
            out.append(f"  {r.get('skipped') or 'ERROR ' + r['error']}")
            continue
        body = _records_rows(r)
        widths = [max(len(h), *(len(x[i]) for x in body)) if body else len(h)
                  for i, h in enumerate(RECORDS_HEAD)]
        out += [_line(RECORDS_HEAD, widths), _line(["-" * w for w in widths], widths)]
        out += [_line(x, widths) for x in body]
        phase = r.get("phase") or {}
        out.append(f"{r.get('reps')} rounds after {r.get('warmup')} warm-up rounds; other load "
                   f"{_f(phase.get('other_cores'), '{:.2f}')} cores")
        if r.get("breakdown_error"):
            out.append(f"  breakdown: {r['breakdown_error']}")
        for req, b in ((r.get("breakdown") or {}).get("requests") or {}).items():
            if b.get("error"):
                out.append(f"  {req}: {b['error']}")
                continue
            top = (b.get("slowest") or [{}])[0]
            plan = top.get("plan") or {}
            out.append(f"  {req}: {b['in_process_ms']:.0f} ms in process, SQL {b['sql_ms']:.0f} "
                       f"ms in {b['statements']} statements; slowest {top.get('ms')} ms"
                       + (f" [{'; '.join(plan.get('scans') or plan.get('steps') or [])}]"
                          if plan else ""))
    return out


def records_markdown(results: dict) -> str:
    m = results["machine"]
    lines = [RECORDS_START, "",
             f"Measured {m['date']} on {m['cpu']}, {m['cores']} cores"
             + (f", {m['memory_gib']} GiB" if m.get("memory_gib") else "")
             + f", Python {m['python']}; the client on the same machine, one request at a time "
             "on a keep-alive connection, accepting gzip and brotli as a browser does. ms: from "
             "sending the request to the last byte of the answer; server CPU: the server "
             "process's CPU per request; DB CPU: its PostgreSQL backends'.", ""]
    for name, r in results["scenarios"].items():
        if r.get("kind") != "records":
            continue
        pg = r.get("postgres") or {}
        settings = ", ".join(f"{k} {v}" for k, v in pg.items() if k != "version")
        lines += [f"**`{name}`** ({r.get('database')}"
                  + (f" {pg['version'].split()[0]}" if pg.get("version") else "") + f"): "
                  f"{_records_setup(r)}." + (f" Settings: {settings}." if settings else ""), ""]
        if r.get("skipped") or r.get("error"):
            lines += [f"Not measured: {r.get('skipped') or r['error']}", ""]
            continue
        phase = r.get("phase") or {}
        lines += ["| " + " | ".join(RECORDS_HEAD) + " |",
                  "|" + "|".join("---" for _ in RECORDS_HEAD) + "|"]
        lines += ["| " + " | ".join(x) + " |" for x in _records_rows(r)]
        lines += ["", f"{r.get('reps')} rounds of every request after {r.get('warmup')} "
                      f"warm-up rounds; other load meanwhile "
                      f"{_f(phase.get('other_cores'), '{:.2f}')} cores."
                  + (" Not measured, the record pages: "
                     + ", ".join(f"`{k}` ({v})" for k, v in r["skipped_requests"].items()) + "."
                     if r.get("skipped_requests") else ""), ""]
        b = (r.get("breakdown") or {}).get("requests") or {}
        if b:
            lines += ["| request | in process ms | SQL ms | statements | slowest statement "
                      "ms | its plan |", "|---|---|---|---|---|---|"]
            for req, x in b.items():
                if x.get("error"):
                    lines.append(f"| {req} | {x['error']} | | | | |")
                    continue
                top = (x.get("slowest") or [{}])[0]
                plan = top.get("plan") or {}
                words = "; ".join(plan.get("scans") or plan.get("steps") or [])
                extra = [f"{plan['workers_launched']} parallel workers"
                         if plan.get("workers_launched") else "",
                         f"JIT {plan['jit_ms']:.0f} ms" if plan.get("jit_ms") else ""]
                words = "; ".join(x for x in [words, *extra] if x)
                lines.append(f"| {req} | {x['in_process_ms']:.0f} | {x['sql_ms']:.0f} | "
                             f"{x['statements']} | {_f(top.get('ms'), '{:.0f}')} | "
                             f"{words or '–'} |")
            lines.append("")
    lines += ["| target | measured | limit | result |", "|---|---|---|---|"]
    lines += [f"| {t['target']} | {t['value']} | {t['limit']} | {t['result']} |"
              for t in records_targets(results)]
    lines += ["", RECORDS_END]
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Print or publish the benchmark figures.")
    parser.add_argument("--json", type=Path, default=LATEST)
    parser.add_argument("--update-docs", nargs="?", const=BENCH.parent / "docs" /
                        "performance.md", type=Path, metavar="PATH")
    args = parser.parse_args(argv)
    results = json.loads(args.json.read_text())
    print(text_table(results))
    write_tables(results, args.json.parent)
    if args.update_docs:
        publish(results, args.update_docs)


if __name__ == "__main__":
    sys.exit(main())
