"""The deployment of docs/deploy.md as a server under test: N ``python wsgi.py`` processes (gevent)
on a fresh PostgreSQL database and a Redis channel of their own, behind nginx with
``deploy/nginx.conf`` (routing by PIN), all started with :func:`bench.servers.spawn` and ended by
PID. :class:`Cluster` has the interface of :class:`bench.servers.Server`, so the game scenarios
drive it unchanged; memory and CPU are summed over the server processes (nginx not included).

``nginx_config`` adapts deploy/nginx.conf to loopback ports and a temporary folder; the scale test
(tests/scale/test_cluster.py) uses it too.

PostgreSQL and Redis are expected to be running: ``BENCH_POSTGRES`` (default
``postgresql://postgres@127.0.0.1:5432``, a role that may create databases) and ``BENCH_REDIS``
(default ``redis://127.0.0.1:6379/0``).
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .servers import (ADMIN_PASSWORD, HIGH_LIMITS, QUIZ_DIR, ROOT, api_token, cpu_seconds,
                      free_port, http_json, rss_kb, spawn, stop, total)

POSTGRES = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0")


def nginx_config(tmp: Path, port: int, upstreams: list[int], error_log: Path | None = None
                 ) -> Path:
    """deploy/nginx.conf as shipped, listening on 127.0.0.1:``port`` with one upstream line per
    port in ``upstreams``, its pid, error log (unless ``error_log`` says where) and temporary
    files in ``tmp``; returns the path of the written file (run it with
    ``nginx -c PATH -p TMP``)."""
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    conf = re.sub(r"listen 80;", f"listen 127.0.0.1:{port};", conf)
    servers = "".join(f"        server 127.0.0.1:{p} max_fails=2 fail_timeout=10s;\n"
                      for p in upstreams)
    conf = re.sub(r"(        server 127\.0\.0\.1:500\d [^\n]*\n)+", servers, conf)
    if not all(f"127.0.0.1:{p}" in conf for p in upstreams):
        raise RuntimeError("deploy/nginx.conf: the upstream server lines were not found")
    for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / d).mkdir(exist_ok=True)
    head = f"daemon off;\npid {tmp}/nginx.pid;\nerror_log {error_log or tmp / 'error.log'};\n"
    if os.geteuid() == 0:
        head += "user root;\n"  # the workers must read the temporary folder
    conf = head + conf.replace(
        "http {", "http {\n" + "".join(f"    {d}_temp_path {tmp}/{d};\n" if d != "body" else
                                       f"    client_body_temp_path {tmp}/body;\n"
                                       for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi")), 1)
    path = tmp / "nginx.conf"
    path.write_text(conf)
    return path


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry))
    return out


class Cluster:
    """``processes`` project servers behind nginx, on PostgreSQL and Redis (see the module)."""

    kind = "project"

    def __init__(self, processes: int, logs: Path, name: str, cpus: set[int] | None = None,
                 mode: str = "gevent"):
        self.processes, self.name, self.cpus, self.mode = processes, name, cpus, mode
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tmp = Path(tempfile.mkdtemp(prefix=f"quizbench-{name.replace(':', '-')}-"))
        safe = name.replace(":", "-")
        self.log_paths = [logs / f"{safe}.server{i + 1}.log" for i in range(processes)]
        self.nginx_log = logs / f"{safe}.nginx.log"  # nginx's error log
        self.log_path = self.log_paths[0]
        self.ports = [free_port() for _ in range(processes)]
        self.procs: list[subprocess.Popen] = []
        self.nginx: subprocess.Popen | None = None
        self.database: str | None = None  # created, to be dropped
        self.channel = f"quizbench-{secrets.token_hex(4)}"
        self.redis_pid: int | None = None

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    # ----- start and stop ----------------------------------------------------------------------

    def _check_services(self) -> None:
        if not shutil.which("nginx"):
            raise RuntimeError("nginx is not installed (apt-get install nginx)")
        try:
            import redis

            client = redis.Redis.from_url(REDIS, socket_timeout=5, socket_connect_timeout=5)
            client.ping()
            self.redis_pid = int(client.info("server").get("process_id") or 0) or None
            client.close()
        except Exception as exc:  # noqa: BLE001 - any failure means: no usable Redis
            raise RuntimeError(f"Redis at {REDIS} is unavailable: {type(exc).__name__}: {exc}"
                               ) from None

    def _create_database(self) -> str:
        import psycopg

        name = f"quizbench_{secrets.token_hex(4)}"
        try:
            with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True,
                                 connect_timeout=5) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
        except Exception as exc:  # noqa: BLE001
            raise RuntimeError(f"PostgreSQL at {POSTGRES} is unavailable: "
                               f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else exc}") from None
        self.database = name
        return f"{POSTGRES}/{name}"

    def _drop_database(self) -> None:
        if not self.database:
            return
        import psycopg

        try:
            with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True,
                                 connect_timeout=5) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            self.database = None
        except Exception as exc:  # noqa: BLE001 - reported, the run goes on
            print(f"[{self.name}] could not drop database {self.database}: {exc}",
                  file=sys.stderr, flush=True)

    def _pin(self, pid: int) -> None:
        if self.cpus:
            try:
                os.sched_setaffinity(pid, self.cpus)
            except OSError:
                pass

    def _wait_healthy(self, url: str, alive, what: str, deadline: float) -> None:
        while time.monotonic() < deadline:
            if not alive():
                raise RuntimeError(f"{self.name}: {what} exited:\n{self.log()[-3000:]}")
            try:
                status, _ = http_json(url + "/healthz", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name}: {what} did not answer in time:\n{self.log()[-3000:]}")

    def start(self, timeout: float = 90) -> "Cluster":
        self._check_services()
        database_url = self._create_database()
        env = {k: v for k, v in os.environ.items()
               if k not in ("DATABASE_URL", "REDIS_URL", "QUIZAPP_ENV")}
        env.update(PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1")
        env.update(HIGH_LIMITS)
        env.update(DATABASE_URL=database_url, REDIS_URL=REDIS, QUIZAPP_ENV="production",
                   QUIZAPP_SECRET_KEY=secrets.token_urlsafe(48), QUIZAPP_PROXIES="1",
                   QUIZAPP_REDIS_CHANNEL=self.channel, QUIZAPP_PUBLIC_URL=self.url,
                   QUIZAPP_ADMIN_PASSWORD=ADMIN_PASSWORD, QUIZAPP_QUESTIONS_DIR=str(QUIZ_DIR),
                   QUIZAPP_ASYNC_MODE=self.mode, QUIZAPP_SEED_DEMO="1")
        deadline = time.monotonic() + timeout
        # all at once: the first migrates the database, the others wait on its advisory lock
        for i, (port, log) in enumerate(zip(self.ports, self.log_paths, strict=True)):
            log.write_bytes(b"")
            proc_env = dict(env, QUIZAPP_INSTANCE_PATH=str(self.tmp / f"p{i + 1}" / "instance"))
            proc = spawn([sys.executable, str(ROOT / "wsgi.py"), "--host", "127.0.0.1",
                          "--port", str(port)], log, proc_env)
            self.procs.append(proc)
            self._pin(proc.pid)
        for i, (proc, port) in enumerate(zip(self.procs, self.ports, strict=True)):
            self._wait_healthy(f"http://127.0.0.1:{port}", lambda p=proc: p.poll() is None,
                               f"server process {i + 1}", deadline)
        self.nginx_log.write_bytes(b"")
        conf = nginx_config(self.tmp, self.port, self.ports, self.nginx_log)
        self.nginx = spawn(["nginx", "-c", str(conf), "-p", str(self.tmp), "-e",
                            str(self.nginx_log)], self.nginx_log)
        self._wait_healthy(self.url, lambda: self.nginx.poll() is None, "nginx", deadline)
        for pid in [self.nginx.pid, *_children(self.nginx.pid)]:
            self._pin(pid)  # nginx shares the server processes' CPUs
        return self

    def stop(self) -> None:
        for proc in self.procs:
            try:
                stop(proc)
            except Exception:  # noqa: BLE001 - keep cleaning up
                pass
        try:
            stop(self.nginx)  # SIGTERM: the master ends its workers
        except Exception:  # noqa: BLE001
            pass
        self._drop_database()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # ----- the interface the scenarios use -----------------------------------------------------

    def alive(self) -> bool:
        return (bool(self.procs) and all(p.poll() is None for p in self.procs)
                and self.nginx is not None and self.nginx.poll() is None)

    def log(self) -> str:
        parts = []
        for i, path in enumerate(self.log_paths):
            if path.exists():
                parts.append(f"--- server process {i + 1} ({path.name}) ---\n"
                             + path.read_text(errors="replace"))
        if self.nginx_log.exists() and self.nginx_log.stat().st_size:
            parts.append(f"--- nginx ({self.nginx_log.name}) ---\n"
                         + self.nginx_log.read_text(errors="replace"))
        return "\n".join(parts)

    def rss_kb(self) -> int | None:
        """Summed over the server processes (nginx not included)."""
        return total(rss_kb, self.pids)

    def cpu(self) -> float | None:
        """Summed over the server processes (nginx not included)."""
        return total(cpu_seconds, self.pids)

    def token(self) -> dict:
        return api_token(self.url, "admin", ADMIN_PASSWORD)

    # ----- extras for the cluster scenarios ----------------------------------------------------

    def games_per_process(self) -> list[int | None]:
        """Live games each process holds (``/healthz``), to see how the PINs spread."""
        out = []
        for port in self.ports:
            try:
                status, body = http_json(f"http://127.0.0.1:{port}/healthz", timeout=5)
                out.append(body.get("games") if status == 200 else None)
            except OSError:
                out.append(None)
        return out

    def _service_seconds(self) -> dict:
        out: dict = {"nginx": None, "redis": None, "postgres": {}}
        if self.nginx is not None and self.nginx.poll() is None:
            out["nginx"] = total(cpu_seconds, [self.nginx.pid, *_children(self.nginx.pid)])
        if self.redis_pid:
            out["redis"] = cpu_seconds(self.redis_pid)
        if self.database:
            try:
                import psycopg

                with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True,
                                     connect_timeout=2) as conn:
                    rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s",
                                        (self.database,)).fetchall()
                for (pid,) in rows:
                    if (value := cpu_seconds(pid)) is not None:
                        out["postgres"][pid] = value
            except Exception:  # noqa: BLE001 - a figure less
                out["postgres"] = None
        return out

    def services_mark(self) -> None:
        """Start counting the CPU of what serves the processes (see :meth:`services_used`)."""
        self._services0 = self._service_seconds()

    def services_used(self) -> dict[str, float | None]:
        """CPU seconds since :meth:`services_mark` of nginx (master and workers), the PostgreSQL
        backends connected to this database (those alive at the end; a backend that ended
        meanwhile is missed) and the Redis server (shared with whatever else uses it). They are
        neither the server processes nor the load generator; the scenario keeps them out of
        "other load"."""
        before, now = getattr(self, "_services0", None), self._service_seconds()
        out: dict[str, float | None] = {}
        for key in ("nginx", "redis"):
            b, n = (before or {}).get(key), now[key]
            out[key] = round(n - b, 2) if b is not None and n is not None else None
        b, n = (before or {}).get("postgres"), now["postgres"]
        out["postgres"] = (round(sum(v - b.get(pid, 0.0) for pid, v in n.items()), 2)
                           if b is not None and n is not None else None)
        return out

