"""Page weight of the phone page, and how soon it can be used on a slow 3G connection.

1. Bytes: fetch ``/play/<pin>`` and everything it references (scripts, stylesheets, images,
   icons; and what the stylesheets reference with ``url()`` or ``@import``), each with
   ``Accept-Encoding: gzip``, and count the bytes on the wire: compressed if the server
   compressed, raw otherwise. Also the raw size and the size gzip (level 6) would give, so the
   gain from compression is visible whether or not the server does it. ``data:`` URIs are
   inside the page and counted with it. The Socket.IO connection itself is not counted.
2. Time: Debian's Chromium through Playwright, network throttled through the DevTools protocol
   (``Network.emulateNetworkConditions``: 400 ms latency, 400 kbit/s = 50,000 bytes/s each way,
   cache off), measuring from the start of navigation until the nickname input is visible and
   enabled and until the Join button passes Playwright's actionability checks (visible, stable,
   enabled, receives events) — a trial click that does not click.
3. Joining: on the same slow-3G page, the phone types a nickname, presses Join and waits for
   the waiting screen (``#v-wait``): the time from navigation to joined. The page's Socket.IO
   client connects as browsers do — HTTP long-polling first, then the upgrade to a WebSocket —
   and which transport it ended on is read from the network: the page must have opened a
   WebSocket to ``/socket.io/``, sent the upgrade packet (``5``) on it, and made no long-polling
   request (``transport=polling``) after that (watched for ``UPGRADE_SETTLE_S`` more seconds).
   Then the TCP connections established to the server's port are counted (``/proc/net/tcp``,
   server side): with a local server the phone is its only client, so this is what one phone
   holds open after joining — its WebSocket and the idle keep-alive connections it loaded the
   page and long-polled on.

Alone: ``python bench/page_weight.py http://127.0.0.1:5000 123456``.
"""
from __future__ import annotations

import gzip
import http.client
import re
import sys
import time
import urllib.parse
from html.parser import HTMLParser

KB = 1000  # bytes: the targets' kilobytes are decimal, the stricter reading
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 50_000,
           "uploadThroughput": 50_000}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
#: The nickname the Chromium phone joins with.
NICKNAME = "Chromium Phone"
#: After joining: how long to wait for the upgrade packet, then how long to keep watching for
#: long-polling requests after it.
UPGRADE_WAIT_S = 20.0
UPGRADE_SETTLE_S = 3.0


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str]] = []  # (kind, url)

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "script" and a.get("src"):
            self.refs.append(("script", a["src"]))
        elif tag == "link" and a.get("href"):
            rel = a.get("rel", "").lower().split()
            if "stylesheet" in rel:
                self.refs.append(("stylesheet", a["href"]))
            elif {"icon", "apple-touch-icon", "preload", "modulepreload", "manifest"} & set(rel):
                self.refs.append(("/".join(rel), a["href"]))
        elif tag in ("img", "source") and (a.get("src") or a.get("srcset")):
            srcset = [s.strip().split(" ")[0] for s in a.get("srcset", "").split(",")
                      if s.strip()]
            for src in ([a["src"]] if a.get("src") else []) + srcset:
                self.refs.append(("image", src))
        elif tag in ("image", "use") and (a.get("href") or a.get("xlink:href")):
            self.refs.append(("image", a.get("href") or a.get("xlink:href")))


CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


def fetch(url: str, timeout: float = 15) -> dict:
    """GET with Accept-Encoding: gzip; the bytes as they came over the wire."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
    path = parts.path + ("?" + parts.query if parts.query else "")
    try:
        conn.request("GET", path or "/", headers={"Accept-Encoding": "gzip",
                                                  "User-Agent": "quizapp-bench"})
        resp = conn.getresponse()
        body = resp.read()
        headers = resp.getheaders()
    finally:
        conn.close()
    encoding = resp.getheader("Content-Encoding", "") or ""
    raw = gzip.decompress(body) if encoding.lower() == "gzip" else body
    header_bytes = len(f"HTTP/1.1 {resp.status} {resp.reason}\r\n") + sum(
        len(k) + len(v) + 4 for k, v in headers) + 2
    return {"url": url, "status": resp.status, "type": resp.getheader("Content-Type", ""),
            "encoding": encoding, "transferred": len(body), "headers": header_bytes,
            "raw": len(raw), "gzip_by_us": len(gzip.compress(raw, 6)), "body": raw}


def page_bytes(base: str, pin: str) -> dict:
    page_url = f"{base}/play/{pin}"
    page = fetch(page_url)
    if page["status"] != 200:
        raise RuntimeError(f"GET {page_url}: {page['status']}")
    parser = _Refs()
    parser.feed(page["body"].decode("utf-8", "replace"))
    items = [dict(page, kind="page")]
    seen = {page_url}
    queue = [(kind, urllib.parse.urljoin(page_url, ref)) for kind, ref in parser.refs]
    inline = sum(1 for _, ref in parser.refs if ref.startswith("data:"))
    while queue:
        kind, url = queue.pop(0)
        if url.startswith("data:") or url in seen:
            continue
        seen.add(url)
        item = fetch(url)
        item["kind"] = kind
        items.append(item)
        if kind == "stylesheet" and item["status"] == 200:
            css = item["body"].decode("utf-8", "replace")
            for m in CSS_URL.finditer(css):
                ref = m.group(1) or m.group(2)
                queue.append(("stylesheet" if m.group(2) else "css-asset",
                              urllib.parse.urljoin(url, ref)))
    for item in items:
        item.pop("body")
        item["path"] = urllib.parse.urlsplit(item["url"]).path
    totals = {k: sum(i[k] for i in items) for k in ("transferred", "headers", "raw", "gzip_by_us")}
    return {"url": page_url, "resources": items, "inline_data_uris": inline,
            "server_compressed": any(i["encoding"] for i in items),
            "compressed_by_server": [i["path"] for i in items if i["encoding"]],
            "failed": [i["path"] for i in items if i["status"] != 200], **totals}


class SocketWatch:
    """The page's Socket.IO traffic as the network sees it: long-polling requests and
    WebSockets to ``/socket.io/``, and the frames sent on them, in the order Chromium reported
    them (one sequence for all, since the upgrade is about what came after what)."""

    def __init__(self, t0_ref: list[float]):
        self.t0 = t0_ref  # [navigation start], set just before page.goto
        self.seq = 0
        self.polls: list[dict] = []  # {seq, t, method}
        self.sockets: list[dict] = []  # {url, seq, t, upgrade_seq, upgrade_t, closed_t, ...}

    def _tick(self) -> tuple[int, float]:
        self.seq += 1
        return self.seq, round(time.monotonic() - self.t0[0], 3)

    def on_request(self, request) -> None:
        parts = urllib.parse.urlsplit(request.url)
        if "/socket.io/" not in parts.path:
            return
        query = urllib.parse.parse_qs(parts.query)
        if query.get("transport") == ["polling"]:
            seq, t = self._tick()
            self.polls.append({"seq": seq, "t": t, "method": request.method,
                               "handshake": "sid" not in query})

    def on_websocket(self, ws) -> None:
        if "/socket.io/" not in urllib.parse.urlsplit(ws.url).path:
            return
        seq, t = self._tick()
        rec = {"seq": seq, "opened_s": t, "upgrade_seq": None, "upgrade_s": None,
               "probe_answered_s": None, "closed_s": None, "frames_sent": 0,
               "frames_received": 0}
        self.sockets.append(rec)

        def sent(payload):
            rec["frames_sent"] += 1
            if payload == "5" and rec["upgrade_seq"] is None:
                rec["upgrade_seq"], rec["upgrade_s"] = self._tick()

        def received(payload):
            rec["frames_received"] += 1
            if payload == "3probe" and rec["probe_answered_s"] is None:
                rec["probe_answered_s"] = self._tick()[1]

        def closed(_ws=None):
            rec["closed_s"] = self._tick()[1]

        ws.on("framesent", sent)
        ws.on("framereceived", received)
        ws.on("close", closed)

    def upgraded(self) -> dict | None:
        return next((w for w in self.sockets if w["upgrade_seq"] is not None), None)

    def summary(self) -> dict:
        up = self.upgraded()
        after = [p for p in self.polls if up and p["seq"] > up["upgrade_seq"]]
        if up and not after:
            ended = "websocket" if up["closed_s"] is None else "websocket, closed"
        else:
            ended = "polling" if self.polls else "none"
        return {"ended_on": ended,
                "websocket_opened": bool(self.sockets),
                "upgrade_sent_s": up and up["upgrade_s"],
                "probe_answered_s": up and up["probe_answered_s"],
                "websocket_closed_s": up and up["closed_s"],
                "polling_requests": len(self.polls),
                "polling_requests_after_upgrade": len(after),
                "websockets": [{k: v for k, v in w.items() if not k.endswith("seq")}
                               for w in self.sockets]}


def established(port: int) -> int | None:
    """TCP connections in ESTABLISHED state whose local port is ``port`` (the server's side of
    each connection to it), from /proc/net/tcp and tcp6; None if they cannot be read."""
    count, read = 0, False
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(path, encoding="ascii").read().splitlines()[1:]
        except OSError:
            continue
        read = True
        for line in lines:
            fields = line.split()  # sl, local address:port (hex), remote, state (01: open)
            if len(fields) > 3 and fields[3] == "01" \
                    and int(fields[1].rsplit(":", 1)[1], 16) == port:
                count += 1
    return count if read else None


def slow_3g_timing(base: str, pin: str, timeout: float = 60, join: bool = True) -> dict:
    """Seconds from navigation start until the nickname input and the Join button are usable,
    on emulated slow 3G, in Debian's Chromium; then (``join``) until the phone has joined the
    game, and the transport its Socket.IO connection ended on."""
    from playwright.sync_api import sync_playwright

    url = f"{base}/play/{pin}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844},
                                          device_scale_factor=2, is_mobile=True, has_touch=True)
            page = context.new_page()
            t0_ref = [time.monotonic()]
            watch = SocketWatch(t0_ref)
            page.on("request", watch.on_request)
            page.on("websocket", watch.on_websocket)
            cdp = context.new_cdp_session(page)
            received = {"bytes": 0, "requests": 0}

            def finished(event):
                received["bytes"] += event.get("encodedDataLength", 0)
                received["requests"] += 1

            cdp.on("Network.loadingFinished", finished)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            cdp.send("Network.emulateNetworkConditions", SLOW_3G)
            ms = int(timeout * 1000)
            t0 = t0_ref[0] = time.monotonic()
            page.goto(url, wait_until="commit", timeout=ms)
            page.wait_for_function(
                """() => { const e = document.getElementById('nick');
                           return !!e && !e.disabled && e.getClientRects().length > 0
                                  && getComputedStyle(e).visibility !== 'hidden'; }""",
                timeout=ms, polling="raf")
            t_nick = time.monotonic() - t0
            page.locator("#join-btn").click(trial=True, timeout=ms)
            t_button = time.monotonic() - t0
            page.wait_for_load_state("load", timeout=ms)
            t_load = time.monotonic() - t0
            nav = page.evaluate("""() => { const n = performance.getEntriesByType('navigation')[0];
                                   return n ? {dcl: n.domContentLoadedEventEnd,
                                               load: n.loadEventEnd} : null; }""")
            out = {"nickname_input_s": round(t_nick, 3), "join_button_s": round(t_button, 3),
                   "load_event_s": round(t_load, 3),
                   "dom_content_loaded_ms": nav and round(nav["dcl"]),
                   "browser_received_bytes": received["bytes"],
                   "browser_requests": received["requests"], "conditions": SLOW_3G}
            if join:
                try:
                    out["join"] = _join(page, t0, watch, ms)
                except Exception as exc:  # noqa: BLE001 - reported with what was seen
                    out["join"] = {"error": f"{type(exc).__name__}: {str(exc)[:300]}",
                                   **watch.summary()}
            return out
        finally:
            browser.close()


def _join(page, t0: float, watch: SocketWatch, ms: int) -> dict:
    """Type a nickname, press Join, wait for the waiting screen; then for the upgrade packet
    and a while longer, watching for long-polling requests."""
    page.fill("#nick", NICKNAME, timeout=ms)
    t_typed = time.monotonic() - t0
    page.click("#join-btn", timeout=ms)
    page.locator("#v-wait").wait_for(state="visible", timeout=ms)
    t_joined = time.monotonic() - t0
    waited = 0.0
    while watch.upgraded() is None and waited < UPGRADE_WAIT_S:
        page.wait_for_timeout(100)  # lets Playwright deliver the network events
        waited += 0.1
    page.wait_for_timeout(UPGRADE_SETTLE_S * 1000)
    nick = page.locator("#wait-nick").text_content(timeout=ms)
    port = urllib.parse.urlsplit(page.url).port or 80
    return {"joined_s": round(t_joined, 3), "nickname_typed_s": round(t_typed, 3),
            "nickname_shown": nick, "watched_until_s": round(time.monotonic() - t0, 3),
            "server_connections": established(port), **watch.summary()}


def measure(base: str, pin: str, browser: bool = True) -> dict:
    result = page_bytes(base, pin)
    if browser:
        try:
            result["slow_3g"] = slow_3g_timing(base, pin)
        except Exception as exc:  # noqa: BLE001 - reported; the byte count still stands
            result["slow_3g"] = {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}
    return result


def describe(r: dict) -> str:
    lines = [f"{'resource':42} {'type':28} {'on wire':>9} {'raw':>9} {'gzip':>9}  encoding"]
    for i in r["resources"]:
        lines.append(f"{i['path'][:42]:42} {i['type'][:28]:28} {i['transferred']:9,} "
                     f"{i['raw']:9,} {i['gzip_by_us']:9,}  {i['encoding'] or '-'}")
    lines.append(f"{'total':42} {'':28} {r['transferred']:9,} {r['raw']:9,} "
                 f"{r['gzip_by_us']:9,}  server compressed: "
                 f"{'yes' if r['server_compressed'] else 'no'}")
    s = r.get("slow_3g") or {}
    if "error" in s:
        lines.append(f"slow 3G: {s['error']}")
    elif s:
        lines.append(f"slow 3G: nickname input usable after {s['nickname_input_s']:.2f} s, "
                     f"Join button after {s['join_button_s']:.2f} s "
                     f"(load event {s['load_event_s']:.2f} s; browser received "
                     f"{s['browser_received_bytes']:,} bytes in {s['browser_requests']} requests)")
        j = s.get("join") or {}
        if j:
            lines.append(describe_join(j))
    return "\n".join(lines)


def describe_join(j: dict) -> str:
    if j.get("joined_s") is None:
        return (f"slow 3G join: {j.get('error')} (ended on {j.get('ended_on')}, "
                f"{j.get('polling_requests')} long-polling requests)")
    up = j.get("upgrade_sent_s")
    return (f"slow 3G join: joined (waiting screen) after {j['joined_s']:.2f} s; Socket.IO "
            f"ended on {j['ended_on']} ({j['polling_requests']} long-polling requests, "
            + (f"upgrade packet sent at {up:.2f} s, "
               f"{j['polling_requests_after_upgrade']} long-polling requests after it"
               if up is not None else "no upgrade packet sent"
               + ("" if j.get("websocket_opened") else ", no WebSocket opened"))
            + ")"
            + (f"; {j['server_connections']} TCP connections open to the server's port "
               "(the WebSocket and idle keep-alive connections)"
               if j.get("server_connections") is not None else ""))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python bench/page_weight.py BASE_URL PIN")
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
    from bench.servers import check_loopback

    check_loopback(sys.argv[1])
    print(describe(measure(sys.argv[1].rstrip("/"), sys.argv[2])))
