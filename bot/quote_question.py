"""Questions that ask whether someone said a quote: "did Dario say '…'?", "本当に「…」と言った？".

Read in the core, before the question pipeline cleans the text (cleaning drops quotation marks),
so `Core.ask` answers such a question with a verification on every adapter alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from bot.query import strip_fillers
from bot.text import normalize

# The quoted words, inside any of the quotation marks people paste; the outermost pair wins.
_QUOTED: Final = r"(?:\"(?P<q1>.+)\"|“(?P<q2>.+)”|‘(?P<q3>.+)’|'(?P<q4>.+)'|「(?P<q5>.+)」|『(?P<q6>.+)』|„(?P<q7>.+)“)"
_ADVERBS: Final = r"(?:(?:really|actually|truly|ever|once|seriously|genuinely)\s+)*"
_SAYING: Final = r"(?:say|said|claim|claimed|write|wrote|tell|told|state|stated|utter|mention|use the words)"
_END: Final = r"[\s?？!！.。…]*$"

_EN: Final = (
    # "did Dario (really) say '…'", "has Amodei ever said “…”", "is it true that Dario said '…'"
    re.compile(
        rf"^(?:(?:is it true|was it|is it)\s+(?:that\s+)?)?(?:did|has|had|does|do)?\s*(?P<spk>[^\"“‘'「『]+?)\s+"
        rf"{_ADVERBS}{_SAYING}\s*(?:that|this|the words|something like)?\s*[:,：]?\s*{_QUOTED}(?:\s+or not)?{_END}",
        re.I,
    ),
    # "who said '…'?", "who (really) said “…”"
    re.compile(rf"^who\s+{_ADVERBS}{_SAYING}\s*[:,]?\s*{_QUOTED}{_END}", re.I),
    # "did Dario say this: …" (the quote after a colon, no quotation marks)
    re.compile(
        rf"^(?:did|has|had)\s+(?P<spk>.+?)\s+{_ADVERBS}{_SAYING}\s+(?:this|that|the following)\s*[:：]\s*"
        rf"(?P<q8>.+?){_END}",
        re.I,
    ),
)
_JA: Final = (
    # 「…」と言った？ with who before it: "アモデイは本当に「…」と言った？", "「…」と言ったのは誰？"
    re.compile(
        rf"^(?:(?P<spk>[^「『]+?)(?:は|が|って)?\s*)?(?:本当に|ほんとに|ほんとうに|実際に)?\s*{_QUOTED}\s*"
        # The saying verb in a form that ends the question (言った, 言ってた, 言いました, 話した…), then a
        # short tail with no comma: 「…」という予測について、…何と言っていた？ names a topic ("the
        # prediction that …") and asks what was said about it, which is a question, not a quote to check.
        r"(?:と|って)\s*(?:本当に)?(?:言っ|言い|いっ|いい|話し|語っ|述べ|発言し|主張し|書い|書き)"
        r"[^「」『』、,，]{0,16}$"
    ),
)
# "Amodei said “…”", "Dario: '…'" in a message someone pasted.
_SAID: Final = re.compile(
    rf"^(?P<spk>[^\"“‘'「『]{{1,60}}?)\s*(?:{_SAYING}s?|:|：)\s*(?:that\s*)?[:,]?\s*{_QUOTED}[\s.!?。！？]*$", re.I
)
_SPANS: Final = re.compile(r"“([^”]+)”|\"([^\"]+)\"|「([^」]+)」|『([^』]+)』")
# A quoted span this long is the quote a message is about; shorter ones are a term in quotation marks.
MIN_SPAN_WORDS: Final = 3
_CHAT_MARKUP: Final = re.compile(r"<[@#!][^<>\s]{1,80}>|(?<!\w)@[\w.\-]{1,40}")


@dataclass(frozen=True)
class QuoteQuestion:
    quote: str
    # Who is said to have said it, as written ("Dario", "アモデイ"); None for "who said '…'?".
    speaker: str | None


def _quoted(match: re.Match[str]) -> str | None:
    for index in range(1, 9):
        found = match.groupdict().get(f"q{index}")
        if found:
            return found.strip()
    return None


def _speaker(match: re.Match[str]) -> str | None:
    spk = match.groupdict().get("spk")
    if not spk:
        return None
    spk = re.sub(r"^(?:did|has|had|does|do)\s+", "", spk.strip(), flags=re.I)
    spk = re.sub(r"(?:本当に|ほんとに|ほんとうに|実際に)$", "", spk).strip(" 、,")
    # "誰が" / "who" names nobody.
    if not spk or spk.lower() in {"who", "anyone", "someone", "誰", "だれ", "誰か"}:
        return None
    return spk[:80]


def parse_quote_question(text: str) -> QuoteQuestion | None:
    """The quote and the speaker of a "did X say '…'?" question, or None for any other question."""
    text = " ".join(normalize(_CHAT_MARKUP.sub(" ", text)).split())
    text = strip_fillers(text)
    for pattern in (*_EN, *_JA):
        match = pattern.match(text)
        if match is None:
            continue
        quote = _quoted(match)
        if quote and any(c.isalnum() for c in quote):
            return QuoteQuestion(quote=quote, speaker=_speaker(match))
    return None


def quote_in_message(text: str) -> QuoteQuestion:
    """What a chat message put forward as a quote (for "Find who said this" on any message): the quote
    of a "did X say '…'?" or "X said '…'" message, else its longest quoted span, else the whole text."""
    asked = parse_quote_question(text)
    if asked is not None:
        return asked
    plain = " ".join(normalize(_CHAT_MARKUP.sub(" ", text)).split())
    said = _SAID.match(plain)
    if said is not None and (quote := _quoted(said)):
        return QuoteQuestion(quote=quote, speaker=_speaker(said))
    spans = [next(g for g in m.groups() if g) for m in _SPANS.finditer(plain)]
    spans = [s for s in spans if len(s.split()) >= MIN_SPAN_WORDS or (len(s) >= 8 and re.search(r"[\u3040-\u9fff]", s))]
    if spans:
        return QuoteQuestion(quote=max(spans, key=len), speaker=None)
    return QuoteQuestion(quote=plain, speaker=None)
