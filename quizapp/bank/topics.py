"""What a question teaches: the campaign's topics, for accuracy by topic on the records.

A question names one topic by its id (``topic: phishing``); the ids are stable (they are stored
with each session's summary), the labels are translated.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

TOPICS = {
    "online_kidnapping": _l("Online kidnapping: fake police, secrets, going alone"),
    "job_scams": _l("Easy jobs, high pay: job, study-abroad and model offers, trafficking"),
    "grooming": _l("Grooming: how strangers win trust"),
    "sextortion": _l("Sextortion: never your fault, never pay"),
    "phishing": _l("Links, OTP codes and stolen accounts"),
    "game_scams": _l("Game items, gifts and prizes"),
    "deepfakes": _l("Deepfake voices and faces"),
    "real_police": _l("What real police do and never do"),
    "getting_help": _l("Where to get help"),
    "safety_rules": _l("“3 không, 3 phải”"),
}


def topic_label(topic: str) -> str:
    """The topic's name for a person (the id itself for one this version does not know)."""
    label = TOPICS.get(topic)
    return str(label) if label is not None else topic
