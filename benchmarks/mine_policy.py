"""A project's written rule for resolving two Alembic heads (a merge revision, or relinking a
migration's `down_revision`), quoted from its documentation at a given commit, for
`mine_real.py`'s `policy` field.

A paragraph of a Markdown/reST/text document (READMEs, CONTRIBUTING, docs, agent instructions)
is quoted when it tells the reader to run `alembic merge` / write a merge revision, or to
repoint/update/rebase a migration's `down_revision`. A paragraph that only names the error
("Multiple heads detected") is not a rule and is left out, as are changelogs, release notes,
design plans and vendored folders. The quotes are evidence for a reader; the judge does not use
them.
"""

from __future__ import annotations

import re

DOCS = ("*.md", "*.rst", "*.txt", "*.mdc", "*.mdx")
RULE = re.compile(
    r"alembic\s+merge|\bdb\s+merge\b|merge\s+(revision|migration)|"
    r"(re-?point|updat|chang|set|point|adjust|edit|modif)\w*\W+(\w+\W+){0,5}`?down[_ ]revision|"
    r"(?<![/\w-])rebas\w*\W+(\w+\W+){0,8}(migration|down_revision)", re.I)
INSTRUCTIONS = re.compile(r"(^|/)(AGENTS|CLAUDE|CONTRIBUTING|HACKING|DEVELOP)[^/]*$", re.I)
ABOUT_MIGRATIONS = re.compile(r"migrat|alembic", re.I)
ITEM = re.compile(r"^\s*([-*+|>]|\d+[.)])\s")
NOT_POLICY = re.compile(r"(^|/)(node_modules|vendor|site-packages|third_party|plans?|PRPs|issues?|"
                        r"changes|changelog\.d|news|releases?)/|changelog|change_log|release[-_ ]?notes|"
                        r"history\.|CHANGES", re.I)
_cache: dict[str, list[dict]] = {}


def rules(text: str):
    """(line number, quote) for every paragraph of a document that states a rule: the paragraph's
    list items / table rows / sentences that match RULE, joined"""
    start, lines = None, []
    for num, line in enumerate(text.splitlines() + [""], 1):
        if line.strip():
            start = num if start is None else start
            lines.append(line)
            continue
        if lines:
            items = []
            for ln in lines:
                if ITEM.match(ln) or not items:
                    items.append(ln.strip())
                else:
                    items[-1] += " " + ln.strip()
            hits = [sent for item in items for sent in re.split(r"(?<=[.!?])\s+(?=[A-Z`*])", item)
                    if RULE.search(sent)]
            if hits:
                yield start, " … ".join(hits)
        start, lines = None, []


def policy_quotes(git, commit: str, limit: int = 6) -> list[dict]:
    """[{file, line, quote}] at COMMIT: what the documents say to do about diverged heads;
    contributor/agent instructions first, then documents about migrations, then the rest"""
    if commit not in _cache:
        hits = git("grep", "-I", "-l", "-i", "-E", r"alembic|down_revision|migration", commit, "--",
                   *DOCS, check=False)
        paths = [ln.split(":", 1)[1] for ln in hits.splitlines()]
        paths = sorted((p for p in paths if not NOT_POLICY.search(p)),
                       key=lambda p: (not INSTRUCTIONS.search(p), not ABOUT_MIGRATIONS.search(p), p))
        quotes = []
        for path in paths:
            for num, quote in rules(git("show", f"{commit}:{path}", check=False)):
                if re.search(r"alembic|migration|down_revision|heads?\b", quote, re.I):
                    quotes.append({"file": path, "line": num, "quote": quote[:800]})
        _cache[commit] = quotes[:limit]
    return _cache[commit]
