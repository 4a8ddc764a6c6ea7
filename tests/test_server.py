"""The server process's garbage-collector settings (``wsgi.py`` applies them at start)."""
import json
import subprocess
import sys

from quizapp.server import GC_THRESHOLD


def test_tune_gc_freezes_startup_objects_and_widens_the_young_generation():
    code = ("import gc, json; from quizapp.server import tune_gc; import quizapp; tune_gc(); "
            "print(json.dumps([gc.get_threshold(), gc.get_freeze_count()]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    threshold, frozen = json.loads(out)
    assert tuple(threshold) == GC_THRESHOLD and GC_THRESHOLD[0] >= 10_000
    assert frozen > 1000
