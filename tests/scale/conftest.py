"""Fixtures of the multi-process tests: a fresh PostgreSQL database, a small quiz, and the
deployment of docs/deploy.md (two server processes behind nginx, on PostgreSQL and Redis)."""
from __future__ import annotations

import secrets
import shutil
import subprocess
import time

import psycopg
import pytest
import requests

from bench.cluster import nginx_config
from tests.support import POSTGRES as PG
from tests.support import REDIS, ServerProcess, free_port, quiz_folder, start_together

#: Questions of the quiz the multi-process tests play.
QUESTIONS = 4


@pytest.fixture
def database():
    name = f"quizapp_test_{secrets.token_hex(4)}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{PG}/{name}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def quiz_dir(tmp_path):
    return quiz_folder(tmp_path / "questions", "cluster", [f"Q{i}" for i in range(QUESTIONS)])


@pytest.fixture
def cluster(tmp_path, database, quiz_dir):
    """``(url, servers, channel)``: nginx at ``url`` in front of two processes (gevent) on one
    PostgreSQL database and one Redis channel."""
    assert shutil.which("nginx"), "install nginx (apt-get install nginx)"
    front = free_port()
    url = f"http://127.0.0.1:{front}"
    env = {"DATABASE_URL": database, "REDIS_URL": REDIS, "QUIZAPP_ENV": "production",
           "QUIZAPP_SECRET_KEY": secrets.token_urlsafe(48), "QUIZAPP_PROXIES": "1",
           "QUIZAPP_REDIS_CHANNEL": f"test-{secrets.token_hex(4)}", "QUIZAPP_PUBLIC_URL": url}
    servers = [ServerProcess(tmp_path / f"p{i}", questions=quiz_dir, env=env) for i in (1, 2)]
    for s in servers:
        s.env["QUIZAPP_PUBLIC_URL"] = url
    procs = []
    try:
        start_together(servers)
        conf = nginx_config(tmp_path, front, [s.port for s in servers])
        nginx = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(tmp_path)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        procs.append(nginx)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if requests.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            raise RuntimeError((tmp_path / "error.log").read_text())
        yield url, servers, env["QUIZAPP_REDIS_CHANNEL"]
    finally:
        for p in procs:
            p.terminate()
            p.wait(10)
        for s in servers:
            s.stop()
