"""Hostile and unlucky files: each is one problem line (path, line where known), and the rest goes in."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.ingest import walk as walk_module
from bot.models import IngestReport
from bot.service import SaidService
from bot.settings import CoreSettings, Settings

Write = Callable[[Path, str], Path]

GOOD = "---\ntitle: Good\n---\n\n**Ada Lovelace (00:01:00):**\n“Engines weave algebraic patterns.”\n"


def _reasons(report: IngestReport) -> dict[str, str]:
    return {Path(p.path).name: f"{p.line}: {p.reason}" for p in report.problems}


async def _paths(service: SaidService) -> set[str]:
    return {Path(p).name for p in await service.store.source_states()}


async def test_links_out_of_the_root_dotfiles_and_credentials_are_never_indexed(
    tmp_path: Path, service: SaidService, write: Write
) -> None:
    deployment = tmp_path / "app"
    write(deployment / ".env", "SLACK_BOT_TOKEN=xoxb-123456789012-abcdefABCDEF\n")
    write(deployment / "outside.md", "The outside note mentions xoxb tokens.\n")
    notes = tmp_path / "notes"
    write(notes / "good.md", GOOD)
    os.symlink(deployment / ".env", notes / "env.md")
    os.symlink(deployment / "outside.md", notes / "outside.md")
    os.symlink(deployment, notes / "app")
    write(notes / ".hidden.md", "hidden words\n")
    write(notes / "credentials.txt", "password = hunter2\n")
    write(notes / "id_rsa.txt", "-----BEGIN OPENSSH PRIVATE KEY-----\n")
    report = await service.ingest([notes])
    assert await _paths(service) == {"good.md"}
    reasons = _reasons(report)
    assert "leads out of the notes folder" in reasons["env.md"]
    assert "leads out of the notes folder" in reasons["outside.md"]
    assert "credentials" in reasons["credentials.txt"] and "credentials" in reasons["id_rsa.txt"]
    answer = await service.ask("SLACK_BOT_TOKEN")
    assert "xoxb" not in answer.model_dump_json()


async def test_a_link_that_was_indexed_before_is_dropped_once_refused(
    tmp_path: Path, service: SaidService, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = tmp_path / "notes"
    write(notes / "good.md", GOOD)
    secret = write(tmp_path / "leak.md", "Leaked words stay out.\n")
    os.symlink(secret, notes / "leak.md")
    # An index written before links were checked: the link's row is there.
    with monkeypatch.context() as patch:
        patch.setattr(walk_module, "_within", lambda path, root: True)
        report = await service.ingest([notes])
    assert report.added == 2
    await service.ingest([notes])
    assert await _paths(service) == {"good.md"}


async def test_dangling_links_loops_fifos_bad_names_and_deleted_files_are_reported(
    tmp_path: Path, service: SaidService, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = tmp_path / "notes"
    write(notes / "good.md", GOOD)
    os.symlink(notes / "missing.md", notes / "dangling.md")
    os.symlink(notes / "loop-b.md", notes / "loop-a.md")
    os.symlink(notes / "loop-a.md", notes / "loop-b.md")
    os.mkfifo(notes / "pipe.md")  # reading a FIFO blocks forever
    bad = os.open(os.fsencode(notes) + b"/bad-\xff-name.md", os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(bad, b"words\n")
    os.close(bad)
    write(notes / "vanishing.md", "This file is deleted between the walk and the read.\n")
    real_walk = walk_module.walk

    def walk_then_delete(paths: list[Path], limit: int = 0) -> walk_module.Walk:
        found = real_walk(paths, limit)
        (notes / "vanishing.md").unlink()
        return found

    monkeypatch.setattr("bot.ingest.runner.walk", walk_then_delete)
    began = time.perf_counter()
    report = await service.ingest([notes])
    assert time.perf_counter() - began < 10
    reasons = _reasons(report)
    assert "dangling symlink" in reasons["dangling.md"]
    assert "symlink loop" in reasons["loop-a.md"] and "symlink loop" in reasons["loop-b.md"]
    assert "not a regular file" in reasons["pipe.md"]
    assert "not valid UTF-8" in reasons["bad-\ufffd-name.md"]
    assert "deleted during the ingest" in reasons["vanishing.md"]
    assert await _paths(service) == {"good.md"}


async def test_an_unreadable_folder_is_reported_and_keeps_what_it_had(
    tmp_path: Path, service: SaidService, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Works as root too (where chmod 000 does not deny reads): the folder's scandir raises PermissionError."""
    notes = tmp_path / "notes"
    write(notes / "good.md", GOOD)
    write(notes / "locked" / "kept.md", "Words from a folder that later became unreadable.\n")
    await service.ingest([notes])
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        if str(path).endswith("/locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(walk_module.os, "scandir", scandir)
    write(notes / "new.md", "A new note beside the locked folder.\n")
    report = await service.ingest([notes], exclusive=True)
    assert "cannot read folder: Permission denied" in _reasons(report)["locked"]
    assert await _paths(service) == {"good.md", "kept.md", "new.md"}


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 folder; the scandir variant above covers root")
async def test_a_chmod_000_folder_is_reported(tmp_path: Path, service: SaidService, write: Write) -> None:
    notes = tmp_path / "notes"
    write(notes / "good.md", GOOD)
    write(notes / "locked" / "kept.md", "Words.\n")
    (notes / "locked").chmod(0)
    try:
        report = await service.ingest([notes])
    finally:
        (notes / "locked").chmod(0o755)
    assert "cannot read folder" in _reasons(report)["locked"]


async def test_folders_nested_past_the_path_limit_are_reported(tmp_path: Path, service: SaidService, write: Write) -> None:
    notes = tmp_path / "notes"
    write(notes / "good.md", GOOD)
    fd = os.open(notes, os.O_RDONLY)
    try:
        for _ in range(25):  # 25 x 200 characters: past Linux's 4096-byte PATH_MAX
            os.mkdir("d" * 200, dir_fd=fd)
            inner = os.open("d" * 200, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        note = os.open("deep.md", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(note, b"Deep words.\n")
        os.close(note)
    finally:
        os.close(fd)
    report = await service.ingest([notes])
    assert any("path too long" in p.reason or "nested deeper" in p.reason for p in report.problems), report.problems
    assert await _paths(service) == {"good.md"}


async def test_one_file_by_several_paths_is_indexed_once(tmp_path: Path, service: SaidService, write: Write) -> None:
    notes = tmp_path / "notes"
    original = write(notes / "a-talk.md", GOOD)
    os.link(original, notes / "b-hardlink.md")
    os.symlink(original, notes / "c-symlink.md")
    write(notes / "d-copy.md", GOOD)
    report = await service.ingest([notes])
    assert await _paths(service) == {"a-talk.md"}
    reasons = _reasons(report)
    assert "same file as" in reasons["b-hardlink.md"] and "same file as" in reasons["c-symlink.md"]
    assert "same content as" in reasons["d-copy.md"]
    answer = await service.ask("what did Ada Lovelace say about engines")
    assert answer.total == 1


async def test_billion_laughs_front_matter_is_refused_quickly(tmp_path: Path, service: SaidService, write: Write) -> None:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, 9):
        prev, name = chr(ord("a") + index - 1), chr(ord("a") + index)
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    write(tmp_path / "notes" / "laughs.md", "---\n" + "\n".join(levels) + "\ntitle: x\n---\nBody words.\n")
    began = time.perf_counter()
    report = await service.ingest([tmp_path / "notes"])
    assert time.perf_counter() - began < 5
    problem = report.problems[0]
    assert "YAML aliases" in problem.reason and problem.line is not None


async def test_a_bad_front_matter_date_names_its_line(tmp_path: Path, service: SaidService, write: Write) -> None:
    write(tmp_path / "n" / "dated.md", "---\ntitle: t\ndate: 2026-13-01\n---\nBody words.\n")
    report = await service.ingest([tmp_path / "n"])
    assert str(report.problems[0]).endswith(
        "dated.md:3: front matter is not valid YAML: not a date: '2026-13-01' (month must be in 1..12)"
    )


async def test_a_non_utf8_sidecar_is_blamed_on_the_sidecar(tmp_path: Path, service: SaidService, write: Write) -> None:
    notes = tmp_path / "n"
    write(notes / "talk.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHello there.\n")
    (notes / "talk.meta.yaml").write_bytes(b"title: ok\nshow: \xff\xfe\n")
    report = await service.ingest([notes])
    assert [str(p) for p in report.problems] == [f"{notes / 'talk.meta.yaml'}:2: sidecar is not UTF-8 text"]


async def test_files_over_the_size_limit_are_refused(
    tmp_path: Path, settings: Settings, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAIDBOT_MAX_FILE_MB", "0.01")
    write(tmp_path / "n" / "big.md", "Many words here. " * 1000)
    write(tmp_path / "n" / "good.md", GOOD)
    service = await SaidService.open(settings.updated(core={"max_file_mb": CoreSettings().max_file_mb}))
    try:
        report = await service.ingest([tmp_path / "n"])
        assert "over the 0.01 MB limit (SAIDBOT_MAX_FILE_MB)" in _reasons(report)["big.md"]
        assert await _paths(service) == {"good.md"}
    finally:
        await service.close()


@pytest.mark.parametrize(("name", "text", "line"), [
    ("hour.vtt", "WEBVTT\n\n" + "9" * 400 + ":00:01.000 --> 00:00:02.000\nToo long.\n\n00:00:03.000 --> 00:00:04.000\nFine.\n", 3),
    ("minutes.srt", "1\n00:99:99,999 --> 01:00:00,000\nNope.\n\n2\n00:00:03,000 --> 00:00:04,000\nFine.\n", 2),
    ("clock.txt", "[00:00:01] Fine one.\n[00:00:02] Fine two.\n[99:99:99] Nope.\n[-1:00] Nope.\n[00:00:03] Fine three.\n", 3),
])
async def test_impossible_times_are_refused_with_their_line(
    tmp_path: Path, service: SaidService, write: Write, name: str, text: str, line: int
) -> None:
    write(tmp_path / "n" / name, text)
    report = await service.ingest([tmp_path / "n"])
    assert report.added == 1
    assert report.problems and report.problems[0].line == line and "impossible time" in report.problems[0].reason
    if name == "clock.txt":
        assert report.problems[1].line == 4
    answer = await service.ask("fine")
    assert all(c.start_seconds is None or c.start_seconds < 100 * 3600 for c in answer.citations)
