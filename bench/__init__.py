"""Load benchmark of the quiz server. Run it with ``python -m bench``; see bench/README.md."""
