"""The in-process rate-limit storage (``quizapp/ratelimit.py``) under a burst of greenlets."""
import json
import subprocess
import sys

BURST = """
from gevent import monkey; monkey.patch_all()
import json, threading, gevent
from limits.storage import MemoryStorage
from quizapp.ratelimit import BurstSafeMemoryStorage

started = []
class CountingTimer(threading.Timer):
    def start(self):
        started.append(1)
        super().start()
threading.Timer = CountingTimer

def burst(storage):
    gevent.sleep(0.05)
    started.clear()
    gevent.joinall([gevent.spawn(storage.incr, f"k{i}", 0.1) for i in range(300)])
    return len(started)

out = {"ours": burst(BurstSafeMemoryStorage()), "upstream": burst(MemoryStorage())}
s = BurstSafeMemoryStorage()
for _ in range(3):
    s.incr("short", 0.1)
s.incr("long", 60)
out["counted"] = s.get("short")
gevent.sleep(0.3)
s.incr("other", 60)  # as upstream, a hit schedules the sweep of what has expired
gevent.sleep(0.1)
out["swept"] = "short" not in s.expirations and "short" not in s.storage
out["kept"] = s.get("long")
print(json.dumps(out))
"""


def test_a_burst_of_hits_starts_one_expiry_sweep_and_keys_still_expire():
    out = json.loads(subprocess.run([sys.executable, "-c", BURST], capture_output=True,
                                    text=True, check=True).stdout)
    # limits' own storage starts a timer greenlet per hit of a burst (what this one avoids;
    # should a new limits release fix that, this storage can go)
    assert out["upstream"] >= 100
    assert out["ours"] <= 2
    assert out["counted"] == 3
    assert out["swept"] is True  # the sweep still runs: expired keys leave memory
    assert out["kept"] == 1


def test_the_server_uses_it_without_redis(app):
    from quizapp.extensions import limiter
    from quizapp.ratelimit import BurstSafeMemoryStorage

    assert isinstance(limiter.limiter.storage, BurstSafeMemoryStorage)
