"""Validation and CodeFileError, and the package's purity (no Flask, no db)."""

from __future__ import annotations

import ast
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from prep.codesets.common import CodeFileError, Validation

PACKAGE = Path(__file__).resolve().parents[3] / "prep" / "codesets"
ALLOWED_TOP_LEVEL = {
    "__future__",
    "array",
    "bisect",
    "collections",
    "csv",
    "dataclasses",
    "heapq",
    "io",
    "itertools",
    "logging",
    "os",
    "re",
    "threading",
    "types",
    "typing",
    "warnings",
    "simple_icd_10_cm",
}


def test_validation_ok_and_status():
    assert Validation("E11.9", "valid", "fine").ok
    assert not Validation("E11", "incomplete", "needs more").ok
    assert not Validation("X", "invalid", "no").ok
    with pytest.raises(ValueError):
        Validation("X", "maybe", "?")


def test_validation_is_frozen():
    v = Validation("E11.9", "valid", "fine", "desc")
    with pytest.raises(AttributeError):
        v.status = "invalid"  # type: ignore[misc]


def test_code_file_error():
    err = CodeFileError(7, "bad code")
    assert (err.line, err.reason) == (7, "bad code")
    assert str(err) == "line 7: bad code"
    assert isinstance(err, ValueError)
    again = pickle.loads(pickle.dumps(err))
    assert (again.line, again.reason) == (7, "bad code")


def test_package_imports_only_the_standard_library_and_the_icd_tables():
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in ALLOWED_TOP_LEVEL, f"{path.name} imports {name}"


def test_importing_the_package_does_not_load_the_icd_tables():
    code = (
        "import sys, importlib.util, types\n"
        # load prep.codesets without running prep/__init__ (the Flask app)
        "pkg = types.ModuleType('prep'); pkg.__path__ = ['prep']; sys.modules['prep'] = pkg\n"
        "import prep.codesets as cs\n"
        "assert 'simple_icd_10_cm' not in sys.modules\n"
        "assert not cs.icd10cm.is_loaded()\n"
        "assert 'flask' not in sys.modules and 'sqlalchemy' not in sys.modules\n"
    )
    root = PACKAGE.parents[1]
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], cwd=root, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_lazy_loading_is_thread_safe():
    """Many threads asking at once load the tables and build the index once."""
    code = (
        "import sys, types, threading\n"
        "pkg = types.ModuleType('prep'); pkg.__path__ = ['prep']; sys.modules['prep'] = pkg\n"
        "from prep.codesets import icd10cm\n"
        "built = []\n"
        "original = icd10cm._SearchIndex.__init__\n"
        "def counting(self):\n"
        "    built.append(1); original(self)\n"
        "icd10cm._SearchIndex.__init__ = counting\n"
        "results = []\n"
        "def work():\n"
        "    results.append((icd10cm.validate('S52.521A').status, icd10cm.search('torus radius', 3)))\n"
        "threads = [threading.Thread(target=work) for _ in range(8)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "assert len(results) == 8 and len({repr(r) for r in results}) == 1, results\n"
        "assert results[0][0] == 'valid' and built == [1], built\n"
    )
    root = PACKAGE.parents[1]
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], cwd=root, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
