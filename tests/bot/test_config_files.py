"""One loader for every TOML configuration file: broken files are reported as `path:line: reason`."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config_files import ConfigError, read_toml
from bot.shows import load_shows
from bot.speakers import load_configured_speakers


def test_a_valid_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text('[[speaker]]\nname = "Dario Amodei"\naliases = ["ダリオ"]\n', encoding="utf-8")
    assert read_toml(path) == {"speaker": [{"name": "Dario Amodei", "aliases": ["ダリオ"]}]}


def test_a_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text('[[speaker]]\nname = "Dario"\naliases = [oops\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        read_toml(path)
    assert raised.value.line == 3 and raised.value.path == path
    assert str(raised.value) == f"{path}:3: {raised.value.reason}"
    assert "line" not in raised.value.reason and raised.value.reason  # the position is not repeated


def test_an_error_at_the_end_points_at_the_last_line(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text('a = 1\nb = [1,', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"x\.toml:2: "):
        read_toml(path)


def test_an_unreadable_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"x\.toml: cannot read: ") as raised:
        read_toml(tmp_path / "x.toml")
    assert raised.value.line is None
    binary = tmp_path / "b.toml"
    binary.write_bytes(b"a = '\xff'\n")
    with pytest.raises(ConfigError, match=r"b\.toml: cannot read: not UTF-8"):
        read_toml(binary)


def test_config_error_is_a_value_error() -> None:
    assert issubclass(ConfigError, ValueError)


def test_bad_speakers_and_shows_files_raise_config_errors(tmp_path: Path) -> None:
    (tmp_path / "speakers.toml").write_text('[[speaker]]\nname = "A"\n\nname = "B"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"speakers\.toml:4: "):
        load_configured_speakers(tmp_path)
    (tmp_path / "shows.toml").write_text('[[show]]\nname = "Decoder\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"shows\.toml:2: "):
        load_shows(tmp_path)


def test_a_speaker_without_a_name_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "speakers.toml").write_text('[[speaker]]\naliases = ["X"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="every \\[\\[speaker\\]\\] needs a name"):
        load_configured_speakers(tmp_path)


def test_a_broken_glossary_names_its_file_and_line(tmp_path: Path) -> None:
    from bot.topics import load_aliases

    (tmp_path / "aliases.toml").write_text('[terms]\n"talent density" = ["タレント密度"]\n', encoding="utf-8")
    (tmp_path / "glossary-ja-en.toml").write_text('[terms]\n"蒸留" = ["distillation"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"glossary-ja-en\.toml:2: "):
        load_aliases(tmp_path)
