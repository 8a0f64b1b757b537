"""Whether the real-broken judge (`eval.py`) can judge a mined case: it must load the
maintainers' own fixed folder with alembic and find the heads and bases the miner recorded —
otherwise even a planner that did exactly what the maintainers did would be scored "rejected" or
"INVALID" (migrations that read data files the judge's stubs cannot fake, annotations naming
typing names the judge's strip mode drops, ...). Used by `mine_real.py --judge EVAL.py`.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile

_loaded: dict[str, object] = {}


def _judge(path: str):
    if path not in _loaded:
        spec = importlib.util.spec_from_file_location("realbroken_eval", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _loaded[path] = module
    return _loaded[path]


def unjudgeable(eval_path: str, files: dict[str, bytes], case: dict) -> str:
    """'' when the judge loads FILES (the versions folder at the fix) as the case says, else why not"""
    import alembic

    ev = _judge(eval_path)
    tmp = tempfile.mkdtemp(prefix="mine-judge-")
    try:
        proj = os.path.join(tmp, "p")
        versions = os.path.join(proj, "migrations", "versions")
        os.makedirs(versions)
        with open(os.path.join(proj, "alembic.ini"), "w") as f:
            f.write(ev.INI)
        template = os.path.join(os.path.dirname(alembic.__file__), "templates", "generic")
        for name in ("env.py", "script.py.mako"):
            shutil.copy(os.path.join(template, name), os.path.join(proj, "migrations", name))
        for name, data in files.items():
            path = os.path.join(versions, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
        res = ev.load(proj, tmp)
        if not res["ok"]:
            return f"the judge cannot load the maintainers' result: {res['error'][:160]}"
        if res["warnings"]:
            return f"the judge warns on the maintainers' result: {res['warnings'][0][:160]}"
        heads, bases = len(res["heads"]), len(res["bases"])
        if (heads, bases) != (len(case["heads_at_fix"]), len(case["bases_at_fix"])):
            return (f"alembic reads the maintainers' result with {heads} head(s), {bases} base(s); "
                    f"the static reading {len(case['heads_at_fix'])}, {len(case['bases_at_fix'])}")
        return ""
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
