"""Running the real server as a separate process, for end-to-end and browser tests."""
from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
TEST_QUESTIONS = Path(__file__).parent / "data" / "questions"
ADMIN_PASSWORD = "e2e-admin-password"
#: The async modes a real server runs in (QUIZAPP_ASYNC_MODE); gevent is the default.
MODES = ["gevent", "eventlet"]
#: The multi-process tests' PostgreSQL server and Redis (running on the CI machine).
POSTGRES = "postgresql://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/0"


def quiz_folder(folder: Path, slug: str, texts: list[str], time_limit: int = 60,
                choices: tuple[str, ...] = ("a", "b", "c")) -> Path:
    """A question folder (``QUIZAPP_QUESTIONS_DIR``) holding one quiz ``slug``: a single-choice
    question per text; question i's correct choice is i modulo the number of choices, and its
    explanation "Lesson i+1."."""
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{slug}.yaml").write_text(yaml.safe_dump({
        "slug": slug, "title": slug.title(), "language": "en", "questions": [
            {"type": "single", "text": text, "choices": list(choices),
             "correct": [i % len(choices)], "time_limit": time_limit,
             "explanation": f"Lesson {i + 1}."} for i, text in enumerate(texts)]},
        allow_unicode=True))
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """``python wsgi.py`` in its own instance folder, on a free loopback port."""

    def __init__(self, instance: Path, port: int | None = None, questions: Path = TEST_QUESTIONS,
                 mode: str = "gevent", env: dict | None = None):
        self.instance = instance
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "QUIZAPP_INSTANCE_PATH": str(instance),
                    "QUIZAPP_ADMIN_PASSWORD": ADMIN_PASSWORD, "QUIZAPP_PUBLIC_URL": self.url,
                    "QUIZAPP_QUESTIONS_DIR": str(questions), "QUIZAPP_ASYNC_MODE": mode,
                    "PYTHONUNBUFFERED": "1", **(env or {})}
        if "DATABASE_URL" not in (env or {}):
            self.env.pop("DATABASE_URL", None)
        self.log_path = instance / "server.log"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> "ServerProcess":
        self.instance.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, str(ROOT / "wsgi.py"), "--host", "127.0.0.1",
                 "--port", str(self.port)],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def token(self, username: str = "admin", password: str = ADMIN_PASSWORD) -> dict:
        auth = base64.b64encode(f"{username}:{password}".encode()).decode()
        response = requests.post(self.url + "/api/v1/tokens",
                                 headers={"Authorization": f"Basic {auth}"}, timeout=10)
        response.raise_for_status()
        return {"Authorization": "Bearer " + response.json()["token"]}

    def create_game(self, headers: dict, quiz: str = "test-quiz", **body) -> dict:
        response = requests.post(self.url + "/api/v1/games", headers=headers,
                                 json={"quiz": quiz, "school": "DEMO", **body}, timeout=10)
        assert response.status_code == 201, response.text
        return response.json()


def start_together(servers: list["ServerProcess"]) -> None:
    """Start the servers at the same moment (as a deployment's processes do; the first start's
    set-up lock makes them take turns), and check that they all run."""
    import threading

    threads = [threading.Thread(target=s.start) for s in servers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(s.proc and s.proc.poll() is None for s in servers), [s.log() for s in servers]
