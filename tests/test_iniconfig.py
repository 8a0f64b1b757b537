"""IniConfig reads every alembic.ini the way alembic's own Config does.

discovery reads an alembic.ini without a `[tool.alembic]` pyproject through chaintui.iniconfig
(no alembic, no SQLAlchemy import). Each variant below is read by discovery twice — once with
IniConfig, once with alembic's Config forced — and the settings (or the one-line error) must
be the same, byte for byte.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import warnings

import pytest
from alembic.config import Config

from chaintui import discovery
from chaintui.errors import ChaintuiError
from chaintui.iniconfig import IniConfig

ALEMBIC = "[alembic]\nscript_location = %(here)s/migrations\n"
LOGGING = "[loggers]\nkeys = root\n[logger_root]\nlevel = WARN\nhandlers =\n"

VARIANTS = {
    "here": ALEMBIC + "sqlalchemy.url = sqlite:///%(here)s/app.db\n" + LOGGING,
    "relative": "[alembic]\nscript_location = migrations\n",
    "home": "[alembic]\nscript_location = ~/somewhere/migrations\n",
    "sep-os": ALEMBIC + "path_separator = os\nversion_locations = %(here)s/a:%(here)s/b\n",
    "sep-space": ALEMBIC + "path_separator = space\nversion_locations = a b  c\n",
    "sep-newline": ALEMBIC + "path_separator = newline\nversion_locations =\n    a\n    b c\n",
    "sep-colon": ALEMBIC + "path_separator = :\nversion_locations = a: b :c\n",
    "sep-semicolon": ALEMBIC + "path_separator = ;\nversion_locations = a;b\n",
    "sep-legacy": ALEMBIC + "version_locations = a, b c,d\n",
    "sep-deprecated-name": ALEMBIC + "version_path_separator = ;\nversion_locations = a;b\n",
    "sep-invalid": ALEMBIC + "path_separator = comma\nversion_locations = a,b\n",
    "sep-unused": ALEMBIC + "path_separator = nonsense\n",
    "recursive": ALEMBIC + "recursive_version_locations = true\n",
    "recursive-capital": ALEMBIC + "recursive_version_locations = True\n",
    "not-recursive": ALEMBIC + "recursive_version_locations = false\n",
    "file-template": ALEMBIC + "file_template = %%(year)d_%%(month).2d-%%(rev)s_%%(slug)s\n",
    "empty-template": ALEMBIC + "file_template =\n",
    "multi": "[db1]\nscript_location = one\nsqlalchemy.url = sqlite://\n"
             "[db2]\nscript_location = two\nversion_locations = two/v\n[other]\nx = 1\n",
    "default-section": "[DEFAULT]\nbase = %(here)s/m\n[alembic]\nscript_location = %(base)s\n",
    "bad-interpolation": "[alembic]\nscript_location = %(nowhere)s/migrations\n",
    "duplicate-option": "[alembic]\nscript_location = a\nscript_location = b\n",
    "no-section-header": "script_location = a\n",
    "package-resource": "[alembic]\nscript_location = myapp:migrations\n",
    "no-script-location": "[alembic]\nsqlalchemy.url = sqlite://\n",
    "flask-migrate": "[alembic]\n# template used to generate migration files\n\n[loggers]\nkeys = root\n",
    "utf8": "[alembic]\nscript_location = migrations\n# caf\u00e9\n",
}
#: Bytes that are not text in the locale's encoding (UTF-8 here): the same error from both.
RAW_VARIANTS = {"latin-1": b"[alembic]\nscript_location = migrations\n# caf\xe9\n"}


def _read(ini, forced_alembic: bool, monkeypatch) -> object:
    """discovery's settings for `ini` (or its ChaintuiError text), the cache off."""
    if forced_alembic:
        monkeypatch.setattr(discovery, "_config", lambda ini, toml, section="alembic": Config(
            file_=str(ini) if ini else None, toml_file=str(toml) if toml else None, ini_section=section))
    token = discovery._USE_CACHE.set(False)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return discovery._read_ini(ini, None)
    except ChaintuiError as exc:
        return f"error: {exc}"
    finally:
        discovery._USE_CACHE.reset(token)
        monkeypatch.undo()


@pytest.mark.parametrize("name", sorted(VARIANTS) + sorted(RAW_VARIANTS))
def test_same_settings_as_alembic_config(tmp_path, monkeypatch, name):
    ini = tmp_path / "alembic.ini"
    if name in RAW_VARIANTS:
        ini.write_bytes(RAW_VARIANTS[name])
    else:
        ini.write_text(VARIANTS[name], encoding="utf-8")
    if name == "flask-migrate":
        (tmp_path / "env.py").write_text("")
    ours = _read(ini, False, monkeypatch)
    theirs = _read(ini, True, monkeypatch)
    assert ours == theirs
    if name in ("sep-invalid", "bad-interpolation", "duplicate-option", "no-section-header", "no-script-location",
                "latin-1"):
        assert str(ours).startswith("error: ")
    elif name != "package-resource":
        assert isinstance(ours, list) and ours


def test_accessors_match_alembic_config(tmp_path):
    ini = tmp_path / "alembic.ini"
    ini.write_text(VARIANTS["multi"] + "[alembic]\nscript_location = main\nflag = true\n")
    for section in ("alembic", "db1", "db2"):
        ours, theirs = IniConfig(str(ini), section), Config(str(ini), ini_section=section)
        assert ours.file_config.sections() == theirs.file_config.sections()
        for name in ("script_location", "version_locations", "flag", "missing"):
            assert ours.get_alembic_option(name, "dflt") == theirs.get_alembic_option(name, "dflt")
            assert ours.get_main_option(name) == theirs.get_main_option(name)
            assert ours.get_alembic_boolean_option(name) == theirs.get_alembic_boolean_option(name)
        ours.set_main_option("script_location", "%(here)s/x")
        theirs.set_main_option("script_location", "%(here)s/x")
        assert ours.get_alembic_option("script_location") == theirs.get_alembic_option("script_location")


def test_cold_check_of_an_ini_project_does_not_import_sqlalchemy(tmp_path):
    root = tmp_path / "p"
    (root / "migrations" / "versions").mkdir(parents=True)
    (root / "alembic.ini").write_text(ALEMBIC)
    (root / "migrations" / "versions" / "a1_init.py").write_text(
        'revision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n')
    probe = textwrap.dedent(f"""
        import sys, os
        os.environ["CHAINTUI_CACHE_DIR"] = {str(tmp_path / "cache")!r}
        from chaintui.analysis import analyze
        result = analyze({str(root)!r})
        assert result.sets[0].graph.ids == ["a1"], result.sets[0].graph.ids
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("sqlalchemy", "alembic", "libcst")))
    """)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
