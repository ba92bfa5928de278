"""Ingestion: every format, idempotent runs, failures that name file and line, and one transaction."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing.process
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from bot.ingest import runner
from bot.ingest.formats import parse_file
from bot.service import SaidService
from bot.settings import Settings
from bot.store import bulk as store_module

Write = Callable[[Path, str], Path]


def _parse(path: Path) -> list[tuple[str | None, float | None, str, str]]:
    doc = parse_file(path, path.read_text(encoding="utf-8"))
    return [(s.segment.speaker, s.segment.start, s.segment.kind, s.segment.text) for s in doc.segments]


def test_note_passages_continuations_and_statements(notes_dir: Path) -> None:
    """`**Name (hh:mm:ss):**` passages, `(continued)` inheriting the time, statements with stated times."""
    doc = parse_file(notes_dir / "team-en.md", (notes_dir / "team-en.md").read_text())
    assert doc.format == "note" and doc.lang == "en"
    episode = doc.episodes[0]
    assert (episode.video_id, episode.show, episode.number) == ("AbCdEfGhIjK", "Example Podcast", 7)
    quotes = [s.segment for s in doc.segments if s.segment.kind == "quote"]
    assert [(q.speaker, q.start) for q in quotes] == [
        ("Hannah Host", 590), ("Dario Amodei", 605), ("Dario Amodei", 605)
    ]
    assert quotes[1].text.startswith("A hundred excellent people")  # quotation marks stripped
    first_statement = next(s.segment for s in doc.segments if s.segment.kind == "note")
    assert first_statement.start == 600  # "the 0:10:00 mark"
    assert "Interpretability" in doc.topics


def test_japanese_note_forms(notes_dir: Path) -> None:
    """「…」 quotes, (続き), 10分00秒 and alias pairs like タレント密度（talent density）."""
    doc = parse_file(notes_dir / "team-ja.md", (notes_dir / "team-ja.md").read_text())
    assert doc.lang == "ja"
    quotes = [s.segment for s in doc.segments if s.segment.kind == "quote"]
    assert [(q.speaker, q.start) for q in quotes][1:] == [("Dario Amodei", 605), ("Dario Amodei", 605)]
    assert quotes[1].text.startswith("優秀な100人")
    assert ("タレント密度", "talent density") in doc.aliases
    assert next(s.segment for s in doc.segments if s.segment.kind == "note").start == 600


def test_youtube_link_gives_video_id(tmp_path: Path, write: Write) -> None:
    path = write(tmp_path / "n.md", "---\ntitle: t\n---\nWatch https://youtu.be/ugvHCXCOmm4 now.\n\n**A B (1h38m25s):** “Hello there.”\n")
    doc = parse_file(path, path.read_text())
    assert doc.episodes[0].video_id == "ugvHCXCOmm4"
    assert doc.segments[-1].segment.start == 5905


def test_speaker_turn_transcript_with_sidecar(tmp_path: Path, write: Write) -> None:
    """lexfridman.com style turns; episode metadata from NAME.meta.yaml beside the file."""
    path = write(
        tmp_path / "ep.txt",
        "Lex Fridman (00:00:01) Hello and welcome.\n\nDario Amodei (00:00:05)\nThanks for having me. It is great.\n\n"
        "Lex Fridman (00:01:00) What about scaling?\n",
    )
    write(tmp_path / "ep.meta.yaml", "title: Episode 1\nvideo_id: AbCdEfGhIjK\nshow: Lex Fridman Podcast\n")
    doc = parse_file(path, path.read_text())
    assert doc.format == "transcript"
    assert doc.episodes[0].title == "Episode 1" and doc.episodes[0].video_id == "AbCdEfGhIjK"
    assert [(s.segment.speaker, s.segment.start) for s in doc.segments] == [
        ("Lex Fridman", 1), ("Dario Amodei", 5), ("Lex Fridman", 60)
    ]
    assert doc.segments[1].segment.text == "Thanks for having me. It is great."


def test_bracket_and_bold_lines_merge_into_sentences(tmp_path: Path, write: Write) -> None:
    """Caption-sized lines become sentence-level segments that keep their first line's time."""
    lines = "\n".join(
        f"[00:00:{i * 2:02d}] " + ("part of a long sentence that keeps going" if i % 4 != 3 else "and ends here.")
        for i in range(16)
    )
    path = write(tmp_path / "cap.md", lines + "\n")
    segments = _parse(path)
    assert segments[0][1] == 0
    for _, _, _, text in segments:
        assert text.endswith(".")
    bold = write(tmp_path / "bold.md", "**00:05** · First line.\n**00:09** · Second line.\n**00:12** · Third.\n")
    assert _parse(bold)[0][1] == 5


def test_webvtt_and_srt(tmp_path: Path, write: Write) -> None:
    vtt = write(
        tmp_path / "talk.vtt",
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Dario Amodei>We are near the end\n\n"
        "00:00:03.000 --> 00:00:05.000\n<v Dario Amodei>of the exponential.\n\n"
        "00:00:06.000 --> 00:00:08.000\n<v Dwarkesh Patel>Why do you think so?\n",
    )
    segments = _parse(vtt)
    assert segments[0] == ("Dario Amodei", 1.0, "quote", "We are near the end of the exponential.")
    assert segments[1][0] == "Dwarkesh Patel"
    srt = write(
        tmp_path / "talk.srt",
        "1\n00:01:00,000 --> 00:01:02,000\nScaling keeps\n\n2\n00:01:02,000 --> 00:01:04,000\nworking well.\n",
    )
    assert _parse(srt) == [(None, 60.0, "quote", "Scaling keeps working well.")]


def test_quote_collection_and_youtube_feed(tmp_path: Path, write: Write) -> None:
    quotes = write(
        tmp_path / "quotes.md",
        "# Quotes\n\n## Ada Lovelace on Engines\n\n> https://example.com/ada-transcript\n\n"
        "(00:01:02) The engine weaves patterns.\n\nHost Person\n\n(00:01:30) Really?\n\nAda Lovelace\n\n"
        "(00:01:40) Yes, like a loom.\n\n## Alan Turing on Machines\n\n> https://youtu.be/AbCdEfGhIjK\n\n(02:03) Machines can think.\n",
    )
    doc = parse_file(quotes, quotes.read_text())
    assert doc.format == "quotes"
    assert [(s.segment.speaker, s.segment.start) for s in doc.segments] == [
        ("Ada Lovelace", 62), ("Host Person", 90), ("Ada Lovelace", 100), ("Alan Turing", 123)
    ]
    assert doc.episodes[0].transcript_url == "https://example.com/ada-transcript"
    assert doc.episodes[1].video_id == "AbCdEfGhIjK"
    feed = write(
        tmp_path / "feed.md",
        "---\nvideo_id: AbCdEfGhIjK\ntitle: A talk\nchannel: Some Channel\nupload_date: 2026-01-01\n---\n\n"
        "## Transcript\n\n[0:00](https://www.youtube.com/watch?v=AbCdEfGhIjK&t=0s) Hello.\n\n"
        "[21:23](https://www.youtube.com/watch?v=AbCdEfGhIjK&t=1283s) Revenue grew tenfold.\n",
    )
    doc = parse_file(feed, feed.read_text())
    assert doc.format == "youtube"
    assert [(s.segment.speaker, s.segment.start) for s in doc.segments] == [(None, 0), (None, 1283)]
    assert doc.episodes[0].title == "A talk" and doc.episodes[0].date == "2026-01-01"


FEED_WITH_NAMES = """\
---
video_id: AbCdEfGhIjK
title: A talk
channel: Pat Host
tags: [Machine Learning, Ada Lovelace, Alan Turing]
---

## Transcript

[0:00](https://www.youtube.com/watch?v=AbCdEfGhIjK&t=0s) Welcome, both of you.

[1:00](https://www.youtube.com/watch?v=AbCdEfGhIjK&t=60s) What should a beginner build first?

[1:30](https://www.youtube.com/watch?v=AbCdEfGhIjK&t=90s) Ada: Small engines. Build them, then break them.

[2:00](https://www.youtube.com/watch?v=AbCdEfGhIjK&t=120s) Alan Turing: I agree with her.

[2:30](https://www.youtube.com/watch?v=AbCdEfGhIjK&t=150s) Pat: Thanks.

[3:00](https://www.youtube.com/watch?v=AbCdEfGhIjK&t=180s) Note: nobody is called Note.
"""


def test_youtube_feed_paragraphs_labelled_with_a_first_name(tmp_path: Path, write: Write) -> None:
    """`Ada:` is Ada Lovelace when she is one of the episode's people; other `Word:` openings stay text."""
    feed = write(tmp_path / "feed.md", FEED_WITH_NAMES)
    doc = parse_file(feed, feed.read_text())
    labelled = [(s.segment.speaker, s.segment.speaker_verified, s.segment.text) for s in doc.segments]
    assert labelled == [
        (None, False, "Welcome, both of you."),
        (None, False, "What should a beginner build first?"),
        ("Ada Lovelace", True, "Small engines. Build them, then break them."),
        ("Alan Turing", True, "I agree with her."),
        ("Pat Host", True, "Thanks."),
        (None, False, "Note: nobody is called Note."),
    ]
    assert {"Ada Lovelace", "Alan Turing", "Pat Host"} <= set(doc.episodes[0].speakers)


def test_unlabelled_answer_is_indexed_with_the_question_before_it(tmp_path: Path, write: Write) -> None:
    feed = write(tmp_path / "feed.md", FEED_WITH_NAMES.replace("Ada: ", ""))
    doc = parse_file(feed, feed.read_text())
    contexts = runner._index_terms(doc)
    answer = next(i for i, s in enumerate(doc.segments) if s.segment.text.startswith("Small engines"))
    assert "beginn" in contexts[answer][1].split()  # the question's words, stemmed
    assert contexts[answer - 1][1] == ""  # the question itself has none: "Welcome" asks nothing


async def test_ingest_is_idempotent_and_tracks_changes(service: SaidService, notes_dir: Path, write: Write) -> None:
    first = await service.ingest([notes_dir])
    assert (first.added, first.failed) == (2, 0) and first.segments > 10
    again = await service.ingest([notes_dir])
    assert (again.added, again.changed, again.skipped, again.segments) == (0, 0, 2, 0)
    write(notes_dir / "team-en.md", (notes_dir / "team-en.md").read_text() + "\nOne more statement here.\n")
    (notes_dir / "team-ja.md").unlink()
    changed = await service.ingest([notes_dir])
    assert (changed.changed, changed.removed, changed.skipped) == (1, 1, 0)
    assert (await service.stats()).sources == 1


async def test_store_from_another_parser_version_rereads_unchanged_files(
    service: SaidService, notes_dir: Path
) -> None:
    first = await service.ingest([notes_dir])
    async with service.store.transaction() as writer:
        await writer.set_meta("index_version", "an older saidbot")
    upgraded = await service.ingest([notes_dir])
    assert (upgraded.added, upgraded.changed, upgraded.skipped) == (0, 2, 0)
    assert upgraded.segments == first.segments
    assert await service.store.meta("index_version") == runner.INDEX_VERSION
    again = await service.ingest([notes_dir])
    assert (again.changed, again.skipped) == (0, 2)


async def test_touched_but_identical_file_is_skipped_by_hash(service: SaidService, notes_dir: Path) -> None:
    await service.ingest([notes_dir])
    path = notes_dir / "team-en.md"
    path.write_text(path.read_text())  # new mtime, same bytes
    report = await service.ingest([notes_dir])
    assert report.skipped == 2 and report.changed == 0


async def test_malformed_note_names_file_and_line_and_the_rest_ingests(
    service: SaidService, notes_dir: Path, write: Write
) -> None:
    bad = write(notes_dir / "broken.md", "---\ntitle: ok\nlang: [unclosed\n---\nBody.\n")
    binary = notes_dir / "latin1.md"
    binary.write_bytes(b"line one\nline two caf\xe9\n")
    report = await service.ingest([notes_dir])
    assert report.added == 2 and report.failed == 2
    problems = {Path(p.path).name: p for p in report.problems}
    assert problems["broken.md"].line is not None and problems["broken.md"].line >= 3
    assert "YAML" in problems["broken.md"].reason
    assert problems["latin1.md"].line == 2 and "UTF-8" in problems["latin1.md"].reason
    assert str(bad) in str(problems["broken.md"])
    answer = await service.ask("what did Amodei say about talent density?")
    assert answer.citations


async def _dump(service: SaidService) -> list[tuple[object, ...]]:
    async with service.store.reader() as conn, conn.execute(
        "SELECT s.text, s.terms, s.context, s.start, sp.name, s.kind FROM segments s "
        "LEFT JOIN speakers sp ON sp.id = s.speaker_id ORDER BY s.text, s.start"
    ) as cur:
        return [tuple(row) async for row in cur]


async def test_worker_processes_build_the_same_index_and_report_bad_files(
    tmp_path: Path, notes_dir: Path, write: Write, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A large run parses in worker processes; what it stores and reports matches parsing in threads."""
    write(notes_dir / "broken.md", "---\ntitle: ok\nlang: [unclosed\n---\nBody.\n")
    write(notes_dir / "feed.md", FEED_WITH_NAMES)
    settings = Settings(db=tmp_path / "threads.db", notes=None, config_dir=Path(__file__).parents[2] / "config")
    pools: list[object] = []
    make_pool = runner._parser_pool
    monkeypatch.setattr(runner, "_parser_pool", lambda *args: pools.append(make_pool(*args)) or pools[-1])
    results = []
    for name, threshold in (("threads.db", 10**12), ("processes.db", 0)):
        monkeypatch.setattr(runner, "POOL_MIN_BYTES", threshold)
        service = await SaidService.open(settings.updated(core={"db": tmp_path / name}))
        try:
            report = await service.ingest([notes_dir])
            results.append((report.added, report.failed, [(Path(p.path).name, p.line) for p in report.problems],
                            await _dump(service)))
        finally:
            await service.close()
    assert pools[0] is None and isinstance(pools[1], ProcessPoolExecutor)
    assert not caplog.records or all("parser_process_died" not in r.getMessage() for r in caplog.records)
    assert results[0] == results[1]
    assert results[1][1] == 1 and results[1][2][0][0] == "broken.md"


def _generated_corpus(root: Path, write: Write, files: int = 12) -> None:
    """Several files in each transcript format, sharing speakers and episodes across files."""
    words = "scaling talent density export controls interpretability compute chips safety research".split()
    for n in range(files):
        lines = [
            "---", f"title: Episode {n}", f"show: Generated Show {n % 3}", f"episode: {n}",
            f"video_id: Vid{n:08d}", "speakers: [Hannah Host, Dario Amodei]", "---", "",
        ]
        for turn in range(40):
            speaker = "Hannah Host" if turn % 2 == 0 else "Dario Amodei"
            text = " ".join(words[(n + turn + k) % len(words)] for k in range(12))
            ending = "?" if speaker == "Hannah Host" else "."
            lines += [f"{speaker} ({turn // 60:02d}:{turn % 60:02d}:{n % 60:02d}) {text.capitalize()}{ending}", ""]
        write(root / f"talk-{n:02d}.md", "\n".join(lines))
    for n in range(3):
        cues = "\n\n".join(
            f"{k + 1}\n00:00:{k * 3:02d},000 --> 00:00:{k * 3 + 2:02d},500\n<v Ada Lovelace>{words[k % len(words)]} "
            f"matters in part {n}."
            for k in range(15)
        )
        write(root / f"captions-{n}.srt", cues + "\n")
        write(root / f"captions-{n}.meta.yaml", f"title: Captions {n}\nvideo_id: Cap{n:08d}\n")


async def _rows(service: SaidService) -> dict[str, list[tuple[object, ...]]]:
    queries = {
        "segments": "SELECT * FROM segments ORDER BY id",
        "sources": "SELECT id, path, sha256, size, mtime, lang, format, group_key, title FROM sources ORDER BY id",
        "episodes": "SELECT * FROM episodes ORDER BY id",
        "speakers": "SELECT * FROM speakers ORDER BY id",
        "topics": "SELECT * FROM topics ORDER BY rowid",
        "aliases": "SELECT * FROM term_aliases ORDER BY rowid",
        "vocab": "SELECT term, doc, cnt FROM segments_vocab ORDER BY term",
        "hashsize": "SELECT v FROM segments_fts_config WHERE k = 'hashsize'",
    }
    out = {}
    async with service.store.reader() as conn:
        for name, sql in queries.items():
            async with conn.execute(sql) as cur:
                out[name] = [tuple(row) async for row in cur]
    return out


async def test_worker_processes_and_batches_store_exactly_the_rows_threads_do(
    tmp_path: Path, notes_dir: Path, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ids, tokens, episodes and speakers do not depend on where files are parsed or how writes are batched."""
    _generated_corpus(notes_dir, write)
    write(notes_dir / "feed.md", FEED_WITH_NAMES)
    settings = Settings(db=tmp_path / "x.db", notes=None, config_dir=Path(__file__).parents[2] / "config")
    results = []
    # Threads, one file per chunk; then worker processes, several files per chunk, with the FTS5 bulk
    # settings switched on after a handful of segments.
    for name, pool_bytes, chunk_bytes, bulk_after in (("threads.db", 10**12, 1, 10**9), ("pool.db", 0, 20_000, 10)):
        monkeypatch.setattr(runner, "POOL_MIN_BYTES", pool_bytes)
        monkeypatch.setattr(runner, "CHUNK_BYTES", chunk_bytes)
        monkeypatch.setattr(store_module, "BULK_AFTER_SEGMENTS", bulk_after)
        progress: list[int] = []
        service = await SaidService.open(settings.updated(core={"db": tmp_path / name}))
        try:
            report = await service.ingest([notes_dir], progress=lambda done, _, __, seen=progress: seen.append(done))
            results.append((report.model_dump(exclude={"seconds"}), await _rows(service)))
        finally:
            await service.close()
        assert progress == list(range(1, 19))
    (thread_report, thread_rows), (pool_report, pool_rows) = results
    assert thread_report["added"] == 18 and thread_report["segments"] > 500
    assert pool_report == thread_report
    # The bulk hash size is put back; FTS5 then keeps the default as an explicit setting.
    assert thread_rows.pop("hashsize") == []
    assert pool_rows.pop("hashsize") == [(store_module.FTS_DEFAULT_HASHSIZE,)]
    assert pool_rows == thread_rows


def _crashing_prepare_chunk(jobs: list[runner._Job]) -> list[runner._Prepared]:
    """Runs in a worker process: the parser has a bug that crashes on files named crash*."""
    real = runner._parse

    def parse(candidate: runner._Candidate, data: bytes) -> runner._Document:
        if candidate.path.name.startswith("crash"):
            raise RuntimeError(f"parser bug in process {os.getpid()}")
        return real(candidate, data)

    runner._parse = parse
    try:
        return [runner._prepare(candidate, old) for candidate, old in jobs]
    finally:
        runner._parse = real


async def test_parser_crash_in_a_worker_process_is_reported_for_that_file(
    service: SaidService, notes_dir: Path, write: Write, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    crash = write(notes_dir / "crash.md", "---\ntitle: fine\n---\nA note the parser chokes on.\n")
    write(notes_dir / "feed.md", FEED_WITH_NAMES)
    monkeypatch.setattr(runner, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(runner, "CHUNK_BYTES", 1)
    monkeypatch.setattr(runner, "_prepare_chunk", _crashing_prepare_chunk)
    report = await service.ingest([notes_dir])
    assert (report.added, report.failed) == (3, 1)
    # The notes' show (Example Podcast) differs from the feed's channel for the same video: reported too.
    [problem] = [p for p in report.problems if "conflicts with its transcript" not in p.reason]
    assert problem.path == str(crash) and problem.reason.startswith("could not parse: parser bug in process ")
    assert not problem.reason.endswith(f" {os.getpid()}")  # it crashed in a worker, not here
    crashed = [r for r in caplog.records if r.getMessage() == "parser_crashed"]
    assert [getattr(r, "path", None) for r in crashed] == [str(crash)]
    assert "RuntimeError: parser bug" in getattr(crashed[0], "error", "")
    assert (await service.ask("what did Ada say about small engines?")).citations


async def test_a_cancelled_run_stops_its_worker_processes(
    service: SaidService, notes_dir: Path, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    _generated_corpus(notes_dir, write, files=6)
    monkeypatch.setattr(runner, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(runner, "CHUNK_BYTES", 1)
    pools: list[ProcessPoolExecutor] = []
    make_pool = runner._parser_pool

    def keep(*args: object) -> object:
        pool = make_pool(*args)  # type: ignore[arg-type]
        assert isinstance(pool, ProcessPoolExecutor)
        pools.append(pool)
        return pool

    workers: list[multiprocessing.process.BaseProcess] = []

    def cancel_midway(done: int, total: int, path: str) -> None:
        if done == 2:
            workers.extend(pools[0]._processes.values())
            task.cancel()

    monkeypatch.setattr(runner, "_parser_pool", keep)
    task = asyncio.ensure_future(service.ingest([notes_dir], progress=cancel_midway))
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (await service.stats()).sources == 0  # nothing of the cancelled run was committed
    assert workers
    for _ in range(100):
        if not any(worker.is_alive() for worker in workers):
            break
        await asyncio.sleep(0.1)
    assert not any(worker.is_alive() for worker in workers)


def test_worker_processes_do_not_rerun_an_unguarded_main_script(tmp_path: Path, notes_dir: Path) -> None:
    """A spawned worker re-imports the main script; a script without `if __name__ == "__main__":` must not run twice."""
    script = tmp_path / "ingest_script.py"
    script.write_text(
        "import asyncio, sys\n"
        "from pathlib import Path\n"
        "from bot.ingest import runner\n"
        "from bot.store import Store\n"
        "print('script ran', flush=True)\n"
        "runner.POOL_MIN_BYTES = 0\n"
        "async def main():\n"
        "    store = await Store.open(Path(sys.argv[1]))\n"
        "    pool = runner._parser_pool\n"
        "    runner._parser_pool = lambda *args: print('pool', pool(*args) is not None) or pool(*args)\n"
        "    report = await runner.run_ingest(store, [Path(sys.argv[2])])\n"
        "    await store.close()\n"
        "    print('added', report.added, 'failed', report.failed, flush=True)\n"
        "asyncio.run(main())\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(runner.__file__).parents[2]), *sys.path])}
    # Its own session, so that a run whose workers hang can be stopped with every process it started.
    proc = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "s.db"), str(notes_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, err
    assert out.splitlines() == ["script ran", "pool True", "added 2 failed 0"], err
    assert "parser_process_died" not in err


async def test_failed_run_leaves_previous_index_serving(
    service: SaidService, notes_dir: Path, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash in the middle of a run rolls the whole run back."""
    await service.ingest([notes_dir])
    before = await service.ask("talent density")
    write(notes_dir / "team-en.md", "---\ntitle: replaced\n---\nNothing about teams any more.\n")
    write(notes_dir / "zz-new.md", "---\ntitle: new\n---\nA brand new note.\n")
    calls = 0
    original = runner._store_document

    def crash_on_second(*args: object, **kwargs: object) -> int:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError("disk full")
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "_store_document", crash_on_second)
    with pytest.raises(OSError):
        await service.ingest([notes_dir])
    after = await service.ask("talent density")
    assert [c.text for c in after.citations] == [c.text for c in before.citations]
    assert (await service.stats()).sources == 2


async def test_whole_corpus_folder_with_readme_is_ignored_not_failed(
    service: SaidService, notes_dir: Path, write: Write
) -> None:
    write(notes_dir / "README.md", "# About these notes\n")
    report = await service.ingest([notes_dir])
    assert report.ignored == 1 and report.failed == 0
