"""The end-to-end repair benchmark behind benchmarks/repair.py (see benchmarks/README.md).

- schema:   DDL whose order matters on SQLite (what each generated migration does)
- project:  id and file-name styles, files rendered from alembic's template, git via fast-import
- history:  the team's history as it happened (Builder) and the intended result (Expect)
- stacked:  main-line histories with 1-3 defects of every kind
- parallel: feature branches merged with real merge commits; merge / linearize variants
- runner:   which cases a seed gives; one case end to end (build, repair, judge)
- judge:    alembic's verdict, the graph against the intended one, SQLite round trip
- oracle:   the reference repair (the intended graph written by hand), for the self-check
- report:   the tables and failure patterns
"""
