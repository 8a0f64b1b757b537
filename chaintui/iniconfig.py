"""alembic.ini read the way alembic's `Config` reads it, without importing alembic.

Importing `alembic.config` runs `alembic/__init__.py`, which imports `alembic.context` and with
it SQLAlchemy: 0.3–0.5 s, a third of a cold `chaintui check` on 5,000 revisions, spent only to
read a few lines of an .ini file. When a project has no `[tool.alembic]` in pyproject.toml,
alembic's Config is a `configparser.ConfigParser` seeded with `here` plus a handful of
accessors; `IniConfig` is that object, with the accessors chaintui calls, each written like
alembic's (1.16 to 1.x). `tests/test_iniconfig.py` reads every ini variant chaintui supports
with both and requires the same settings and the same errors; with a pyproject.toml holding
`[tool.alembic]`, discovery still uses alembic's own Config.

DESIGN.md asks for alembic's Config and no hand-written ini parser. Nothing is parsed by hand
here (ConfigParser does it, as inside alembic's Config); this module is the measured exception
to the letter of that rule (benchmarks/README.md: cold check 0.56x -> 0.37-0.39x alembic heads
at 5,000 revisions), and going back is one line in `discovery._config`.
"""

from __future__ import annotations

import os
import re
from configparser import ConfigParser
from pathlib import Path

_SEPARATORS = {"space": " ", "newline": "\n", "os": os.pathsep, ":": ":", ";": ";"}
_SPLIT_ON_SPACE_COMMA = re.compile(r", *|(?: +)")


class IniConfig:
    """The part of `alembic.config.Config(file_=ini, ini_section=section)` chaintui uses."""

    def __init__(self, file_: str | None, ini_section: str = "alembic") -> None:
        self.config_file_name = file_
        self.config_ini_section = ini_section
        here = Path(file_).absolute().parent if file_ else Path()
        self.file_config = ConfigParser({"here": here.as_posix()})
        if file_:
            self.file_config.read([Path(file_)], encoding="locale")
        else:
            self.file_config.add_section(ini_section)

    def set_main_option(self, name: str, value: str) -> None:
        if not self.file_config.has_section(self.config_ini_section):
            self.file_config.add_section(self.config_ini_section)
        self.file_config.set(self.config_ini_section, name, value)

    def get_section_option(self, section: str, name: str, default: str | None = None) -> str | None:
        if not self.file_config.has_section(section):
            raise ValueError(f"No config file {self.config_file_name!r} found, or file has no '[{section}]' section")
        if self.file_config.has_option(section, name):
            return self.file_config.get(section, name)
        return default

    def get_main_option(self, name: str, default: str | None = None) -> str | None:
        return self.get_section_option(self.config_ini_section, name, default)

    def get_alembic_option(self, name: str, default: str | None = None) -> str | None:
        # No pyproject.toml here: alembic would fall back to its (empty) TOML table.
        if self.file_config.has_option(self.config_ini_section, name):
            return self.file_config.get(self.config_ini_section, name)
        return default

    def get_alembic_boolean_option(self, name: str) -> bool:
        if self.file_config.has_option(self.config_ini_section, name):
            return self.file_config.get(self.config_ini_section, name) == "true"
        return False

    def _separator(self, *names: str) -> str | None:
        for name in names:
            separator = self.get_main_option(name)
            if separator is not None:
                break
        else:
            return None
        try:
            return _SEPARATORS[separator]
        except KeyError:
            raise ValueError(
                f"'{separator}' is not a valid value for {name}; expected 'space', 'newline', 'os', ':', ';'"
            ) from None

    def get_version_locations_list(self) -> list[str] | None:
        value = self.file_config.get(self.config_ini_section, "version_locations", fallback=None)
        if not value:
            return None
        split_char = self._separator("path_separator", "version_path_separator")
        if split_char is None:  # alembic's legacy splitting (it warns; chaintui ignores the warning)
            return _SPLIT_ON_SPACE_COMMA.split(value)
        return [x.strip() for x in value.split(split_char) if x]
