"""A content-addressed cache of scan records, so a repeated `check` reparses only what changed.

Records are keyed by a BLAKE2 digest of the file's bytes (never by mtime: a rewrite within the
same second and size must not be missed) and stored per project in the user's cache directory
(`$CHAINTUI_CACHE_DIR`, else `$XDG_CACHE_HOME/chaintui`, else `~/.cache/chaintui`), never in the
project itself. A corrupt or unreadable cache is ignored; writing it is best effort.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from chaintui.scanner import SCANNER_VERSION


def cache_dir() -> Path:
    explicit = os.environ.get("CHAINTUI_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "chaintui"


class ScanCache:
    """Digest -> scan record, loaded once and saved once per analysis."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.records: dict[bytes, dict[str, Any]] = {}
        self.used: set[bytes] = set()
        self.dirty = False
        try:
            with open(file, "rb") as handle:
                version, records = pickle.load(handle)
            if version == SCANNER_VERSION:
                self.records = records
        except Exception:  # missing, truncated, from another version: start empty
            self.records = {}

    @classmethod
    def for_project(cls, project) -> ScanCache:
        key = hashlib.sha1(str(project.root).encode()).hexdigest()[:16]
        return cls(cache_dir() / f"scan-{key}.pickle")

    def get(self, key: bytes) -> dict[str, Any] | None:
        record = self.records.get(key)
        if record is not None:
            self.used.add(key)
        return record

    def put(self, key: bytes, record: dict[str, Any]) -> None:
        self.records[key] = record
        self.used.add(key)
        self.dirty = True

    def save(self) -> None:
        """Write the records used by this run (old ones are dropped) atomically."""
        if not self.dirty and len(self.used) == len(self.records):
            return
        records = {k: v for k, v in self.records.items() if k in self.used}
        _atomic_dump(self.file, (SCANNER_VERSION, records))


#: Bump when the shape of the cached discovery settings changes.
CONFIG_CACHE_VERSION = 1
_CONFIG_CACHE_LIMIT = 256


class ConfigCache:
    """Digest of config files' paths and bytes -> the settings alembic's Config read from them.

    Lets a warm `check` skip importing alembic (and SQLAlchemy). One small file shared by every
    project; at most a few hundred entries, newest kept.
    """

    def __init__(self, file: Path) -> None:
        self.file = file
        self.entries: dict[bytes, Any] = {}
        try:
            with open(file, "rb") as handle:
                version, entries = pickle.load(handle)
            if version == CONFIG_CACHE_VERSION and isinstance(entries, dict):
                self.entries = entries
        except Exception:  # missing, truncated, from another version: start empty
            self.entries = {}

    @classmethod
    def load(cls) -> ConfigCache:
        return cls(cache_dir() / "config.pickle")

    @staticmethod
    def key(parts: list[bytes]) -> bytes:
        from chaintui import __version__

        digest = hashlib.blake2b(digest_size=16)
        for part in [__version__.encode(), str(CONFIG_CACHE_VERSION).encode(), *parts]:
            digest.update(len(part).to_bytes(8, "little"))
            digest.update(part)
        return digest.digest()

    def get(self, key: bytes) -> Any:
        return self.entries.get(key)

    def put(self, key: bytes, value: Any) -> None:
        self.entries.pop(key, None)
        self.entries[key] = value
        while len(self.entries) > _CONFIG_CACHE_LIMIT:
            self.entries.pop(next(iter(self.entries)))
        _atomic_dump(self.file, (CONFIG_CACHE_VERSION, self.entries))


def _atomic_dump(file: Path, payload: Any) -> None:
    """Pickle `payload` to `file` atomically; best effort (a read-only home only costs speed)."""
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, file)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass
