"""The load generator: worker processes full of player bots, and the hosts that drive the games.

Each worker process runs one asyncio loop (uvloop if installed) with many python-socketio
``AsyncClient`` players, sharing one aiohttp session. Players and hosts connect over one of the
``TRANSPORTS``: straight over WebSocket (the default), the browser's way (HTTP long-polling first,
then the upgrade to WebSocket, as python-socketio's client does with its default transports and
the Socket.IO client of the phone page does), or long-polling only. The parent tells the
workers what to do over a pipe (connect, join, close) and they answer with their figures; while
a game runs, a worker tells the parent as soon as all of its players in a game have had their
answer to a question acknowledged.

Timestamps are ``time.monotonic()`` (CLOCK_MONOTONIC on Linux), the same clock in every process of
the machine, so the host's ``question:start`` in the parent and the acks in the workers compare.

Players answer the moment ``question:start`` arrives (no think time) with a choice that depends
only on their number, so every round is the same work for every server.
"""
from __future__ import annotations

import asyncio
import ctypes
import multiprocessing as mp
import os
import random
import signal
import sys
import time
from collections import Counter
from functools import partial

monotonic = time.monotonic

#: How players and hosts connect: the ``transports`` given to python-socketio's ``connect``.
#: ``browser`` gives none, so the client does what it does by default, as a browser does: an
#: HTTP long-polling handshake, then the upgrade to WebSocket (probe, then the "5" upgrade
#: packet); if the upgrade fails the client stays on long-polling without a word, which is why
#: every bot's final transport is recorded.
TRANSPORTS: dict[str, list[str] | None] = {
    "websocket": ["websocket"],
    "browser": None,
    "polling": ["polling"],
}


#: Browser-like and long-polling bots each have HTTP connections of their own, as phones do: at
#: most 6 to the server (Chromium's limit per host), an idle one kept up to 5 minutes, so a
#: long-polling bot's GET and POST travel on its own connections rather than on ones shared with
#: other bots. (After the upgrade nothing stays idle, unlike a phone's: aiohttp opens the
#: WebSocket on the pooled connection of the handshake, and the bots load no page. The page
#: scenario counts the connections a real phone keeps.) WebSocket-only bots share one pool per
#: worker: they make one HTTP request each, the WebSocket's.
PHONE_CONNECTIONS = 6
PHONE_KEEPALIVE_S = 300.0


def check_transport(transport: str) -> list[str] | None:
    if transport not in TRANSPORTS:
        raise ValueError(f"unknown transport {transport!r} (one of {', '.join(TRANSPORTS)})")
    return TRANSPORTS[transport]


def current_transport(sio) -> str:
    """The Engine.IO transport a client is on now (``websocket`` or ``polling``), or
    ``disconnected``."""
    if not sio.connected:
        return "disconnected"
    return sio.transport() or "unknown"


def _die_with_parent() -> None:
    """Linux: get SIGTERM if the process that started us dies, even by SIGKILL."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def fast_json():
    """orjson behind the ``json`` interface python-socketio expects, if it is installed: the
    bots spend less of the shared CPU on encoding. Falls back to the standard module."""
    try:
        import orjson
    except ImportError:
        return None

    class OrJSON:
        JSONDecodeError = orjson.JSONDecodeError

        @staticmethod
        def dumps(obj, **_):
            return orjson.dumps(obj).decode()

        @staticmethod
        def loads(s, **_):
            return orjson.loads(s)

    return OrJSON


def new_loop_policy() -> None:
    try:
        import uvloop
    except ImportError:
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


# ----- worker side ------------------------------------------------------------------------------

class Bot:
    """One phone."""

    __slots__ = ("w", "game", "pin", "nickname", "n", "sio", "joined", "closing", "rng", "http")

    def __init__(self, worker: "Worker", game: int, pin: str, nickname: str, n: int):
        import socketio

        self.w, self.game, self.pin, self.nickname, self.n = worker, game, pin, nickname, n
        self.joined = self.closing = False
        self.rng = random.Random(n) if worker.think else None
        self.http = worker.http if worker.transport == "websocket" else worker.phone_http()
        # request_timeout: the handshake and every long-polling POST (python-engineio's default,
        # 5 s, would drop a phone whose POST waits behind a burst; a browser has no such limit)
        self.sio = socketio.AsyncClient(reconnection=False, handle_sigint=False,
                                        http_session=self.http, json=worker.json,
                                        request_timeout=worker.request_timeout)
        self.sio.on("question:start", self.on_question)
        self.sio.on("question:reveal", partial(worker.count, "question:reveal"))
        self.sio.on("player:result", partial(worker.count, "player:result"))
        self.sio.on("leaderboard", partial(worker.count, "leaderboard"))
        self.sio.on("game:over", partial(worker.count, "game:over"))
        self.sio.on("disconnect", self.on_disconnect)

    async def connect(self, timeout: float) -> None:
        await self.sio.connect(f"{self.w.url}?pin={self.pin}", transports=self.w.transports,
                               wait_timeout=timeout)

    async def join(self, timeout: float) -> dict:
        ack = await self.sio.call("player:join", {"pin": self.pin, "nickname": self.nickname},
                                  timeout=timeout)
        self.joined = isinstance(ack, dict) and ack.get("ok") is True
        return ack

    async def on_question(self, q):
        t = monotonic()
        w = self.w
        i = q["index"]
        key = (self.game, i)
        seen = w.qrecv.get(key)
        if seen is None:
            w.qrecv[key] = [t, t]
        elif t > seen[1]:
            seen[1] = t
        if not self.joined:
            return
        if self.rng is not None:  # --think: a spread of answers instead of one burst
            await asyncio.sleep(self.rng.uniform(0, self.w.think))
        choice = self.n % len(q["choices"])
        await self.sio.emit("player:answer", {"question": i, "choice": choice},
                            callback=partial(self.on_ack, i, monotonic()))

    def on_ack(self, i, sent, ack=None):
        t = monotonic()
        w = self.w
        w.latencies.append(t - sent)
        key = (self.game, i)
        rec = w.acks.get(key)
        if rec is None:
            rec = w.acks[key] = [0, 0, 0.0]
        if isinstance(ack, dict) and ack.get("ok") is True:
            rec[0] += 1
        else:
            rec[1] += 1
            w.errors["answer:" + str(ack.get("error") if isinstance(ack, dict) else ack)] += 1
        if t > rec[2]:
            rec[2] = t
        if rec[0] + rec[1] == w.expected.get(self.game, -1):
            w.send(("acked", self.game, i, rec[0], rec[1], rec[2]))

    def on_disconnect(self, *args):
        if not self.closing:
            self.w.events["unexpected_disconnect"] += 1


class Worker:
    def __init__(self, conn, wid: int, url: str, specs: list[tuple[int, str, str, int]],
                 think: float = 0.0, transport: str = "websocket",
                 request_timeout: float = 60.0):
        self.conn, self.wid, self.url, self.specs = conn, wid, url, specs
        self.think = think
        self.transport = transport
        self.transports = check_transport(transport)
        self.request_timeout = request_timeout
        self.http = None
        self.json = fast_json()
        self.bots: list[Bot] = []
        self.expected: dict[int, int] = {}  # game -> players of this worker that joined
        self.acks: dict[tuple[int, int], list] = {}  # (game, index) -> [ok, errors, last ack]
        self.qrecv: dict[tuple[int, int], list] = {}  # (game, index) -> [first, last] receipt
        self.latencies: list[float] = []
        self.errors: Counter = Counter()
        self.events: Counter = Counter()

    def count(self, name, *args):
        self.events[name] += 1

    def send(self, msg) -> None:
        try:
            self.conn.send(msg)
        except (BrokenPipeError, OSError):
            os._exit(3)  # the parent is gone

    async def run(self) -> None:
        import aiohttp

        loop = asyncio.get_running_loop()
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                          cookie_jar=aiohttp.DummyCookieJar())
        self.bots = [Bot(self, *spec) for spec in self.specs]
        own = [b.http for b in self.bots if b.http is not self.http]
        inbox: asyncio.Queue = asyncio.Queue()

        def readable():
            try:
                inbox.put_nowait(self.conn.recv())
            except (EOFError, OSError):
                loop.remove_reader(self.conn.fileno())
                inbox.put_nowait(("close", 5.0))

        loop.add_reader(self.conn.fileno(), readable)
        try:
            while True:
                cmd, *args = await inbox.get()
                if cmd == "connect":
                    self.send(("connected", await self.connect_all(*args)))
                elif cmd == "join":
                    self.send(("joined", await self.join_all(*args)))
                elif cmd == "connect_join":
                    self.send(("connect_joined", await self.connect_join_all(*args)))
                elif cmd == "report":
                    await self.wait_game_over(*args)
                    self.send(("report", self.report()))
                elif cmd == "close":
                    await self.close(*args)
                    self.send(("closed", dict(self.events)))
                    return
        finally:
            await asyncio.gather(self.http.close(), *(h.close() for h in own if not h.closed),
                                 return_exceptions=True)

    def phone_http(self):
        """An HTTP connection pool of one phone's own (see ``PHONE_CONNECTIONS``)."""
        import aiohttp

        return aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=PHONE_CONNECTIONS,
                                           keepalive_timeout=PHONE_KEEPALIVE_S),
            cookie_jar=aiohttp.DummyCookieJar())

    async def _each(self, fn, bots, limit: int):
        sem = asyncio.Semaphore(limit) if limit > 0 else None

        async def one(bot):
            if sem is None:
                return await fn(bot)
            async with sem:
                return await fn(bot)

        return await asyncio.gather(*(one(b) for b in bots), return_exceptions=True)

    async def connect_all(self, limit: int, timeout: float) -> dict:
        lat: list[float] = []

        async def one(bot):
            t0 = monotonic()
            await bot.connect(timeout)
            lat.append(monotonic() - t0)

        t0 = monotonic()
        results = await self._each(one, self.bots, limit)
        t1 = monotonic()
        fails = [r for r in results if isinstance(r, BaseException)]
        for f in fails:
            self.errors["connect:" + type(f).__name__ + ":" + str(f)[:60]] += 1
        return {"ok": len(results) - len(fails), "failed": len(fails), "t0": t0, "t1": t1,
                "lat": lat}

    async def join_all(self, limit: int, timeout: float) -> dict:
        """Join every connected bot (the game scenarios connect everyone first)."""
        return await self._join_each(limit, timeout, connect=False)

    async def connect_join_all(self, limit: int, timeout: float) -> dict:
        """Connect and join straight away, as phones scanning the QR code do."""
        return await self._join_each(limit, timeout, connect=True)

    async def _join_each(self, limit: int, timeout: float, connect: bool) -> dict:
        lat: list[float] = []
        firsts: list[float] = []
        lasts: list[float] = []

        async def one(bot):
            if not connect and not bot.sio.connected:
                raise ConnectionError("not connected")
            t0 = monotonic()
            firsts.append(t0)
            if connect:
                await bot.connect(timeout)
            ack = await bot.join(timeout)
            t1 = monotonic()
            lasts.append(t1)
            lat.append(t1 - t0)
            if not bot.joined:
                raise RuntimeError(str(ack.get("error") if isinstance(ack, dict) else ack))

        results = await self._each(one, self.bots, limit)
        return self._joined(results, lat, firsts, lasts)

    def _joined(self, results, lat, firsts, lasts) -> dict:
        fails = [r for r in results if isinstance(r, BaseException)]
        for f in fails:
            self.errors["join:" + type(f).__name__ + ":" + str(f)[:60]] += 1
        self.expected = dict(Counter(b.game for b in self.bots if b.joined))
        return {"ok": len(results) - len(fails), "failed": len(fails),
                "t0": min(firsts, default=None), "t1": max(lasts, default=None), "lat": lat,
                "expected": self.expected, "transports": self.transports_now()}

    def transports_now(self) -> dict:
        """How many of this worker's joined bots are on each transport now."""
        return dict(Counter(current_transport(b.sio) for b in self.bots if b.joined))

    async def wait_game_over(self, wait: float = 0.0) -> None:
        """Give every joined bot up to ``wait`` s to hear ``game:over``: the host can hear it
        first, and a long-polling bot hears it only with its next poll."""
        deadline = monotonic() + wait
        joined = sum(self.expected.values())
        while self.events["game:over"] < joined and monotonic() < deadline:
            await asyncio.sleep(0.05)

    def report(self) -> dict:
        return {"acks": {f"{g}:{i}": v for (g, i), v in self.acks.items()},
                "qrecv": {f"{g}:{i}": v for (g, i), v in self.qrecv.items()},
                "latencies": self.latencies, "errors": dict(self.errors),
                "events": dict(self.events), "transports": self.transports_now()}

    async def close(self, timeout: float = 10.0) -> None:
        for b in self.bots:
            b.closing = True
        bots = [b for b in self.bots if b.sio.connected]
        try:
            await asyncio.wait_for(
                asyncio.gather(*(b.sio.disconnect() for b in bots), return_exceptions=True),
                timeout)
        except asyncio.TimeoutError:
            self.errors["close:timeout"] += 1


def worker_entry(conn, wid: int, url: str, specs, think: float = 0.0,
                 transport: str = "websocket", request_timeout: float = 60.0) -> None:
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    new_loop_policy()
    try:
        asyncio.run(Worker(conn, wid, url, specs, think, transport, request_timeout).run())
    except Exception as exc:  # report, then die: the parent's wait times out otherwise
        try:
            conn.send(("crashed", f"{type(exc).__name__}: {exc}"))
        except OSError:
            pass
        sys.exit(1)


# ----- parent side ------------------------------------------------------------------------------

class Pool:
    """The worker processes, and what they tell the parent."""

    def __init__(self, url: str, specs: list[tuple[int, str, str, int]], workers: int,
                 cpus: set[int] | None = None, think: float = 0.0,
                 transport: str = "websocket", request_timeout: float = 60.0):
        check_transport(transport)
        ctx = mp.get_context("fork")
        self.n = max(1, min(workers, len(specs) or 1))
        self.procs: list = []
        self.conns: list = []
        self.players_per_game: dict[int, int] = {}
        self.acked: dict[tuple[int, int], list] = {}  # (game, index) -> [ok, err, last, workers]
        self.done: dict[tuple[int, int], asyncio.Event] = {}
        self.done_at: dict[tuple[int, int], float] = {}
        self.on_done = None  # called with (game, index) when every player's ack is in
        self.replies: list[asyncio.Queue] = []
        self.crashed: list[str] = []
        for w in range(self.n):
            mine = specs[w::self.n]
            parent_conn, child_conn = ctx.Pipe()
            p = ctx.Process(target=worker_entry,
                            args=(child_conn, w, url, mine, think, transport, request_timeout),
                            daemon=True, name=f"bench-worker-{w}")
            p.start()
            child_conn.close()
            if cpus:
                try:
                    os.sched_setaffinity(p.pid, cpus)
                except OSError:
                    pass
            self.procs.append(p)
            self.conns.append(parent_conn)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs if p.pid]

    def attach(self) -> None:
        loop = asyncio.get_running_loop()
        self.replies = [asyncio.Queue() for _ in self.conns]
        for w, conn in enumerate(self.conns):
            loop.add_reader(conn.fileno(), self._readable, w)

    def detach(self) -> None:
        loop = asyncio.get_running_loop()
        for conn in self.conns:
            try:
                loop.remove_reader(conn.fileno())
            except (ValueError, OSError):
                pass

    def _readable(self, w: int) -> None:
        conn = self.conns[w]
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            asyncio.get_running_loop().remove_reader(conn.fileno())
            self.replies[w].put_nowait(("crashed", "worker exited"))
            return
        if msg[0] == "acked":
            _, game, index, ok, err, last = msg
            key = (game, index)
            rec = self.acked.setdefault(key, [0, 0, 0.0, 0])
            rec[0] += ok
            rec[1] += err
            rec[2] = max(rec[2], last)
            rec[3] += 1
            if rec[0] + rec[1] >= self.players_per_game.get(game, 1 << 30):
                self.done_at[key] = monotonic()
                if self.on_done is not None:
                    self.on_done(game, index)
                self.event(game, index).set()
            return
        if msg[0] == "crashed":
            self.crashed.append(msg[1])
        self.replies[w].put_nowait(msg)

    def event(self, game: int, index: int) -> asyncio.Event:
        key = (game, index)
        if key not in self.done:
            self.done[key] = asyncio.Event()
        return self.done[key]

    async def command(self, *cmd, timeout: float) -> list:
        """Send ``cmd`` to every worker; their replies, in worker order (bounded by timeout)."""
        for conn in self.conns:
            conn.send(cmd)

        async def reply(w):
            msg = await self.replies[w].get()
            if msg[0] == "crashed":
                raise RuntimeError(f"load-generator worker {w} crashed: {msg[1]}")
            return msg[1]

        return await asyncio.wait_for(asyncio.gather(*(reply(w) for w in range(self.n))),
                                      timeout)

    def terminate(self) -> None:
        for p in self.procs:
            if p.is_alive():
                p.terminate()
        deadline = monotonic() + 5
        for p in self.procs:
            p.join(max(0.1, deadline - monotonic()))
            if p.is_alive():
                p.kill()
                p.join(2)
        for conn in self.conns:
            conn.close()


class Host:
    """The presenter's screen for one game, as an API client with the game's host token.

    Project: on ``question:reveal`` it sends ``host:next`` (twice when that shows a leaderboard)
    until ``game:over``. Bare server (no reveal): it moves on once every player's answer is
    acknowledged. If a question is not over in ``question_timeout`` seconds the host closes it
    (``host:reveal``) and the question counts as not completed.
    """

    def __init__(self, url: str, game: int, info: dict, pool: Pool, bare: bool,
                 question_timeout: float, sample=None, sample_loadgen=None,
                 transport: str = "websocket", request_timeout: float = 60.0):
        import socketio

        self.url, self.game, self.info, self.pool, self.bare = url, game, info, pool, bare
        self.transport = transport
        self.transports = check_transport(transport)
        self.pin = info["pin"]
        self.question_timeout = question_timeout
        self.sample = sample or (lambda: None)  # server CPU seconds, or None
        self.sample_loadgen = sample_loadgen or (lambda: None)  # load generator CPU seconds
        self.sio = socketio.AsyncClient(reconnection=False, handle_sigint=False,
                                        json=fast_json(), request_timeout=request_timeout)
        self.transport_after_join: str | None = None
        self.qstart: dict[int, float] = {}
        self.reveal: dict[int, float] = {}
        self.cpu: dict[int, list] = {}  # index -> [at question:start, when every ack is in]
        self.lgcpu: dict[int, list] = {}  # the same for the load generator
        self.forced: set[int] = set()
        self.total = None
        self.over = asyncio.Event()
        self.errors: list[str] = []
        self.tasks: set = set()
        self.sio.on("question:start", self.on_question)
        self.sio.on("question:reveal", self.on_reveal)
        self.sio.on("game:over", self.on_over)

    def spawn(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def connect(self, timeout: float) -> None:
        await self.sio.connect(f"{self.url}?pin={self.pin}", transports=self.transports,
                               auth={"host_token": self.info.get("host_token", "")},
                               wait_timeout=timeout)
        ack = await self.sio.call("host:join", {"pin": self.pin}, timeout=timeout)
        if not ack.get("ok"):
            raise RuntimeError(f"host:join refused: {ack}")
        self.transport_after_join = current_transport(self.sio)

    async def start(self, timeout: float) -> None:
        ack = await self.sio.call("host:start", {"pin": self.pin}, timeout=timeout)
        if not ack.get("ok"):
            raise RuntimeError(f"host:start refused: {ack}")

    def answered(self, index: int) -> None:
        """Every player's answer to ``index`` is acknowledged (called by the pool)."""
        if index in self.cpu:
            self.cpu[index].append(self.sample())
            self.lgcpu[index].append(self.sample_loadgen())

    async def on_question(self, q):
        t = monotonic()
        i = q["index"]
        self.total = q.get("total")
        self.qstart[i] = t
        self.cpu[i] = [self.sample()]
        self.lgcpu[i] = [self.sample_loadgen()]
        self.spawn(self.watch(i))

    async def watch(self, i: int) -> None:
        done = self.pool.event(self.game, i)
        try:
            await asyncio.wait_for(done.wait(), self.question_timeout)
        except asyncio.TimeoutError:
            self.forced.add(i)
            self.errors.append(f"question {i}: not every answer acknowledged in "
                               f"{self.question_timeout:.0f} s")
            if not self.bare:
                if i not in self.reveal:
                    await self._call("host:reveal")
                return
        if self.bare:
            if self.total is not None and i + 1 >= self.total:
                self.over.set()
            else:
                await self._call("host:next")

    async def on_reveal(self, r):
        self.reveal[r["index"]] = monotonic()
        self.spawn(self.advance())

    async def advance(self) -> None:
        ack = await self._call("host:next")
        if ack and ack.get("phase") == "leaderboard":
            await self._call("host:next")

    async def on_over(self, data):
        self.over.set()

    async def _call(self, event: str):
        try:
            ack = await self.sio.call(event, {"pin": self.pin}, timeout=60)
        except Exception as exc:  # noqa: BLE001 - recorded; the game's wait times out
            self.errors.append(f"{event}: {type(exc).__name__} {exc}")
            return None
        if not ack.get("ok"):
            self.errors.append(f"{event}: {ack}")
        return ack

    async def close(self) -> None:
        for t in list(self.tasks):
            t.cancel()
        if self.sio.connected:
            try:
                await asyncio.wait_for(self.sio.disconnect(), 5)
            except (asyncio.TimeoutError, Exception):  # noqa: BLE001
                pass
