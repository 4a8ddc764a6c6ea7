"""The field kit: a laptop that runs sessions offline and brings them to the central server.

- ``client.py`` (the laptop): ``pull`` units, schools and published quizzes from the central
  server and keep the link (its address, a token, the bundle key) in ``Setting``; ``push``
  every finished session not yet accepted there, one request per session; ``export`` the same
  sessions as a signed bundle file for a laptop that never gets online.
- ``central.py`` (the central server): take one session whole or not at all, keyed by its UUID
  (``POST /api/v1/sync/sessions``); take a bundle file (the admin's import page); serve what a
  laptop pulls.
- ``bundle.py``: the bundle file's format, built and verified.
- ``cli.py``: ``flask --app wsgi sync pull|push|export``.

The officer's and the admin's steps are in docs/fieldkit.md.
"""
