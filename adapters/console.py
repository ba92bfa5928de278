"""The console adapter: answers in a terminal, and an interactive `saidbot chat` session.

What an answer says comes from `bot.present`; this module only lays it out as terminal lines:
the header with the page label, then per citation who, where and its badges, the quote and the
link, then how many more were found.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Final, TextIO

from bot import i18n
from bot.models import Answer, AnswerStatus, Verification
from bot.port import Core
from bot.present import AnswerView, CitationView, present_answer, present_verification, verification_answer_view

_QUIT: Final = frozenset({"quit", "exit", ":q"})
_MORE: Final = frozenset({"more", "もっと"})


def format_citation(citation: CitationView, lang: str) -> str:
    """`1. Dario Amodei — Episode @ 01:38:37 [verbatim transcript]`, the quote, the link."""
    where = citation.episode
    if citation.timestamp:
        where += f" @ {citation.timestamp}"
    badges = f" [{i18n.join_list(list(citation.badge_texts), lang)}]" if citation.badge_texts else ""
    when = f"{citation.date_label} · " if citation.date_label else ""
    lines = [f"{citation.number}. {when}{citation.who} — {where}{badges}", f"   “{citation.text}”"]
    lines += [f"   · {note}" for note in citation.notes]
    if citation.url:
        lines.append(f"   {citation.url}")
    return "\n".join(lines)


def format_view(view: AnswerView) -> str:
    if not view.found or view.header is None:
        return view.message or ""
    title = f"{view.header} · {view.page}" if view.page else view.header
    parts = [title, ""]
    for citation in view.citations:
        parts += [format_citation(citation, view.language), ""]
    if view.remaining_text:
        parts.append(view.remaining_text)
    return "\n".join(parts).rstrip()


def format_answer(answer: Answer, *, question: str | None = None) -> str:
    """The answer as a terminal shows it (what `saidbot ask` prints)."""
    if answer.verification is not None:
        return format_verification(answer.verification, lang=answer.language)
    return format_view(present_answer(answer, question=question))


def format_verification(found: Verification, *, lang: str | None = None) -> str:
    """A verification as a terminal shows it (what `saidbot verify` prints): the verdict, the quote, each
    passage with its match and the differing words; for not found, what the store covers."""
    view = verification_answer_view(present_verification(found, lang))
    quote = view.question_line or ""
    if not view.found:
        return "\n".join(part for part in (view.message, quote) if part)
    body = format_view(view)
    return body.replace("\n\n", f"\n{quote}\n\n", 1) if quote else body


async def chat(core: Core, *, lang: str | None = None, stdin: TextIO | None = None,
               stdout: TextIO | None = None) -> None:
    """Read questions line by line; `more` pages on, `quit` (or the end of input) ends."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty()
    # The question being paged through, and the offset of its next page.
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
        if question.lower() in _QUIT:
            break
        if not question:
            continue
        offset = 0
        if question.lower() in _MORE and last is not None:
            question, offset = last
        answer = await core.ask(question, lang=lang, offset=offset)
        if answer.status is AnswerStatus.OK:
            last = (question, offset + len(answer.citations))
        stdout.write(format_answer(answer, question=question) + "\n\n")
        stdout.flush()
