"""WTForms' validators with their messages in the app's languages: WTForms ships no Vietnamese
catalogue, so its own messages ("This field is required.") would stay in English."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import validators


class DataRequired(validators.DataRequired):
    def __init__(self, message=None):
        super().__init__(message or _l("Fill in this field."))


class Length(validators.Length):
    def __init__(self, min: int = -1, max: int = -1, message=None):
        if message is None:
            if min > 0 and max > 0:
                message = _l("Use %(min)d to %(max)d characters.", min=min, max=max)
            elif min > 0:
                message = _l("Use at least %(min)d characters.", min=min)
            else:
                message = _l("Use at most %(max)d characters.", max=max)
        super().__init__(min, max, message)
