"""Error codes shared by the Socket.IO acks and the JSON API, with text for a person."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

MESSAGES = {
    "bad_request": _l("The request is not in the expected form."),
    "game_not_found": _l("No session has this PIN. Check the number on the screen."),
    "game_over": _l("This session has ended."),
    "nickname_taken": _l("Someone already has this nickname. Choose another one."),
    "nickname_invalid": _l("Use 2 to 20 letters or digits for your nickname."),
    "nickname_abusive": _l("Please choose a kind nickname: everyone in the class can see it."),
    "class_label_invalid": _l("The class label is too long or has characters that are not allowed."),
    "late_join_closed": _l("This session has already started and does not accept new players."),
    "invalid_token": _l("We could not find you in this session. Join again."),
    "not_joined": _l("Join the session first."),
    "already_joined": _l("This device has already joined the session under another nickname."),
    "not_accepting": _l("This question is not open for answers."),
    "already_answered": _l("You have already answered this question."),
    "invalid_choice": _l("That choice is not one of the options."),
    "forbidden": _l("You do not have access to this."),
    "already_started": _l("The session has already started."),
    "not_in_question": _l("No question is open."),
    "player_not_found": _l("That player is not in the session."),
    "banned": _l("You cannot join this session again."),
    "help_not_found": _l("That help request is not in this session."),
    "rate_limited": _l("Too many attempts. Wait a moment and try again."),
    "game_full": _l("This session is full."),
    "unauthorized": _l("Sign in first."),
    "not_found": _l("This page does not exist."),
    "method_not_allowed": _l("This method is not allowed here."),
    "conflict": _l("This conflicts with the current state."),
    "game_moved": _l("The session has just moved to another server. Try again."),
    "try_again": _l("Your answer is still being saved. Send it again."),
    "internal_error": _l("Something went wrong on the server. Try again."),
}


def message(code: str) -> str:
    return str(MESSAGES.get(code, MESSAGES["bad_request"]))


def error(code: str, text: str | None = None) -> dict:
    """The error form of an ack or an API body."""
    return {"ok": False, "error": code, "message": text or message(code)}
