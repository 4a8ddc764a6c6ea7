"""Starting the servers under test as separate processes, reading their memory and CPU from
/proc, the JSON API, and cleaning up every process the benchmark started (by PID)."""
from __future__ import annotations

import base64
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
QUIZ_DIR = BENCH / "quiz"
QUIZ_SLUG = "bench-quiz"
ADMIN_PASSWORD = "bench-admin-password"
CLK_TCK = os.sysconf("SC_CLK_TCK")
#: Limits raised for the run: every bot comes from 127.0.0.1.
HIGH_LIMITS = {
    "QUIZAPP_LIMIT_JOINS": "1000000 per minute",
    "QUIZAPP_LIMIT_JOINS_PER_CONNECTION": "1000000 per minute",
    "QUIZAPP_LIMIT_PIN_MISSES": "1000000 per minute",
    "QUIZAPP_LIMIT_LOGIN": "1000 per minute",
    "QUIZAPP_LIMIT_LOGIN_USER": "1000 per minute",
}

_started: dict[int, subprocess.Popen] = {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _child_setup() -> None:
    """In the child before exec: die with the benchmark (even if it is killed)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def spawn(args: list[str], log_path: Path, env: dict | None = None,
          cwd: Path = ROOT) -> subprocess.Popen:
    """Start a process that :func:`stop` or :func:`stop_all` will end (by PID)."""
    log = open(log_path, "ab")
    try:
        proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, preexec_fn=_child_setup)
    finally:
        log.close()
    _started[proc.pid] = proc
    return proc


def stop(proc: subprocess.Popen | None, sig: int = signal.SIGTERM, timeout: float = 10) -> None:
    if proc is None:
        return
    if proc.poll() is None:
        try:
            os.kill(proc.pid, sig)
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(5)
        except ProcessLookupError:
            pass
    _started.pop(proc.pid, None)


def stop_all() -> None:
    """End every process started through :func:`spawn` that is still running."""
    for proc in list(_started.values()):
        try:
            stop(proc, timeout=5)
        except Exception:  # noqa: BLE001 - keep cleaning up
            pass


def reap_descendants() -> None:
    """Last resort on the way out: SIGKILL any process still below this one (by PID, only our
    own descendants: workers, servers, the profiler, a browser left by an interrupted run)."""
    me = os.getpid()
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    todo, found = [me], []
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    for pid in found:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


# ----- /proc ------------------------------------------------------------------------------------

def rss_kb(pid: int) -> int | None:
    """Resident memory (VmRSS) in KiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of the process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15)


def system_busy_seconds() -> float | None:
    """CPU seconds all cores of the machine have spent busy since boot (/proc/stat)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    busy = sum(fields[:8]) - idle  # user nice system idle iowait irq softirq steal
    return busy / CLK_TCK


def wait_quiet(max_wait: float, threshold: float = 0.25, window: float = 1.0) -> dict:
    """Wait (at most ``max_wait`` s) until other processes use less than ``threshold`` of a core
    over ``window`` s; returns what was seen. Other work on the machine (tests, builds) takes
    CPU from the server and the load generator and makes the figures worse than they are."""
    deadline = time.monotonic() + max_wait
    own = lambda: sum(os.times()[:2])  # noqa: E731
    seen = None
    while True:
        b0, o0, t0 = system_busy_seconds(), own(), time.monotonic()
        time.sleep(window)
        b1, o1, t1 = system_busy_seconds(), own(), time.monotonic()
        if b0 is None or b1 is None:
            return {"other_cores": None, "waited_s": 0}
        seen = max(0.0, (b1 - b0) - (o1 - o0)) / (t1 - t0)
        if seen < threshold or time.monotonic() >= deadline:
            return {"other_cores": round(seen, 2),
                    "waited_s": round(max_wait - max(0.0, deadline - time.monotonic()), 1)}


def total(fn, pids: list[int]):
    values = [fn(p) for p in pids]
    if not pids or any(v is None for v in values):
        return None
    return sum(values)


# ----- HTTP -------------------------------------------------------------------------------------

def http_json(url: str, method: str = "GET", body: dict | None = None,
              headers: dict | None = None, timeout: float = 30) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as err:
        try:
            return err.code, json.loads(err.read() or b"{}")
        except ValueError:
            return err.code, {}


def api_token(base: str, user: str, password: str) -> dict:
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    status, body = http_json(base + "/api/v1/tokens", "POST",
                             headers={"Authorization": f"Basic {auth}"})
    if status != 200:
        raise RuntimeError(f"POST /api/v1/tokens: {status} {body}")
    return {"Authorization": "Bearer " + body["token"]}


def create_game(base: str, headers: dict, quiz: str = QUIZ_SLUG, school: str = "DEMO") -> dict:
    status, body = http_json(base + "/api/v1/games", "POST",
                             {"quiz": quiz, "school": school, "class_label": "bench"},
                             headers=headers)
    if status != 201:
        raise RuntimeError(f"POST /api/v1/games: {status} {body}")
    return body


def check_loopback(url: str) -> None:
    """The benchmark only ever targets this machine."""
    host = urllib.parse.urlsplit(url).hostname or ""
    if host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("127."):
        raise SystemExit(f"refusing to target {host!r}: only loopback addresses (127.0.0.1)")


# ----- servers ----------------------------------------------------------------------------------

class Server:
    """A server under test, in its own process (and, for the project, its own instance folder).

    ``kind`` is ``project`` (``python wsgi.py``) or ``bare`` (``bench/bare_server.py``);
    ``mode`` is the async mode (gevent or eventlet).
    """

    def __init__(self, kind: str, mode: str, logs: Path, name: str,
                 cpus: set[int] | None = None, env: dict | None = None):
        self.kind, self.mode, self.name, self.cpus = kind, mode, name, cpus
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tmp = Path(tempfile.mkdtemp(prefix=f"quizbench-{name}-"))
        self.log_path = logs / f"{name}.server.log"
        self.extra_env = env or {}
        self.proc: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def pids(self) -> list[int]:
        return [self.proc.pid] if self.proc else []

    def start(self, timeout: float = 60) -> "Server":
        env = {k: v for k, v in os.environ.items()
               if k not in ("DATABASE_URL", "REDIS_URL", "QUIZAPP_ENV")}
        env.update(PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1")
        if self.kind == "project":
            env.update(HIGH_LIMITS)
            env.update(QUIZAPP_INSTANCE_PATH=str(self.tmp / "instance"),
                       QUIZAPP_ADMIN_PASSWORD=ADMIN_PASSWORD, QUIZAPP_PUBLIC_URL=self.url,
                       QUIZAPP_QUESTIONS_DIR=str(QUIZ_DIR), QUIZAPP_ASYNC_MODE=self.mode,
                       QUIZAPP_SEED_DEMO="1")
            args = [sys.executable, str(ROOT / "wsgi.py"), "--host", "127.0.0.1",
                    "--port", str(self.port)]
        else:
            env["BARE_ASYNC_MODE"] = self.mode
            args = [sys.executable, str(BENCH / "bare_server.py"), "--host", "127.0.0.1",
                    "--port", str(self.port)]
        env.update(self.extra_env)
        self.log_path.write_bytes(b"")
        self.proc = spawn(args, self.log_path, env)
        if self.cpus:
            try:
                os.sched_setaffinity(self.proc.pid, self.cpus)
            except OSError:
                pass
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name}: server exited:\n{self.log()[-3000:]}")
            try:
                status, _ = http_json(self.url + "/healthz", timeout=2)
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name}: server did not start in {timeout:.0f} s:\n"
                           f"{self.log()[-3000:]}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def rss_kb(self) -> int | None:
        return rss_kb(self.proc.pid) if self.proc else None

    def cpu(self) -> float | None:
        return cpu_seconds(self.proc.pid) if self.proc else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        stop(self.proc)
        shutil.rmtree(self.tmp, ignore_errors=True)

    # the project's API
    def token(self) -> dict:
        return api_token(self.url, "admin", ADMIN_PASSWORD)


class Remote:
    """An already running deployment (``--url``): nothing to start; memory and CPU only if its
    process ids are given (``--server-pid``), summed over them."""

    kind = "project"

    def __init__(self, url: str, pids: list[int], user: str, password: str, mode: str = "?"):
        self.url, self.pids_, self.user, self.password, self.mode = url, pids, user, password, mode
        self.name = "remote"
        self.log_path = None

    @property
    def pids(self) -> list[int]:
        return self.pids_

    def start(self, timeout: float = 30) -> "Remote":
        status, _ = http_json(self.url + "/healthz", timeout=timeout)
        if status != 200:
            raise RuntimeError(f"{self.url}/healthz answered {status}")
        return self

    def log(self) -> str:
        return ""

    def rss_kb(self):
        return total(rss_kb, self.pids_)

    def cpu(self):
        return total(cpu_seconds, self.pids_)

    def alive(self) -> bool:
        return True

    def stop(self) -> None:
        pass

    def token(self) -> dict:
        return api_token(self.url, self.user, self.password)
