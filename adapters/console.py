"""The console adapter: answers in a terminal, and an interactive `saidbot chat` session."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot import i18n
from bot.models import Answer, AnswerStatus, Citation
from bot.port import Core


def format_citation(index: int, citation: Citation, lang: str) -> str:
    speaker = citation.speaker or i18n.t("note_kind", lang)
    if citation.speaker and not citation.speaker_verified:
        speaker += f" ({i18n.t('unverified_speaker', lang)})"
    where = citation.episode
    if citation.timestamp:
        where += f" @ {citation.timestamp}"
    kind = "" if citation.kind == "quote" or not citation.speaker else f" [{i18n.t('note_kind', lang)}]"
    lines = [f"{index}. {speaker} — {where}{kind}", f"   “{citation.text}”"]
    if citation.url:
        lines.append(f"   {citation.url}")
    return "\n".join(lines)


def format_answer(answer: Answer) -> str:
    lang = answer.language
    if answer.status is not AnswerStatus.OK:
        return answer.message or ""
    if answer.speaker:
        header = i18n.t("answer_header", lang, speaker=answer.speaker, topic=answer.topic)
    else:
        header = i18n.t("answer_header_any", lang, topic=answer.topic)
    parts = [header, ""]
    for number, citation in enumerate(answer.citations, start=answer.offset + 1):
        parts.append(format_citation(number, citation, lang))
        parts.append("")
    remaining = answer.total - answer.offset - len(answer.citations)
    if remaining > 0:
        parts.append(f"(+{remaining})")
    return "\n".join(parts).rstrip()


async def chat(service: Core, *, lang: str | None = None, stdin: TextIO | None = None,
               stdout: TextIO | None = None) -> None:
    """Read questions line by line; `more` pages on, an empty line or `quit` ends."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty()
    last: tuple[str, int] | None = None
    if interactive:
        stdout.write("Ask what someone said (e.g. “what did Amodei say about talent density?”). "
                     "‘more’ for more, ‘quit’ to leave.\n")
    while True:
        if interactive:
            stdout.write("> ")
            stdout.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            break
        question = line.strip()
        if question.lower() in ("quit", "exit", ":q"):
            break
        if not question:
            continue
        offset = 0
        if question.lower() in ("more", "もっと") and last is not None:
            question, offset = last[0], last[1]
        answer = await service.ask(question, lang=lang, offset=offset)
        if answer.status is AnswerStatus.OK:
            last = (question, offset + len(answer.citations))
        text = format_answer(answer) if answer.citations or answer.status is not AnswerStatus.OK else i18n.t(
            "no_more", answer.language)
        stdout.write(text + "\n\n")
        stdout.flush()
