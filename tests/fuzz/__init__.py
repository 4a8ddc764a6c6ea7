"""Hypothesis fuzz tests: every Socket.IO event and every HTTP endpoint gets bad input of every
shape, and must answer with an error (never a crash, a 500 or a logged exception) while the game
and the database stay exactly as they were."""
