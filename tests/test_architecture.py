"""The core stays platform-free, and adapters keep their hands off SQL."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_never_imports_a_chat_platform() -> None:
    for path in (ROOT / "bot").rglob("*.py"):
        leaked = _imports(path) & {"discord", "slack_bolt", "slack_sdk"}
        assert not leaked, f"{path.relative_to(ROOT)} imports {leaked}"


def test_adapters_never_touch_sql() -> None:
    for path in (ROOT / "adapters").rglob("*.py"):
        leaked = _imports(path) & {"sqlite3", "aiosqlite"}
        assert not leaked, f"{path.relative_to(ROOT)} imports {leaked}"
        assert "bot.store" not in path.read_text(encoding="utf-8"), path
