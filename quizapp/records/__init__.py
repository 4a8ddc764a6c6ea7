"""The records side: what every session leaves for its school, its presenter and the campaign.

- ``rules``: the rules in plain Python (days, campaign windows, coverage, knowledge-check pairing).
- ``summaries``: each session's figures, computed when a question is revealed and when it ends.
- ``queries``: SQL that aggregates the summaries (coverage, school and presenter records,
  dashboards, the public figures), scoped by who asks.
"""
