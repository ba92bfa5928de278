"""Understanding a question: who was asked about, and on what topic, in English or Japanese."""

from __future__ import annotations

import re
from typing import Final

from bot.models import ParsedQuestion
from bot.shows import ShowDirectory
from bot.speakers import SpeakerDirectory
from bot.text import ENGLISH_STOPWORDS, detect_language, normalize

MAX_QUESTION_CHARS: Final = 500

_VERBS: Final = (
    r"(?:say|said|says|think|thinks|thought|feel|feels|felt|talk|talks|talked|speak|speaks|spoke|mention|mentions|"
    r"mentioned|believe|believes|believed|argue|argues|argued|claim|claimed|tell us|have to say|has to say|"
    r"had to say|said anything|say anything|discuss|discussed|predict|predicted|explain|explained|write|wrote)"
)
_EN_PATTERNS: Final = [
    re.compile(
        rf"^(?:so\s+)?(?:what|how|where|when|why)\s+(?:did|does|do|has|had|have|is|was|would|will|can)\s+"
        rf"(?P<spk>.+?)\s+{_VERBS}\s+(?:about|of|on|regarding|re:?|concerning)\s+(?P<topic>.+)$",
        re.I,
    ),
    re.compile(
        rf"^(?:did|does|has|have|do)\s+(?P<spk>.+?)\s+{_VERBS}\s+(?:anything\s+)?(?:about|on|of|regarding)\s+(?P<topic>.+)$",
        re.I,
    ),
    re.compile(
        r"^(?:what(?:'s|’s| is| are| were| was)\s+)(?P<spk>.+?)(?:'s|’s)\s+"
        r"(?:view|views|take|takes|opinion|opinions|thoughts?|position|stance|quote|quotes|words)\s+(?:on|about|of|regarding)\s+(?P<topic>.+)$",
        re.I,
    ),
    re.compile(
        r"^(?:quotes?|anything|something|everything|statements?)\s+(?:from|by)\s+(?P<spk>.+?)\s+(?:about|on|regarding)\s+(?P<topic>.+)$",
        re.I,
    ),
    re.compile(rf"^(?P<spk>.+?)\s+{_VERBS}\s+(?:about|on|of)\s+(?P<topic>.+)$", re.I),
]
_EN_ON: Final = re.compile(r"^(?P<spk>.+?)\s+(?:on|about)\s+(?P<topic>.+)$", re.I)
_PRONOUNS: Final = {"he", "she", "they", "you", "people", "anyone", "someone", "somebody", "anybody", "i", "we", "it"}
_EN_FILLER: Final = re.compile(
    r"^(?:(?:so|ok|okay|hey|hi|please|tell me|show me|find|search|quote|quotes|remind me)\b[\s,:]*)+|"
    r"^(?:what(?:'s| is| was| were| are)?|anything|something)\s+(?:about|on|regarding)\s+|"
    r"^(?:what\s+(?:was|is)\s+said\s+(?:about|on)\s+)",
    re.I,
)
_JA_TOPIC: Final = re.compile(
    r"^(?P<topic>.+?)\s*(?:について|に関して|に関する|についての|に対して|をどう|をどのように|のことを|のこと|って|とは|は何|の話|に言及)"
)
_JA_TAIL: Final = re.compile(
    r"(?:何と|なんと|どう|どのように)?(?:言って(?:い)?(?:た|る|ました|います)|言った|言いました|語った|語って(?:い)?(?:た|る|ました)|"
    r"話した|話して(?:い)?(?:た|る|ました)|述べた|考えて(?:い)?(?:る|た|ます)|思って(?:い)?(?:る|た|ます)|発言|意見|見解|コメント|"
    r"ですか|でしたか|ますか|ましたか|の|か|を教えて(?:ください)?|教えて(?:ください)?)+[?？!！。\s]*$"
)
_JA_LEADING_PARTICLE: Final = re.compile(r"^[はがのもってにをへと、,\s]+")
_EDGE_CHARS: Final = r"[\s\"'“”‘’「」『』（）()\[\]:：,，、.。!！?？-]+"
_EDGE_PUNCT: Final = re.compile(rf"^{_EDGE_CHARS}|{_EDGE_CHARS}$")
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


# Chat mention syntax (Discord <@id> <@&role> <#channel>, Slack <!here> <@U…> <!subteam^…>, @everyone)
# names nobody's words and no topic; it is dropped before the question is read.
_CHAT_MARKUP: Final = re.compile(r"<[@#!][^<>\s]{1,80}>|(?<!\w)@(?:everyone|here|channel)\b", re.I)


def clean_question(text: str) -> str:
    text = _CHAT_MARKUP.sub(" ", text)
    text = _CONTROL.sub(" ", normalize(text))
    return " ".join(text.split())[:MAX_QUESTION_CHARS]


def _strip_edges(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = _EDGE_PUNCT.sub("", text).strip()
        text = re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.I) if not re.match(r"^the\s*$", text, re.I) else text
    return text


def parse_question(
    raw: str, speakers: SpeakerDirectory, *, lang: str | None = None, speaker: str | None = None,
    shows: ShowDirectory | None = None,
) -> ParsedQuestion:
    text = clean_question(raw)
    if shows is not None:
        # "…on the Lex Fridman podcast" says where, not what, and its host is not the one asked.
        scope, rest = shows.extract(text)
        if scope is not None:
            scoped = parse_question(rest, speakers, lang=lang, speaker=speaker)
            if scoped.topic:
                return scoped.model_copy(update={"text": text, "show": scope.show, "episode_number": scope.number})
    language = lang or detect_language(text)
    if language not in ("en", "ja"):
        language = "ja" if language == "zh" else "en"
    asked: str | None = None
    unknown: str | None = None
    if speaker:
        asked = speakers.resolve(speaker)
        if asked is None:
            unknown = speaker.strip()[:80]
    topic: str | None = None
    stripped = text.rstrip("?？!. ")

    for pattern in _EN_PATTERNS:
        match = pattern.match(stripped)
        if match:
            who = _strip_edges(match.group("spk")).lower()
            resolved = speakers.resolve(who) or _resolve_within(speakers, who)
            if resolved:
                asked = asked or resolved
            elif _could_be_a_name(who) and asked is None and unknown is None:
                unknown = _title(who)
            topic = match.group("topic")
            break

    if topic is None:
        match = _EN_ON.match(stripped)
        if match and (found := speakers.resolve(_strip_edges(match.group("spk")))):
            asked = asked or found
            topic = match.group("topic")

    if topic is None:
        found_at = speakers.find(text)
        rest = text
        if found_at:
            name, start, end = found_at
            asked = asked or name
            # Positions are in the lowered text; lowering keeps lengths for the scripts we parse.
            rest = (text[:start] + " " + _JA_LEADING_PARTICLE.sub("", text[end:])).strip()
        topic = _japanese_topic(rest) if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", rest) else _english_topic(rest)

    topic = _strip_edges(topic or "")
    return ParsedQuestion(text=text, speaker=asked, unknown_speaker=unknown, topic=topic, language=language)


def _could_be_a_name(who: str) -> bool:
    """"what was said about X" has "what was" where a name would stand; that is no speaker."""
    words = who.split()
    if not words or len(who) > 60 or who in _PRONOUNS:
        return False
    return not all(w in ENGLISH_STOPWORDS or w in _PRONOUNS for w in words)


def _resolve_within(speakers: SpeakerDirectory, who: str) -> str | None:
    found = speakers.find(who)
    if found and len(who) - (found[2] - found[1]) <= 3:
        return found[0]
    return None


def _title(name: str) -> str:
    return " ".join(part[:1].upper() + part[1:] for part in name.split())


def _english_topic(rest: str) -> str:
    rest = rest.strip().rstrip("?？!. ")
    rest = re.sub(
        rf"^(?:what|how)\s+(?:did|does|do|has|had|is|was)\s+(?:\S+\s+)??{_VERBS}\s+(?:about|of|on|regarding)\s+",
        "", rest, flags=re.I,
    )
    rest = re.sub(
        rf"^(?:'s|’s)?\s*(?:{_VERBS}|views?|take|thoughts?|opinions?)?\s*(?:about|on|of|regarding)\s+", "", rest,
        flags=re.I,
    )
    rest = re.sub(rf"\s+(?:{_VERBS})\s*(?:about|on)?$", "", rest, flags=re.I)
    # "what did  say" once the speaker is taken out: a question with no topic.
    rest = re.sub(r"^(?:what|how)\s+(?:did|does|do|has|had|is|was)$", "", rest.strip(), flags=re.I)
    # What is left where the speaker's name stood: "…, per", "…, according to", "in  view", "? answer".
    rest = re.sub(
        r"[\s,;:?!-]*(?:(?:in|from)\s+)?(?:'s|’s)?\s*(?:per|according to|by|from|"
        r"views?|answers?|opinions?|takes?|thoughts?|position|perspective|explanation)?\s*[?.!]*$",
        "", rest, flags=re.I,
    )
    rest = re.sub(r"\s{2,}", " ", rest)
    return _EN_FILLER.sub("", rest).strip()


def _japanese_topic(rest: str) -> str:
    rest = rest.strip()
    match = _JA_TOPIC.match(rest)
    if match:
        return match.group("topic")
    return _JA_TAIL.sub("", rest).strip()
