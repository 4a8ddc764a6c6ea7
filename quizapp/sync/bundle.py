"""The bundle file: a laptop's finished sessions, signed, for a laptop that never gets online.

A bundle is bytes: one header line, then the payload.

    QUIZAPP-SYNC-BUNDLE 1 user=<id> hmac-sha256=<64 lowercase hex digits>\\n
    <payload: UTF-8 JSON, to the last byte of the file>

- ``1`` is the format's version; ``user`` the central server's id of the account that linked
  the laptop (``sync pull``): its sessions are that account's.
- The signature is HMAC-SHA256 over ``QUIZAPP-SYNC-BUNDLE 1 user=<id>\\n`` followed by the
  payload bytes exactly as they are in the file. Its key is the account's *bundle key*: the
  central server derives it from its own ``SECRET_KEY`` and the account's id
  (``bundle_key``), and hands it to the laptop at ``sync pull``. So the central server verifies
  a bundle with nothing but its secret, even from a laptop that never came online again, and
  one account's key signs nothing for another.
- Every byte counts: a changed byte of the payload or of the signed header changes the
  signature, a changed signature does not match, and anything that does not read as this
  exact header is refused. Nothing of a refused bundle is imported.
- The payload is ``{"format": "quizapp-sync-sessions", "version": 1, "user": <id>, "made_at":
  <ISO time, UTC>, "laptop": <the laptop's id>, "central": <the address it was linked to>,
  "sessions": [<session>, ...]}``; each session is what ``POST /api/v1/sync/sessions`` takes
  (``client.session_payload``). ``user`` must be the header's.

Importing a bundle twice, or a bundle and then a push of the same sessions, changes nothing:
sessions are taken by their UUID.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Callable

from flask_babel import gettext as _

MAGIC = "QUIZAPP-SYNC-BUNDLE"
VERSION = 1
PAYLOAD_FORMAT = "quizapp-sync-sessions"
#: The largest bundle taken (about a hundred large sessions).
MAX_BYTES = 64 * 1024 * 1024
HEADER_RE = re.compile(rb"QUIZAPP-SYNC-BUNDLE 1 user=([1-9][0-9]{0,9}) hmac-sha256=([0-9a-f]{64})")
KEY_RE = re.compile(r"[0-9a-f]{64}")


class BundleError(ValueError):
    """A bundle that is not taken: the message says why, for a person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Bundle:
    """A verified bundle: the account it names and its payload."""

    user_id: int
    payload: dict

    @property
    def sessions(self) -> list:
        return self.payload["sessions"]


def bundle_key(secret_key: str, user_id: int) -> str:
    """The key that signs ``user_id``'s bundles (64 hex digits), derived from the central
    server's secret: changing the secret revokes every bundle key."""
    message = f"quizapp-sync-bundle-key/{int(user_id)}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def _signed(user_id: int, payload: bytes) -> bytes:
    return f"{MAGIC} {VERSION} user={int(user_id)}\n".encode() + payload


def _mac(key: str, user_id: int, payload: bytes) -> str:
    if not isinstance(key, str) or not KEY_RE.fullmatch(key):
        raise BundleError(_("The bundle key is not a key: link the laptop again (sync pull)."))
    return hmac.new(bytes.fromhex(key), _signed(user_id, payload), hashlib.sha256).hexdigest()


def build(sessions: list[dict], user_id: int, key: str, **meta) -> bytes:
    """The bundle of ``sessions`` for the account ``user_id``, signed with its ``key``;
    ``meta``: ``made_at``, ``laptop``, ``central`` (written into the payload)."""
    payload = {"format": PAYLOAD_FORMAT, "version": VERSION, "user": int(user_id), **meta,
               "sessions": sessions}
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    mac = _mac(key, user_id, body)
    return f"{MAGIC} {VERSION} user={int(user_id)} hmac-sha256={mac}\n".encode() + body


def read(data: bytes, key_for: Callable[[int], str | None]) -> Bundle:
    """Verify a bundle and read its payload; ``key_for(user_id)`` gives the account's bundle
    key (None: no such account may send sessions). Raises ``BundleError``."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise BundleError(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise BundleError(_("The file is larger than %(mb)d MB.", mb=MAX_BYTES // 2**20))
    head, newline, payload = bytes(data).partition(b"\n")
    if not head.startswith(MAGIC.encode()):
        raise BundleError(_("This is not a field laptop's bundle file (it does not start with "
                            "%(magic)s).", magic=MAGIC))
    match = HEADER_RE.fullmatch(head)
    if match is None or not newline:
        raise BundleError(_("The bundle's first line is damaged or of another version: nothing "
                            "was imported."))
    user_id, mac = int(match.group(1)), match.group(2).decode()
    key = key_for(user_id)
    if key is None:
        raise BundleError(_("The bundle was made for account number %(id)d, which cannot send "
                            "sessions here (no such presenter, or deactivated): nothing was "
                            "imported.", id=user_id))
    if not hmac.compare_digest(_mac(key, user_id, payload), mac):
        raise BundleError(_("The bundle's signature does not match: the file was changed after "
                            "the laptop made it, or it was made for another server. Nothing "
                            "was imported."))
    try:
        body = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BundleError(_("The bundle's content is not readable: nothing was imported.")) \
            from None
    if (not isinstance(body, dict) or body.get("format") != PAYLOAD_FORMAT
            or body.get("version") != VERSION or body.get("user") != user_id
            or not isinstance(body.get("sessions"), list)):
        raise BundleError(_("The bundle's content is not a list of sessions of this version: "
                            "nothing was imported."))
    return Bundle(user_id, body)
