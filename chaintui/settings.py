"""Project settings: the `[tool.chaintui]` table of the project's `pyproject.toml`.

```toml
[tool.chaintui]
base = "origin/main"     # the ref `check` compares with, and what a bare `--against` means
heads = "merge"          # how several heads are resolved: "merge" or "linearize"
id-style = "numbered"    # ids of new files: "numbered" (017a, 0008b) or "hex" (alembic's rev_id)
```

Every key is optional; an absent table is the defaults (no base, heads decided from the
project's history, id style detected from its ids). A malformed table is a one-line error, never
a silent default: a team that wrote `heads = "merg"` must learn it did not take.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from chaintui.errors import ChaintuiError

HEADS_POLICIES = ("merge", "linearize")
USE_BASE = "\0base"
"""What a bare `--against` (no REF) stands for: the `base` below."""
ID_STYLES = ("numbered", "hex")


@dataclass(frozen=True)
class Settings:
    base: str | None = None
    """A git ref (e.g. `origin/main`)."""
    heads: str | None = None
    """`merge`, `linearize`, or None: decided from the history (see chaintui.order)."""
    id_style: str | None = None
    """`numbered`, `hex`, or None: detected from the project's ids."""
    source: Path | None = None
    """The pyproject.toml the settings came from (None: defaults)."""


DEFAULT = Settings()


def _toml_loads(data: bytes) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    return tomllib.loads(data.decode("utf-8"))


def load_settings(root: Path) -> Settings:
    """The `[tool.chaintui]` settings of the project at `root` (its pyproject.toml, if any)."""
    path = Path(root) / "pyproject.toml"
    try:
        data = path.read_bytes()
    except OSError:
        return DEFAULT
    if b"chaintui" not in data:
        return DEFAULT
    try:
        table = _toml_loads(data).get("tool", {}).get("chaintui")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ChaintuiError(f"{path}: cannot read [tool.chaintui]: {str(exc).splitlines()[0]}") from None
    if table is None:
        return DEFAULT
    if not isinstance(table, dict):
        raise ChaintuiError(f"{path}: [tool.chaintui] must be a table")
    known = {"base", "heads", "id-style"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ChaintuiError(f"{path}: unknown key(s) in [tool.chaintui]: {', '.join(unknown)} "
                            f"(known: {', '.join(sorted(known))})")
    base = table.get("base")
    if base is not None and (not isinstance(base, str) or not base.strip()):
        raise ChaintuiError(f"{path}: [tool.chaintui] base must be a git ref such as \"origin/main\"")
    heads = table.get("heads")
    if heads is not None and heads not in HEADS_POLICIES:
        raise ChaintuiError(f"{path}: [tool.chaintui] heads must be \"merge\" or \"linearize\", not {heads!r}")
    style = table.get("id-style")
    if style is not None and style not in ID_STYLES:
        raise ChaintuiError(f"{path}: [tool.chaintui] id-style must be \"numbered\" or \"hex\", not {style!r}")
    return Settings(base=base, heads=heads, id_style=style, source=path)
