"""Who added a migration file and when, read from git (blocking: called from a thread worker)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class GitFacts:
    """The commit that added a file (following renames)."""

    author: str
    date: str
    sha: str
    subject: str

    def describe(self) -> str:
        return f"added by {self.author} on {self.date} in {self.sha[:8]} ({self.subject})"


def added_by(root: Path, rel: str) -> GitFacts | None:
    """The commit that first added `rel` (relative to `root`), or None outside git / untracked."""
    import git

    try:
        repo = git.Repo(root, search_parent_directories=True)
        out = repo.git.log("--follow", "-M90%", "--diff-filter=A", "--format=%H%x00%an%x00%ad%x00%s",
                           "--date=short", "--", str(Path(root) / rel))
    except Exception:
        return None
    lines = [line for line in out.splitlines() if line.strip()]
    if not lines:
        return None
    sha, author, date, subject = (lines[-1].split("\x00") + ["", "", "", ""])[:4]
    return GitFacts(author, date, sha, subject)
