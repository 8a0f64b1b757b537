"""Find the Alembic project(s) under a path, reading configuration the way alembic's Config does
(an alembic.ini through chaintui.iniconfig, which is tested against it; a [tool.alembic]
pyproject.toml through alembic's Config itself)."""

from __future__ import annotations

import contextvars
import os
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

from chaintui.errors import ChaintuiError
from chaintui.model import MigrationSet

DEFAULT_FILE_TEMPLATE = "%(rev)s_%(slug)s"
_USE_CACHE: contextvars.ContextVar[bool] = contextvars.ContextVar("chaintui_discovery_cache", default=True)
_SKIP_DIRS = {".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache", "site-packages"}
_SEARCH_DEPTH = 4


@dataclass(frozen=True)
class Project:
    """A directory and the independent migration sets found in it."""

    root: Path
    sets: tuple[MigrationSet, ...]


def discover(path: str | os.PathLike[str] = ".", *, use_cache: bool = True) -> Project:
    """Return the project at `path`: a dir with alembic.ini / pyproject.toml, or a versions dir.

    Raises ChaintuiError with a one-line reason when `path` is not an Alembic project.
    With use_cache=False every config file is read again and nothing is cached.
    """
    token = _USE_CACHE.set(use_cache)
    try:
        return _discover(path)
    finally:
        _USE_CACHE.reset(token)


def _discover(path: str | os.PathLike[str]) -> Project:
    target = Path(path).expanduser()
    if not target.exists():
        raise ChaintuiError(f"{path}: no such file or directory")
    target = target.resolve()
    if target.is_file():
        if target.name == "alembic.ini" or target.suffix == ".ini":
            return Project(target.parent, tuple(_sets_from_ini(target, target.parent)))
        if target.name == "pyproject.toml":
            sets = _sets_from_pyproject(target, target.parent)
            if sets:
                return Project(target.parent, tuple(sets))
        raise ChaintuiError(f"{path}: not an alembic.ini, pyproject.toml or directory")
    if not os.access(target, os.R_OK | os.X_OK):
        raise ChaintuiError(f"{path}: permission denied")

    sets = _sets_in_dir(target, target)
    if not sets:
        # A monorepo: several projects below, each its own set of graphs.
        for config in _find_configs(target):
            sets.extend(_sets_in_dir(config, target))
    if not sets and _looks_like_versions_dir(target):
        script_location = target.parent if (target.parent / "env.py").exists() else None
        root = script_location.parent if script_location else target
        sets.append(MigrationSet(name=target.name, root=root, script_location=script_location,
                                 version_dirs=(target,)))
        # Paths in output are relative to the project root: the same root as the set's.
        return Project(root, tuple(sets))
    if not sets:
        raise ChaintuiError(
            f"{path}: not an Alembic project (no alembic.ini, no [tool.alembic] in "
            "pyproject.toml, no migration files)"
        )
    return Project(target, tuple(sets))


def _sets_in_dir(directory: Path, root: Path) -> list[MigrationSet]:
    ini = directory / "alembic.ini"
    if ini.is_file():
        return _sets_from_ini(ini, root)
    toml = directory / "pyproject.toml"
    if toml.is_file():
        return _sets_from_pyproject(toml, root)
    return []


def _find_configs(top: Path) -> list[Path]:
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(top):
        depth = len(Path(dirpath).relative_to(top).parts)
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("."))
        if depth >= _SEARCH_DEPTH:
            dirnames[:] = []
        if Path(dirpath) == top:
            continue
        if "alembic.ini" in filenames or "pyproject.toml" in filenames:
            here = Path(dirpath)
            if "alembic.ini" in filenames or _has_tool_alembic(here / "pyproject.toml"):
                found.append(here)
                dirnames[:] = []
    return found


def _has_tool_alembic(toml: Path) -> bool:
    try:
        return b"[tool.alembic]" in toml.read_bytes()
    except OSError:
        return False


def _looks_like_versions_dir(directory: Path) -> bool:
    try:
        return any(
            p.suffix == ".py" and p.name != "__init__.py" and p.name != "env.py"
            for p in directory.iterdir()
        )
    except OSError:
        return False


def _config(ini: Path | None, toml: Path | None, section: str = "alembic"):
    """alembic's Config for these files; without a pyproject.toml, the same reading by IniConfig.

    Importing alembic pulls in SQLAlchemy (0.3–0.5 s of every cold start); IniConfig is tested
    against alembic's Config on every ini variant chaintui reads (tests/test_iniconfig.py).
    """
    if toml is None and ini is not None:
        from chaintui.iniconfig import IniConfig

        return IniConfig(str(ini), ini_section=section)
    from alembic.config import Config

    return Config(
        file_=str(ini) if ini else None,
        toml_file=str(toml) if toml else None,
        ini_section=section,
    )


def _sets_from_ini(ini: Path, root: Path) -> list[MigrationSet]:
    toml = ini.parent / "pyproject.toml"
    toml_arg = toml if toml.is_file() and _has_tool_alembic(toml) else None
    raw = _cached_config(("ini", ini, toml_arg), lambda: _read_ini(ini, toml_arg))
    if raw == "pyproject":
        return _sets_from_pyproject(toml_arg, root, ini=ini)
    return [_make_set(settings, ini, root) for settings in raw]


def _read_ini(ini: Path, toml_arg: Path | None) -> list[dict] | str:
    """Every section of `ini` with a script_location, read as alembic's Config reads it (cache miss)."""
    try:
        base = _config(ini, toml_arg)
        parser = base.file_config
        sections = [s for s in parser.sections() if parser.has_option(s, "script_location")]
    except Exception as exc:  # configparser errors, unreadable file
        raise ChaintuiError(f"{ini}: cannot read configuration: {_one_line(exc)}") from None
    if not sections and toml_arg is not None:
        return "pyproject"
    if not sections and _is_flask_migrate(ini):
        # Flask-Migrate's `Migrate.get_config()` reads <directory>/alembic.ini and sets
        # script_location to that directory itself (its env.py and versions/ are there).
        try:
            config = _config(ini, toml_arg)
            config.set_main_option("script_location", str(ini.parent).replace("%", "%%"))
            return [_read_settings(config, ini, "alembic", multi=False)]
        except ChaintuiError:
            raise
        except Exception as exc:
            raise ChaintuiError(f"{ini}: cannot read configuration: {_one_line(exc)}") from None
    if not sections:
        raise ChaintuiError(f"{ini}: no script_location in any section")
    multi = len(sections) > 1
    try:
        return [_read_settings(_config(ini, toml_arg, s), ini, s, multi) for s in sections]
    except ChaintuiError:
        raise
    except Exception as exc:  # e.g. alembic's ValueError for an unknown path_separator
        raise ChaintuiError(f"{ini}: cannot read configuration: {_one_line(exc)}") from None


def _is_flask_migrate(ini: Path) -> bool:
    """A Flask-Migrate `migrations/` folder: alembic.ini beside env.py, no script_location."""
    return (ini.parent / "env.py").is_file()


def _sets_from_pyproject(toml: Path, root: Path, ini: Path | None = None) -> list[MigrationSet]:
    if not _has_tool_alembic(toml):
        return []
    raw = _cached_config(("toml", ini, toml), lambda: _read_pyproject(toml, ini))
    return [_make_set(settings, toml, root) for settings in raw]


def _read_pyproject(toml: Path, ini: Path | None) -> list[dict]:
    try:
        config = _config(ini, toml)
        if not config.get_alembic_option("script_location"):
            raise ChaintuiError(f"{toml}: [tool.alembic] has no script_location")
        return [_read_settings(config, toml, "alembic", multi=False)]
    except ChaintuiError:
        raise
    except Exception as exc:  # tomllib.TOMLDecodeError and friends
        raise ChaintuiError(f"{toml}: cannot read [tool.alembic]: {_one_line(exc)}") from None


def _cached_config(key: tuple, read):
    """What these config files say (see _config), cached by their exact content.

    A warm `check` reads the few config bytes instead of parsing them (or importing alembic for
    a pyproject.toml). The key holds the files' paths and bytes and the chaintui version, so any
    edit is a miss, and a miss is always read again.
    """
    if not _USE_CACHE.get():
        return read()
    from chaintui.cache import ConfigCache

    kind, ini, toml = key
    parts = [kind.encode()]
    for path in (ini, toml):
        parts.append(str(path).encode() if path else b"-")
        try:
            parts.append(path.read_bytes() if path else b"")
        except OSError:
            return read()  # let alembic report the unreadable file
    cache = ConfigCache.load()
    digest = cache.key(parts)
    hit = cache.get(digest)
    if hit is not None:
        return hit
    value = read()
    cache.put(digest, value)
    return value


def _read_settings(config, source: Path, section: str, multi: bool) -> dict:
    """The settings chaintui needs from one alembic Config, as plain picklable values."""
    here = source.parent
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        location = config.get_alembic_option("script_location")
        if location and ":" in location and not Path(location).exists() and not os.path.isabs(location):
            raise ChaintuiError(
                f"{source}: script_location {location!r} is a package resource; give a path instead"
            )
        saved_path = list(sys.path)
        try:
            locations = config.get_version_locations_list()
        finally:
            sys.path[:] = saved_path
        recursive = bool(config.get_alembic_boolean_option("recursive_version_locations"))
        file_template = config.get_alembic_option("file_template", DEFAULT_FILE_TEMPLATE)
        url = config.get_section_option(section, "sqlalchemy.url") if config.file_config.has_section(section) else None
    return {
        "section": section,
        "multi": multi,
        "script_location": str(_resolve(location, here)),
        "version_dirs": [str(_resolve(loc, here)) for loc in locations or ()],
        "recursive": recursive,
        "file_template": file_template or DEFAULT_FILE_TEMPLATE,
        "url": url,
    }


def _make_set(settings: dict, source: Path, root: Path) -> MigrationSet:
    script_location = Path(settings["script_location"])
    if settings["version_dirs"]:
        version_dirs = tuple(Path(d) for d in settings["version_dirs"])
    else:
        version_dirs = (script_location / "versions",)
    existing = tuple(d for d in version_dirs if d.is_dir())
    if not existing:
        shown = ", ".join(str(d) for d in version_dirs)
        raise ChaintuiError(f"{source}: version directory not found: {shown}")
    name = settings["section"] if settings["multi"] else _relname(script_location, root)
    return MigrationSet(
        name=name,
        root=root,
        script_location=script_location,
        version_dirs=existing,
        recursive=settings["recursive"],
        file_template=settings["file_template"],
        config_file=source,
        config_section=settings["section"],
        sqlalchemy_url=settings["url"],
    )


def _resolve(location: str, here: Path) -> Path:
    path = Path(location).expanduser()
    return (path if path.is_absolute() else here / path).resolve()


def _relname(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix() or "."
    except ValueError:
        return path.as_posix()


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def migration_files(mset: MigrationSet) -> list[Path]:
    """The candidate migration files of a set, each once, in a stable order.

    Like alembic: `*.py` files (not `__init__.py`), recursing only when configured, and
    skipping anything under `__pycache__`.
    """
    return [entry[0] for entry in migration_entries(mset)]


def migration_entries(mset: MigrationSet) -> list[tuple[Path, str, str]]:
    """(path, directory as str, file name) of each file migration_files() lists.

    Each directory is resolved once, not each file (20,000 `resolve()` calls cost a third of a
    second), and the strings let a warm scan open files without formatting 20,000 Paths.
    """
    seen: set[str] = set()
    entries: list[tuple[Path, str, str]] = []
    for directory in mset.version_dirs:
        real = os.path.realpath(directory)
        if mset.recursive:
            groups = []
            for dirpath, dirnames, filenames in os.walk(directory):
                dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
                sub = os.path.relpath(dirpath, directory)
                groups.append((dirpath, os.path.normpath(os.path.join(real, sub)), filenames))
        else:
            try:
                groups = [(os.fspath(directory), real, os.listdir(directory))]
            except OSError as exc:
                raise ChaintuiError(f"{directory}: cannot list: {exc.strerror}") from None
        for dirpath, real_dir, names in sorted(groups):
            folder = Path(dirpath)
            for name in sorted(names):
                if not name.endswith(".py") or name == "__init__.py" or name.startswith("."):
                    continue
                key = f"{real_dir}/{name}"
                if key in seen:
                    continue
                seen.add(key)
                entries.append((folder / name, dirpath, name))
    return entries
