"""The files each platform builds from name only real settings and real commands, and stay in step with
pyproject.toml (requirements.txt and .python-version are generated: `python -m saidbot.deploy_files`)."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

from bot.settings import all_environment_variables
from saidbot import deploy_files
from saidbot.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = all_environment_variables()


def _commands() -> set[str]:
    parser = build_parser()
    [sub] = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    return set(sub.choices)  # type: ignore[arg-type]


def _assert_command(line: str) -> None:
    words = line.split()
    assert words[0] == "saidbot" and words[1] in _commands(), line


def test_requirements_and_python_version_are_current() -> None:
    assert deploy_files.main(["--check"]) == 0, "run `python -m saidbot.deploy_files` and commit the result"
    pins = dict(re.findall(r"^([a-z0-9-]+)==(\S+)$", (ROOT / "requirements.txt").read_text(), re.MULTILINE))
    for req in deploy_files.runtime_requirements():
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        assert name in pins and req.specifier.contains(pins[name]), req
    assert (ROOT / "requirements.txt").read_text().rstrip().endswith("\n.")  # and the project itself
    assert (ROOT / ".python-version").read_text().strip() == "3.11"


def test_procfile_starts_real_commands() -> None:
    processes = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip())
    assert processes == {"web": "saidbot serve", "worker": "saidbot discord"}
    for line in processes.values():
        _assert_command(line)


def test_app_json_describes_every_setting() -> None:
    app: dict[str, Any] = json.loads((ROOT / "app.json").read_text())
    env: dict[str, dict[str, Any]] = app["env"]
    # PORT is the platform's to set.
    assert set(env) == SETTINGS - {"PORT"}, set(env) ^ (SETTINGS - {"PORT"})
    assert all(spec["description"].strip() for spec in env.values())
    assert set(app["formation"]) == {"web", "worker"}
    assert app["buildpacks"] == [{"url": "heroku/python"}]


def test_render_blueprint_has_web_and_worker_with_a_health_check() -> None:
    blueprint = yaml.safe_load((ROOT / "render.yaml").read_text())
    services = {s["type"]: s for s in blueprint["services"]}
    assert set(services) == {"web", "worker"}
    assert services["web"]["healthCheckPath"] == "/healthz"
    for service in services.values():
        _assert_command(service["startCommand"])
        assert service["buildCommand"] == "pip install -r requirements.txt"
        assert {v["key"] for v in service["envVars"]} <= SETTINGS
    assert "disk:" in (ROOT / "render.yaml").read_text()  # offered, commented out


def test_fly_toml_runs_both_processes_and_checks_healthz() -> None:
    fly = tomllib.loads((ROOT / "fly.toml").read_text())
    assert set(fly["processes"]) == {"web", "worker"}
    for line in fly["processes"].values():
        _assert_command(line)
    service = fly["http_service"]
    assert service["processes"] == ["web"] and str(service["internal_port"]) == fly["env"]["PORT"]
    assert [c["path"] for c in service["checks"]] == ["/healthz"]
    assert set(fly["env"]) <= SETTINGS
    dockerfile = (ROOT / fly["build"]["dockerfile"]).read_text()
    python = (ROOT / ".python-version").read_text().strip()
    assert f"FROM python:{python}-slim" in dockerfile and "pip install --no-cache-dir -r requirements.txt" in dockerfile
