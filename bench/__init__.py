"""`make bench`: the performance budgets of docs/design.md, measured on this machine.

One module per measurement (home, caseload, checkin, pages, first_visit, vault, room_fanout,
training_day), what they share (base, cpu, wrk, servers), the scripts wrk and Chromium run
(scripts/), and docs/benchmarks.md's template (benchmarks.md.j2, rendered by docs). bench/run.py
and `python -m bench` run them all (bench/__main__.py).
"""
