"""The layers: the core (bot/) stays platform-free and knows neither the adapters nor the front door;
adapters keep their hands off SQL and never import the front door (saidbot/), which sits above both."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIM = ROOT / "bot" / "__main__.py"


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(module: str, level: int, path: Path) -> str:
    """The absolute name a relative import `from ..x import y` in `path` refers to."""
    package = _module_of(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (level - 1)] if level > 1 else package
    return ".".join([*base, module] if module else base)


def imported_modules(source: str, path: Path) -> set[str]:
    """Every module `source` imports, as full dotted names: plain, relative and `importlib.import_module("…")`."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = _resolve(node.module or "", node.level, path) if node.level else node.module or ""
            if module:
                names.add(module)
            # `from bot import store` imports bot.store.
            names.update(f"{module}.{alias.name}" if module else alias.name for alias in node.names)
        elif isinstance(node, ast.Call) and _is_import_call(node.func) and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                names.add(first.value)
    return names


def _is_import_call(func: ast.expr) -> bool:
    if isinstance(func, ast.Attribute):
        return func.attr == "import_module" or (func.attr == "__import__" and isinstance(func.value, ast.Name))
    return isinstance(func, ast.Name) and func.id in ("import_module", "__import__")


def _imports(path: Path) -> set[str]:
    return imported_modules(path.read_text(encoding="utf-8"), path)


def _hits(names: set[str], forbidden: set[str]) -> set[str]:
    return {name for name in names if any(name == f or name.startswith(f"{f}.") for f in forbidden)}


def _violations(folder: str, forbidden: set[str], *, skip: tuple[Path, ...] = ()) -> list[str]:
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        leaked = _hits(_imports(path), forbidden)
        if leaked and path not in skip:
            found.append(f"{path.relative_to(ROOT)} imports {sorted(leaked)}")
    return found


def test_core_never_imports_a_chat_platform() -> None:
    assert _violations("bot", {"discord", "slack_bolt", "slack_sdk"}) == []


def test_core_never_imports_adapters_or_the_front_door() -> None:
    assert _violations("bot", {"adapters", "saidbot"}, skip=(SHIM,)) == []


def test_the_python_dash_m_bot_shim_holds_nothing_but_the_delegation() -> None:
    tree = ast.parse(SHIM.read_text(encoding="utf-8"))
    body = [node for node in tree.body if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
    assert [ast.unparse(node) for node in body] == [
        "from saidbot.cli import main",
        "if __name__ == '__main__':\n    raise SystemExit(main())",
    ]


def test_adapters_never_import_the_front_door() -> None:
    assert _violations("adapters", {"saidbot"}) == []


def test_adapters_never_touch_sql() -> None:
    assert _violations("adapters", {"sqlite3", "aiosqlite", "bot.store"}) == []
    for path in (ROOT / "adapters").rglob("*.py"):
        assert "bot.store" not in path.read_text(encoding="utf-8"), path


@pytest.mark.parametrize(
    ("where", "source", "expected"),
    [
        ("bot/query.py", "import adapters.console", "adapters.console"),
        ("bot/query.py", "from saidbot import cli", "saidbot.cli"),
        ("bot/query.py", "import importlib\nimportlib.import_module('saidbot.cli')", "saidbot.cli"),
        ("bot/query.py", "from importlib import import_module\nimport_module('adapters.web')", "adapters.web"),
        ("bot/query.py", "__import__('discord')", "discord"),
        ("bot/query.py", "def f():\n    from .. import adapters", "adapters"),
        ("bot/ingest/notes.py", "from ...adapters import web", "adapters.web"),
        ("adapters/slack/app.py", "from ...saidbot.bootstrap import open_core", "saidbot.bootstrap"),
        ("bot/ingest/__init__.py", "from ..store import Store", "bot.store"),
    ],
)
def test_the_checks_catch_every_way_of_importing(where: str, source: str, expected: str) -> None:
    """The rules above would fail on a violation, however the import is spelled."""
    assert expected in imported_modules(source, ROOT / where)
