"""The package boundaries of docs/architecture.md hold: import-linter's contracts, and every pure module.

The contracts live in pyproject.toml ([tool.importlinter]); this test runs them, so a layering
violation fails the suite, and shows once that the check can fail (a planted violation in a copy).
"""

from __future__ import annotations

import ast
import json
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
FORBIDDEN_IN_PURE = ("flask", "flask_wtf", "flask_login", "sqlalchemy", "webapp")
VIEW_MODULES = sorted({*ROOT.glob("webapp/*/views.py"), ROOT / "webapp/planning/survey.py",
                       ROOT / "webapp/admin/jobs.py", ROOT / "webapp/auth/tokens.py", ROOT / "webapp/home.py",
                       ROOT / "webapp/insights/corrections.py"})


def _lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
                          cwd=root, capture_output=True, text=True, env={"PYTHONPATH": str(root), "PATH": ""})


def test_import_contracts_are_kept():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_planted_violation_breaks_the_contracts(tmp_path):
    """A copy of the packages where analysis imports flask and a view imports sqlalchemy: both caught."""
    for name in ("webapp", "analysis", "surveys"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "static",
                                                                                     "templates", "data"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "analysis" / "trends.py").write_text(
        (ROOT / "analysis" / "trends.py").read_text() + "\nimport flask  # planted\n")
    (tmp_path / "webapp" / "insights" / "views.py").write_text(
        (ROOT / "webapp" / "insights" / "views.py").read_text() + "\nimport sqlalchemy  # planted\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "analysis.trends -> flask" in result.stdout
    assert "webapp.insights.views -> sqlalchemy" in result.stdout


def _modules(package: str) -> list[str]:
    path = ROOT / package
    return [package] + [f"{package}.{m.name}" for m in pkgutil.walk_packages([str(path)]) if not m.ispkg]


@pytest.mark.parametrize("package", ["analysis", "surveys"])
def test_every_pure_module_loads_no_web_or_database_code(package):
    """Import every module of the package (not a sample) in a fresh interpreter."""
    modules = _modules(package)
    assert len(modules) > 5
    code = ("import json, sys\n" + "".join(f"import {m}\n" for m in modules)
            + "print(json.dumps(sorted({n.split('.')[0] for n in sys.modules})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert not set(json.loads(out.stdout)) & set(FORBIDDEN_IN_PURE)


@pytest.mark.parametrize("path", VIEW_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_views_never_use_the_database_session(path):
    """Views call store/ and read models; `db` from webapp.extensions never appears in one."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "webapp.extensions":
            assert "db" not in {a.name for a in node.names}, f"{path.name} imports the database"
        if isinstance(node, ast.Attribute) and node.attr == "session" and getattr(node.value, "id", "") == "db":
            pytest.fail(f"{path.name}:{node.lineno} uses db.session")
