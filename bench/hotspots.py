"""Summarise a py-spy profile (``--format raw``: collapsed stacks, one ``a;b;c count`` a line).

``python -m bench.hotspots bench/results/profile-game1000.txt`` prints where the server spent
its CPU: the functions on top of the stack (self time), and the functions below which the time
was spent (inclusive time), the project's own ones apart.
"""
from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<fn>.*?) \((?P<file>[^():]*?)(?::(?P<line>\d+))?\)$")


def _short(frame: str) -> str:
    """``answer (/srv/quizapp/realtime/live.py:263)`` → ``answer (quizapp/realtime/live.py)``."""
    m = FRAME.match(frame.strip())
    if not m:
        return frame.strip()
    path = m["file"]
    for marker in ("site-packages/", "lib/python3", "/quizapp/", "/bench/"):
        if marker in path:
            tail = path.split(marker, 1)[1]
            path = (marker.strip("/") + "/" + tail) if marker.startswith("/") else tail
            break
    if path.startswith("python3."):
        path = "stdlib/" + path.split("/", 1)[-1]
    return f"{m['fn']} ({path})"


def summarise(path: str | Path, top: int = 15) -> dict:
    self_time: Counter = Counter()
    inclusive: Counter = Counter()
    own: Counter = Counter()
    total = 0
    for line in Path(path).read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [_short(f) for f in stack.split(";") if f.strip()]
        # py-spy puts the thread first ("process 1:..." / "thread (0x...)"): drop non-frames
        frames = [f for f in frames if "(" in f]
        if not frames:
            continue
        self_time[frames[-1]] += n
        for f in set(frames):
            inclusive[f] += n
            if "quizapp/" in f:
                own[f] += n
    pct = (lambda c: [(name, round(100 * n / total, 1)) for name, n in c.most_common(top)]) \
        if total else (lambda c: [])
    return {"samples": total, "self": pct(self_time), "inclusive": pct(inclusive),
            "project": pct(own)}


def describe(s: dict) -> str:
    lines = [f"{s['samples']} samples"]
    for key, title in (("self", "on top of the stack (self)"),
                       ("project", "project functions (inclusive)"),
                       ("inclusive", "all functions (inclusive)")):
        lines.append(f"-- {title}")
        lines += [f"  {p:5.1f}%  {name}" for name, p in s[key]]
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python -m bench.hotspots PROFILE.txt [TOP]")
    print(describe(summarise(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 15)))
