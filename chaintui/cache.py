"""A content-addressed cache of scan records, so a repeated `check` reparses only what changed.

Records are keyed by a BLAKE2 digest of the file's bytes (never by mtime: a rewrite within the
same second and size must not be missed) and stored per project in the user's cache directory
(`$CHAINTUI_CACHE_DIR`, else `$XDG_CACHE_HOME/chaintui`, else `~/.cache/chaintui`), never in the
project itself. A corrupt or unreadable cache is ignored; writing it is best effort.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

from chaintui.model import FieldInfo, Header, Problem, SchemaOp
from chaintui.scanner import SCANNER_VERSION

try:  # the C module directly: `hashlib` also loads OpenSSL, a few ms a warm check can skip
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other interpreters
    from hashlib import blake2b

#: Bump when the on-disk encoding of records changes (SCANNER_VERSION covers their content).
RECORD_FORMAT = 3
_HEADER_FIELDS = tuple(Header.__dataclass_fields__)
_OP_FIELDS = tuple(SchemaOp.__dataclass_fields__)
_PROBLEM_FIELDS = tuple(Problem.__dataclass_fields__)


def content_key(data: bytes) -> bytes:
    """The cache key of a file: a BLAKE2 digest of its bytes (never its mtime)."""
    return blake2b(data, digest_size=16).digest()


def encode_record(record: dict[str, Any]) -> tuple:
    """A scan record as plain tuples: unpickled several times faster than the dataclasses."""
    if record.get("revision") is None and "fields" not in record:
        return (None, record.get("error"), record.get("error_line"))
    return (
        record["revision"], record["error"], record["error_line"],
        record["down_revision"], record["branch_labels"], record["depends_on"],
        tuple((k, f.line, f.known, f.raw, f.count) for k, f in record["fields"].items()),
        tuple(getattr(record["header"], name) for name in _HEADER_FIELDS),
        tuple(tuple(getattr(op, name) for name in _OP_FIELDS) for op in record["ops"]),
    )


def _build(cls, names: tuple[str, ...], values: tuple):
    """cls(*values) for a plain frozen dataclass, the way pickle restores one (no __init__:
    frozen dataclasses set each field through object.__setattr__, twice as slow)."""
    obj = object.__new__(cls)
    obj.__dict__.update(zip(names, values))
    return obj


def decode_record(data: tuple, memo: dict | None = None) -> dict[str, Any]:
    """The record encode_record() was given (FieldInfo objects are shared through `memo`)."""
    if len(data) == 3:
        return {"error": data[1], "error_line": data[2]}
    revision, error, error_line, down, labels, depends, fields, header, ops = data
    memo = {} if memo is None else memo
    infos = {}
    for key, line, known, raw, count in fields:
        ident = (line, known, raw, count)
        info = memo.get(ident)
        if info is None:
            info = memo[ident] = FieldInfo(line, known, raw, count)
        infos[key] = info
    return {
        "revision": revision, "down_revision": down, "branch_labels": labels, "depends_on": depends,
        "fields": infos, "header": _build(Header, _HEADER_FIELDS, header),
        "ops": tuple([_build(SchemaOp, _OP_FIELDS, op) for op in ops]),
        "error": error, "error_line": error_line,
    }


def cache_dir() -> Path:
    explicit = os.environ.get("CHAINTUI_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "chaintui"


_VERSION = (SCANNER_VERSION, RECORD_FORMAT)


class ScanCache:
    """Digest -> scan record, loaded once and saved once per analysis."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.records: dict[bytes, tuple] = {}
        self.used: set[bytes] = set()
        self.problems: dict[bytes, tuple] = {}
        self.used_problems: set[bytes] = set()
        self.dirty = False
        self._memo: dict = {}
        try:
            with open(file, "rb") as handle:
                version, records, problems = pickle.load(handle)
            if version == _VERSION:
                self.records, self.problems = records, problems
        except Exception:  # missing, truncated, from another version: start empty
            self.records, self.problems = {}, {}

    @classmethod
    def for_project(cls, project) -> ScanCache:
        key = blake2b(str(project.root).encode(), digest_size=8).hexdigest()
        return cls(cache_dir() / f"scan-{key}.pickle")

    def get(self, key: bytes) -> dict[str, Any] | None:
        data = self.records.get(key)
        if data is None:
            return None
        try:
            record = decode_record(data, self._memo)
        except Exception:  # a damaged entry is a miss
            return None
        self.used.add(key)
        return record

    def put(self, key: bytes, record: dict[str, Any]) -> None:
        self.records[key] = encode_record(record)
        self.used.add(key)
        self.dirty = True

    def get_problems(self, key: bytes) -> list[Problem] | None:
        """The diagnosis of a whole set whose inputs digest to `key` (see analysis.set_key)."""
        data = self.problems.get(key)
        if data is None:
            return None
        try:
            problems = [Problem(*fields) for fields in data]
        except Exception:
            return None
        self.used_problems.add(key)
        return problems

    def put_problems(self, key: bytes, problems: list[Problem]) -> None:
        self.problems[key] = tuple(
            tuple(getattr(p, name) for name in _PROBLEM_FIELDS) for p in problems
        )
        self.used_problems.add(key)
        self.dirty = True

    def save(self) -> None:
        """Write the entries used by this run (old ones are dropped) atomically."""
        if not self.dirty and len(self.used) == len(self.records) \
                and len(self.used_problems) == len(self.problems):
            return
        records = {k: v for k, v in self.records.items() if k in self.used}
        problems = {k: v for k, v in self.problems.items() if k in self.used_problems}
        _atomic_dump(self.file, (_VERSION, records, problems))


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

        digest = blake2b(digest_size=16)
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
    import tempfile  # deferred: only a run that changed something writes

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


_STAMPED = ("model", "graph", "diagnosis", "naming", "schema/__init__", "schema/extract", "schema/ops",
            "schema/states", "schema/checks", "scanner", "fastscan", "cache", "analysis")
_code_stamp: bytes | None = None


def code_stamp() -> bytes:
    """The chaintui version plus size and mtime of the modules that scan and diagnose.

    Part of every cached diagnosis's key: a release bumps the version, and an edited (editable)
    checkout changes the stamps, so a cached diagnosis is never from other code.
    """
    global _code_stamp
    if _code_stamp is None:
        from chaintui import __version__

        parts = [__version__, str(SCANNER_VERSION), str(RECORD_FORMAT)]
        package = Path(__file__).parent
        for name in _STAMPED:
            try:
                st = os.stat(package / f"{name}.py")
                parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
            except OSError:
                parts.append(f"{name}:-")
        _code_stamp = "|".join(parts).encode()
    return _code_stamp
