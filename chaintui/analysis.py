"""One call from a path to graphs and problems: discover, scan (with the cache), diagnose."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from chaintui import heap
from chaintui.cache import ScanCache, content_key
from chaintui.diagnosis import diagnose
from chaintui.discovery import Project, discover, migration_entries
from chaintui.graph import RevisionGraph
from chaintui.model import Migration, MigrationSet, Problem
from chaintui.scanner import MAX_SCAN_BYTES, scan_bytes, scan_oversized


@dataclass
class SetAnalysis:
    """One migration set: its graph and its problems."""

    mset: MigrationSet
    graph: RevisionGraph
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


@dataclass
class Analysis:
    """Everything chaintui knows about a project at one moment."""

    project: Project
    sets: list[SetAnalysis] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return [p for s in self.sets for p in s.problems]

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)

    @property
    def root(self) -> Path:
        return self.project.root


def analyze(path: str | os.PathLike[str] = ".", *, use_cache: bool = True,
            overlay: dict[Path, bytes | None] | None = None) -> Analysis:
    """Discover the project at `path`, scan every migration statically and diagnose it.

    `overlay` maps absolute paths to replacement bytes (None = deleted), so that a planned fix
    can be diagnosed before anything is written.
    """
    heap.settle()  # the modules imported so far live on (chaintui.heap)
    project = discover(path, use_cache=use_cache)
    cache = ScanCache.for_project(project) if use_cache else None
    analysis = Analysis(project)
    for mset in project.sets:
        keys: list[bytes] = []
        migrations = scan_set(mset, cache, overlay, keys=keys)
        graph = RevisionGraph(mset, migrations)
        heap.settle()  # the records and the graph live on: later collections skip them
        problems = None
        if cache is not None and not overlay:
            key = set_key(mset, migrations, keys)
            problems = cache.get_problems(key)
            if problems is None:
                problems = diagnose(graph)
                cache.put_problems(key, problems)
        if problems is None:
            problems = diagnose(graph)
        analysis.sets.append(SetAnalysis(mset, graph, problems))
    if cache is not None:
        cache.save()
    heap.settle()
    return analysis


def set_key(mset: MigrationSet, migrations: list[Migration], keys: list[bytes]) -> bytes:
    """Digest of everything a set's diagnosis depends on: the set's settings, each file's
    relative path and content digest, and the code that diagnoses (version and source stamps,
    so an edited checkout of chaintui never reuses a stale diagnosis)."""
    from chaintui.cache import blake2b, code_stamp

    digest = blake2b(digest_size=16)
    digest.update(code_stamp())
    digest.update(repr(mset).encode())
    for m, key in zip(migrations, keys):
        digest.update(m.rel.encode() + b"\0" + key + b"\0")
    return digest.digest()


def scan_set(mset: MigrationSet, cache: ScanCache | None = None,
             overlay: dict[Path, bytes | None] | None = None,
             keys: list[bytes] | None = None) -> list[Migration]:
    """Scan every migration file of a set, reusing cached records for unchanged content.

    When `keys` is a list, the content digest of each returned migration is appended to it.
    """
    entries = migration_entries(mset)
    real_dirs: dict[str, str] = {}

    def real(folder: str, filename: str) -> Path:
        """The resolved path, resolving each directory once (not every file)."""
        if folder not in real_dirs:
            real_dirs[folder] = os.path.realpath(folder)
        return Path(real_dirs[folder], filename)

    if overlay:
        present = {real(folder, filename) for _, folder, filename in entries}
        for extra, data in overlay.items():
            if data is not None and extra.suffix == ".py" and extra.resolve() not in present \
                    and any(_is_within(extra, d) for d in mset.version_dirs):
                entries.append((extra, os.fspath(extra.parent), extra.name))
        entries.sort(key=lambda e: e[0])
    # First read everything and take what the cache knows; then parse the rest.
    rows: list[tuple[Path, str, bytes | None, dict | str]] = []  # path, rel, key, record/error
    dir_rels: dict[str, str] = {}
    misses: dict[bytes, bytes] = {}
    for path, folder, filename in heap.settling(entries):  # the records live on (chaintui.heap)
        name = os.path.join(folder, filename)
        rel = _rel(mset, folder, filename, dir_rels)
        resolved = real(folder, filename) if overlay else None
        if overlay and resolved in overlay:
            data = overlay[resolved]
            if data is None:
                continue
        else:
            try:
                data = read_file(name)
            except NotRegularFile as exc:
                rows.append((path, rel, None, str(exc)))
                continue
            except FileTooLarge as exc:
                # The record depends only on the first bytes and the size: so does its key.
                key = content_key(exc.prefix + b"\0size:%d" % exc.size)
                rows.append((path, rel, key, scan_oversized(exc.prefix, exc.size)))
                continue
            except OSError as exc:
                rows.append((path, rel, None, f"cannot read: {exc.strerror or exc}"))
                continue
        key = content_key(data)
        record = cache.get(key) if cache is not None else None
        if record is None:
            misses[key] = data
        rows.append((path, rel, key, record))
    parsed = _parse_all(misses)
    if cache is not None:
        for key, record in parsed.items():
            cache.put(key, record)
    migrations = []
    for path, rel, key, record in heap.settling(rows):
        if key is None:
            migrations.append(Migration(path=path, rel=rel, error=record))
            if keys is not None:
                keys.append(b"unreadable:" + record.encode())
            continue
        migrations.append(Migration(path=path, rel=rel, **(record or parsed[key])))
        if keys is not None:
            keys.append(key)
    return migrations


def _parse_all(misses: dict[bytes, bytes]) -> dict[bytes, dict]:
    """Scan records of the files the cache did not know (identical contents parsed once)."""
    return {key: scan_bytes(data) for key, data in heap.settling(misses.items())}


_CHUNK = 1 << 16


class NotRegularFile(OSError):
    """A name in versions/ that is a FIFO, a device or a directory: never read (a FIFO would
    block the scan until something writes to it)."""


class FileTooLarge(OSError):
    """A file over scanner.MAX_SCAN_BYTES: only its first bytes were read."""

    def __init__(self, size: int, prefix: bytes) -> None:
        super().__init__(f"{size} bytes")
        self.size = size
        self.prefix = prefix


_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def read_file(name: str) -> bytes:
    """A file's bytes through os.open/os.read: half the cost of open().read() (no buffered
    file objects), which matters when a warm check reads 20,000 files and parses none.

    Opened without blocking and checked with fstat before reading: anything but a regular file
    raises NotRegularFile, and a file over MAX_SCAN_BYTES raises FileTooLarge with its first
    bytes, so neither a FIFO nor a 50 MB file can stall the scan or fill the memory.
    """
    fd = os.open(name, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((k for test, k in _KINDS if test(info.st_mode)), "not a regular file")
            raise NotRegularFile(f"not a regular file ({kind}): skipped")
        if info.st_size > MAX_SCAN_BYTES:
            raise FileTooLarge(info.st_size, _read(fd, MAX_SCAN_BYTES))
        data = os.read(fd, _CHUNK)
        more = os.read(fd, _CHUNK) if data else b""  # a short read is not proof of EOF
        if not more:
            return data
        chunks = [data, more]
        size = len(data) + len(more)
        while more and size <= MAX_SCAN_BYTES:  # a file growing while it is read
            more = os.read(fd, _CHUNK)
            chunks.append(more)
            size += len(more)
        data = b"".join(chunks)
        if size > MAX_SCAN_BYTES:
            raise FileTooLarge(max(size, info.st_size), data[:MAX_SCAN_BYTES])
        return data
    finally:
        os.close(fd)


def _read(fd: int, limit: int) -> bytes:
    chunks = []
    size = 0
    while size < limit:
        chunk = os.read(fd, min(_CHUNK, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _rel(mset: MigrationSet, folder: str, name: str, dir_rels: dict[str, str]) -> str:
    """mset.rel(folder/name), resolving each directory once instead of every file."""
    base = dir_rels.get(folder)
    if base is None:
        base = dir_rels[folder] = mset.rel(Path(folder))
    return name if base in (".", "") else f"{base}/{name}"


def _is_within(path: Path, directory: Path) -> bool:
    try:
        path.resolve().relative_to(directory.resolve())
        return True
    except ValueError:
        return False


def updated_graph(graph: RevisionGraph, changeset) -> RevisionGraph:
    """`graph` after `changeset` (chaintui.changes.ChangeSet), re-scanning only the files it
    changes: what the planner uses between the fixes it plans, instead of a whole new scan."""
    root = graph.mset.root
    changed = {c.rel: c for c in changeset.changes}
    migrations: list[Migration] = []
    for m in graph.migrations:
        change = changed.pop(m.rel, None)
        if change is None:
            migrations.append(m)
        elif change.new is not None:
            migrations.append(_rescanned(root, change.target, change.new))
    for change in changed.values():  # created files
        if change.new is not None:
            migrations.append(_rescanned(root, change.target, change.new))
    result = RevisionGraph(graph.mset, migrations)
    aliases = dict(graph.path_aliases)
    for change in changeset.changes:
        if change.new_rel and change.new_rel != change.rel and change.new is not None:
            old = root / change.rel
            aliases[root / change.new_rel] = aliases.pop(old, old)
    result.path_aliases = aliases
    return result


def _rescanned(root: Path, rel: str, data: bytes) -> Migration:
    return Migration(path=root / rel, rel=rel, **scan_bytes(data))
