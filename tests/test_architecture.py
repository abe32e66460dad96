"""The house rule, in code: the call-script language and the scoring model stay framework-free."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE_PACKAGES = ("scripts", "scoring")
FORBIDDEN = ("aiogram", "aiosqlite", "bot", "aiohttp")


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports, with the line of the import."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def violations(package_dir: Path, root: Path = ROOT) -> list[str]:
    """Imports of forbidden top-level packages anywhere under a package directory."""
    problems = []
    for path in sorted(package_dir.rglob("*.py")):
        for line, module in imported_modules(path):
            if module.split(".")[0] in FORBIDDEN:
                problems.append(f"{path.relative_to(root)}:{line}: imports {module}")
    return problems


@pytest.mark.parametrize("package", PURE_PACKAGES)
def test_pure_package_imports_no_framework(package: str) -> None:
    package_dir = ROOT / package
    assert any(package_dir.rglob("*.py")), f"{package}/ has no Python files"
    assert violations(package_dir) == []


def test_the_check_catches_a_forbidden_import(tmp_path: Path) -> None:
    package = tmp_path / "scoring"
    package.mkdir()
    (package / "leaky.py").write_text(
        "import json\nfrom aiogram import Bot\nimport bot.app as app\n", encoding="utf-8"
    )
    assert violations(package, root=tmp_path) == [
        "scoring/leaky.py:2: imports aiogram",
        "scoring/leaky.py:3: imports bot.app",
    ]
