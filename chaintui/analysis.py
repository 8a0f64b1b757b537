"""One call from a path to graphs and problems: discover, scan (with the cache), diagnose."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from chaintui.cache import ScanCache
from chaintui.diagnosis import diagnose
from chaintui.discovery import Project, discover, migration_files
from chaintui.graph import RevisionGraph
from chaintui.model import Migration, MigrationSet, Problem
from chaintui.scanner import scan_bytes


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
    project = discover(path)
    cache = ScanCache.for_project(project) if use_cache else None
    analysis = Analysis(project)
    for mset in project.sets:
        migrations = scan_set(mset, cache, overlay)
        graph = RevisionGraph(mset, migrations)
        analysis.sets.append(SetAnalysis(mset, graph, diagnose(graph)))
    if cache is not None:
        cache.save()
    return analysis


def scan_set(mset: MigrationSet, cache: ScanCache | None = None,
             overlay: dict[Path, bytes | None] | None = None) -> list[Migration]:
    """Scan every migration file of a set, reusing cached records for unchanged content."""
    paths = migration_files(mset)
    if overlay:
        present = {p.resolve() for p in paths}
        for extra, data in overlay.items():
            if data is not None and extra.suffix == ".py" and extra.resolve() not in present \
                    and any(_is_within(extra, d) for d in mset.version_dirs):
                paths.append(extra)
        paths.sort()
    migrations = []
    dir_rels: dict[Path, str] = {}
    for path in paths:
        rel = _rel(mset, path, dir_rels)
        if overlay and path.resolve() in overlay:
            data = overlay[path.resolve()]
            if data is None:
                continue
        else:
            try:
                data = path.read_bytes()
            except OSError as exc:
                migrations.append(Migration(path=path, rel=rel, error=f"cannot read: {exc.strerror or exc}"))
                continue
        key = hashlib.blake2b(data, digest_size=16).digest()
        record = cache.get(key) if cache is not None else None
        if record is None:
            record = scan_bytes(data)
            if cache is not None:
                cache.put(key, record)
        migrations.append(Migration(path=path, rel=rel, **record))
    return migrations


def _rel(mset: MigrationSet, path: Path, dir_rels: dict[Path, str]) -> str:
    """mset.rel(path), resolving each directory once instead of every file."""
    parent = path.parent
    base = dir_rels.get(parent)
    if base is None:
        base = dir_rels[parent] = mset.rel(parent)
    return path.name if base == "." else f"{base}/{path.name}"


def _is_within(path: Path, directory: Path) -> bool:
    try:
        path.resolve().relative_to(directory.resolve())
        return True
    except ValueError:
        return False
