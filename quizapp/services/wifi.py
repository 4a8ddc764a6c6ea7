"""The hotspot's Wi-Fi network, shown in a session's lobby as a QR code that phones' cameras join.

A presenter with a laptop and no internet makes a hotspot and runs the app on it. The lobby then
has two steps: "1. Join the Wi-Fi" (the Wi-Fi QR code), "2. Join the game" (the join QR code).

The network is the laptop's (``QUIZAPP_WIFI_SSID``, ``QUIZAPP_WIFI_PASSWORD``,
``QUIZAPP_WIFI_SECURITY``, ``QUIZAPP_WIFI_HIDDEN``) unless a session sets its own (or none). Its
password is a secret of the presenter's: it is kept in this process's memory only, for the
session's lifetime (``Lobbies``), never in the database, a log line or a URL, and it leaves the
server only inside the Wi-Fi QR image, which only the session's presenter may fetch. A process
that restarts forgets a session's own network; the presenter enters it again in the lobby.
"""
from __future__ import annotations

import logging
import re
import string
import threading
import time
from dataclasses import dataclass, field

from flask import Flask, current_app
from flask_babel import gettext as _

log = logging.getLogger(__name__)

#: The kinds of security the Wi-Fi QR format names (``T:``).
SECURITY = ("WPA", "WEP", "nopass")
#: How a lobby can look: the Wi-Fi QR code, the join QR code, or both side by side.
STEPS = ("wifi", "join", "both")
#: A session's own network is forgotten this long after it was last set or shown.
KEEP_SECONDS = 12 * 3600

_SPECIAL = re.compile(r'([\\;,:"])')
_HEX = set(string.hexdigits)
_PRINTABLE = {chr(c) for c in range(32, 127)}
_ALIASES = {"wpa": "WPA", "wpa2": "WPA", "wpa3": "WPA", "sae": "WPA", "wep": "WEP",
            "nopass": "nopass", "none": "nopass", "open": "nopass", "": "WPA"}


def escape(value: str) -> str:
    """A value of the Wi-Fi QR format: backslash before ``\\ ; , : "``."""
    return _SPECIAL.sub(r"\\\1", value)


@dataclass(frozen=True)
class WifiNetwork:
    """A Wi-Fi network as phones join it. The password is left out of ``repr``: a network
    that ends up in a log message or a traceback does not take its password with it."""

    ssid: str
    password: str = field(default="", repr=False)
    security: str = "WPA"
    hidden: bool = False

    def payload(self) -> str:
        """The text of the Wi-Fi QR code phones' cameras understand (the format ZXing
        defined, which Android and iOS read): ``WIFI:T:WPA;S:<ssid>;P:<password>;;``, with
        ``H:true`` for a hidden network and no password for an open one."""
        parts = [f"T:{self.security}", f"S:{escape(self.ssid)}"]
        if self.security != "nopass":
            parts.append(f"P:{escape(self.password)}")
        if self.hidden:
            parts.append("H:true")
        return "WIFI:" + ";".join(parts) + ";;"

    def public(self) -> dict:
        """What the presenter's screens may show as text: everything but the password."""
        return {"ssid": self.ssid, "security": self.security, "hidden": self.hidden}


class WifiError(ValueError):
    """A network that phones could not join; ``errors`` maps each field to a message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def security_of(value: object) -> str | None:
    """``WPA``, ``WEP`` or ``nopass`` from what a person or a setting may write (WPA2 and WPA3
    join as WPA; "none" and "open" are ``nopass``); None for anything else."""
    return _ALIASES.get(value.strip().lower()) if isinstance(value, str) else None


def network(ssid: object, password: object = "", security: object = "WPA",
            hidden: object = False) -> WifiNetwork:
    """A network from a form or the environment, checked as phones would check it: the name 1 to
    32 bytes; a WPA password 8 to 63 plain characters (or 64 hex digits); a WEP key 5 or 13
    characters (or 10 or 26 hex digits); an open network no password. Raises ``WifiError`` with
    a message per field, none of which repeats the password."""
    ssid = ssid if isinstance(ssid, str) else ""
    password = password if isinstance(password, str) else ""
    kind = security_of(security)
    errors = {}
    if not ssid.strip():
        errors["ssid"] = _("Type the Wi-Fi network's name, as phones list it.")
    elif len(ssid.encode("utf-8")) > 32:
        errors["ssid"] = _("A Wi-Fi network's name is at most 32 bytes (fewer letters with "
                           "accents).")
    elif any(ord(c) < 32 or ord(c) == 127 for c in ssid):
        errors["ssid"] = _("The network's name has a character phones cannot show.")
    if kind is None:
        errors["security"] = _("Security must be WPA, WEP or none.")
    elif kind == "nopass":
        if password:
            errors["password"] = _("An open network has no password: choose WPA, or leave the "
                                   "password empty.")
    elif kind == "WPA":
        if not (8 <= len(password) <= 63 or (len(password) == 64 and set(password) <= _HEX)):
            errors["password"] = _("A WPA password has 8 to 63 characters.")
        elif not set(password) <= _PRINTABLE:
            errors["password"] = _("A WPA password has only letters without accents, digits, "
                                   "spaces and signs.")
    elif not (len(password) in (5, 13) and set(password) <= _PRINTABLE
              or len(password) in (10, 26) and set(password) <= _HEX):
        errors["password"] = _("A WEP key has 5 or 13 characters, or 10 or 26 hex digits.")
    if errors:
        raise WifiError(errors)
    return WifiNetwork(ssid, password if kind != "nopass" else "", kind, hidden is True)


def configured(app: Flask | None = None) -> WifiNetwork | None:
    """The laptop's own network (``QUIZAPP_WIFI_*``), or None when unset or not joinable (a
    warning in the log then says why, never with the password)."""
    app = app or current_app
    config = app.config
    if not config.get("WIFI_SSID"):
        return None
    settings = (config["WIFI_SSID"], config.get("WIFI_PASSWORD", ""),
                config.get("WIFI_SECURITY", "WPA"), bool(config.get("WIFI_HIDDEN")))
    known = app.extensions.get("quizapp.wifi.laptop")
    if known is not None and known[0] == settings:  # checked (and warned about) once
        return known[1]
    try:
        checked = network(*settings)
    except WifiError as exc:
        log.warning("QUIZAPP_WIFI_* ignored, not valid: %s", ", ".join(sorted(exc.errors)))
        checked = None
    app.extensions["quizapp.wifi.laptop"] = (settings, checked)
    return checked


# ----- each session's lobby -------------------------------------------------------------------

@dataclass
class _Lobby:
    network: WifiNetwork | None = None
    own: bool = False  # the session chose its network (or none) rather than the laptop's
    step: str | None = None
    version: int = 0
    touched: float = 0.0


class Lobbies:
    """Each session's Wi-Fi network and lobby step, in this process's memory, by PIN.

    Every request about a session's lobby carries its PIN in its path, which is how a
    deployment of several processes sends it to the process hosting the session (docs/scaling.md):
    so one process holds all of a session's lobby. Nothing here is written anywhere."""

    def __init__(self, clock=time.monotonic):
        self._lock = threading.Lock()
        self._lobbies: dict[str, _Lobby] = {}
        self._clock = clock

    def _get(self, pin: str) -> _Lobby:
        now = self._clock()
        for old in [p for p, lobby in self._lobbies.items() if now - lobby.touched > KEEP_SECONDS]:
            del self._lobbies[old]
        lobby = self._lobbies.setdefault(pin, _Lobby())
        lobby.touched = now
        return lobby

    def set_network(self, pin: str, network_: WifiNetwork | None) -> None:
        """The session's own network; None: no Wi-Fi step (not even the laptop's)."""
        with self._lock:
            lobby = self._get(pin)
            lobby.network, lobby.own = network_, True
            lobby.step = None  # a new network starts at its own step
            lobby.version += 1

    def use_configured(self, pin: str) -> None:
        """Back to the laptop's network (``QUIZAPP_WIFI_*``)."""
        with self._lock:
            lobby = self._get(pin)
            lobby.network, lobby.own, lobby.step = None, False, None
            lobby.version += 1

    def set_step(self, pin: str, step: str) -> None:
        if step not in STEPS:
            raise ValueError(step)
        with self._lock:
            self._get(pin).step = step

    def forget(self, pin: str) -> None:
        with self._lock:
            self._lobbies.pop(pin, None)

    def view(self, pin: str, laptop: WifiNetwork | None) -> tuple[WifiNetwork | None, dict]:
        """The session's network (its own, else the laptop's ``laptop``) and what its screens
        show: ``{"wifi": {ssid, security, hidden} | None, "source": "session" | "laptop" |
        None, "step", "version", "laptop": the laptop's network name | None}``. Without a
        network the step is always ``join``; with one, ``wifi`` until the presenter moves on."""
        with self._lock:
            lobby = self._get(pin)
            chosen = lobby.network if lobby.own else laptop
            source = None if chosen is None else "session" if lobby.own else "laptop"
            step = "join" if chosen is None else lobby.step or "wifi"
            return chosen, {"wifi": chosen.public() if chosen else None, "source": source,
                            "step": step, "version": lobby.version,
                            "laptop": laptop.ssid if laptop else None}


def lobbies(app: Flask | None = None) -> Lobbies:
    """This process's ``Lobbies`` (one per app)."""
    app = app or current_app
    return app.extensions.setdefault("quizapp.wifi", Lobbies())
