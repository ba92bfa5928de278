"""Where the question is inside a chat message.

People put words of their own around a question ("saw a clip earlier and", "sorry if this was asked
already,", "… i think it was a recent ep"). The filler tables (bot.query) know the common ones; these are
the places anything else may give way to the question: before it, an opening word ("what", "did", "how")
or the word after a break (a comma, colon, dash, ellipsis, "!", "and"/"but"); after it, a remark that opens
like one (`_AFTER`). A place is taken only when the question read from it asks who the whole message asks
with less topic, or names somebody known where the whole read an unknown name; so the words of the
question stay, and a place that is wrong changes nothing.
"""

from __future__ import annotations

import re
from typing import Final

from bot.models import ParsedQuestion
from bot.speakers import SpeakerDirectory

# Words a question opens with.
OPENER: Final = re.compile(
    r"(?<![\w'’])(?:what|what['’]s|whats|how|why|who|where|when|which|did|does|do|has|have|had|is|was|were|"
    r"are|should|would|could|can|will|any|anything|tell|show|give|gimme|find)\b",
    re.I,
)
# A break after chatter: punctuation that ends a clause, a dash between spaces, or "and"/"but" joining a
# remark to the question ("saw a clip earlier and what did …").
# ("?" is none: "are AI labs profitable? Dario on margins" asks one thing.)
_BREAK: Final = re.compile(r"(?:[,:;!…]+|\.{2,}|\s[-—–]+(?=\s)|[—–]+|\s(?:and|but|so)(?=\s))\s*", re.I)
# In Japanese a topic often stands before a comma ("採用について、ダリオは…", "…どうなるか、アモデイは…"); chatter
# ends a sentence ("急にごめん。", "こんにちは！", "質問です：") or a clause that only greets, apologises or leads
# into asking ("急にごめん、", "Botさん、", "ご存じでしたら、", "ふと思ったんだけど、").
_JA_BREAK: Final = re.compile(r"[！!。：:…]+\s*")
_JA_CHATTER_COMMA: Final = re.compile(
    r"(?:ごめん|ごめんね|ごめんなさい|すみません|すいません|さん|様|でしたら|だったら|けど|けれど|けども|ですが|ますが|"
    r"ね|ねえ|ねぇ|よ|ー|〜|です|ます|でした|ました|ども|どうも|やあ|おつ|こんにちは|こんばんは|おはよう|"
    r"(?:[Bb]ot|BOT|ボット)(?:さん|くん|ちゃん)?)[、,，]\s*"
)
# Chatter names nobody and nothing: no capital after its first letter (but "I"), no figure, no possessive, and it
# does not open like a phrase setting the topic ("Beyond raw technical chops, what traits …", "In the
# note on talent density, …").
_NAMED: Final = re.compile(
    r"(?<=.)(?!I\b|I['’])[A-Z]|\d|\b(?!(?i:it|that|there|what|he|she|let|who|here)['’]s\b)\w+['’]s\b"
)
_SETS_TOPIC: Final = re.compile(
    r"^(?:beyond|besides|in|on|about|regarding|apart|aside|other|given|during|concerning|speaking|compared|"
    r"unlike|despite|between|among|within|over|under)\b",
    re.I,
)
# How far into a message chatter may reach before the question starts.
CHATTER_WORDS: Final = 10
CHATTER_CHARS: Final = 40
# Places tried per message (each costs one more reading of the question).
MAX_STARTS: Final = 6


def starts(text: str, *, japanese: bool) -> list[int]:
    """Places after the beginning where the question may start, in the order to try them: after a break,
    then at an opening word, each leftmost first (a later one may be inside the question: "…: what traits
    does Dario look for" is not "does Dario look for"). None when the message opens with a question word:
    "What traits does Dario look for" starts where it starts."""
    if not japanese and OPENER.match(text):
        return []
    if japanese:
        breaks = [m.end() for m in _JA_BREAK.finditer(text) if m.end() <= CHATTER_CHARS]
        breaks += [m.end() for m in _JA_CHATTER_COMMA.finditer(text) if m.end() <= CHATTER_CHARS]
        openers: list[int] = []
    else:
        reach = _reach(text, CHATTER_WORDS)
        breaks = [m.end() for m in _BREAK.finditer(text) if m.end() <= reach]
        openers = [m.start() for m in OPENER.finditer(text, 1) if m.start() <= reach]
    # After a break first: chatter may hold a question word of its own ("ok this is bugging me... Amodei on …").
    ordered = sorted(set(breaks)) + sorted(set(openers) - set(breaks))
    return [at for at in ordered if 0 < at < len(text)][:MAX_STARTS]


# How a remark after the question starts ("… i think it was a recent ep", "… or did I dream that", "… if it's
# not too much trouble", "… you're the best"): a clause of the asker's own, not more of the topic ("… or
# superintelligence" stays, as does "… if AI gets there").
_AFTER: Final = re.compile(
    r"(?:or\s+(?:did|was|were|is|am|are|do|does|maybe|something|smth|whatever|not|no|nah)\b|"
    r"if\s+(?:it['’]?s\s+not\s+too|that['’]?s\s+(?:ok|okay|alright|fine|a\s+thing|possible)|"
    r"(?:you|u)\s+(?:can|could|don['’]?t\s+mind|know|have|get)|any\b|anything\s+at\s+all|anyone|anybody|"
    r"possible|so\b|not\b|there['’]?s\s+(?:any|anything))|"
    r"whenever\b|when\s+you\s+(?:can|get)\b|i['’]?m\s+(?:curious|sure|not\s+sure|asking)\b|"
    r"i\s+(?:think|swear|guess|believe|forget|forgot|recall|remember|heard|mean|hope|wonder|saw|read|feel)\b|"
    r"you['’]?re\b|ur\b|you\s+(?:rock|are)\b|sorry\b|pls\b|plz\b|please\b|thanks?\b|thx\b|ty\b|tysm\b|"
    r"cheers\b|merci\b|gracias\b|danke\b|lol\b|lmao\b|haha\w*|kinda\b|need\s+(?:this|it|to\s+know)\b|"
    r"it['’]?s\s+been\s+(?:driving|bugging|killing|bothering)\b|no\s+(?:rush|worries|pressure)\b|"
    r"just\s+(?:curious|wondering)\b|"
    r"thoughts\s*\?|ok\s+go\b|much\s+appreciated\b|appreciated\b|short\s+version\b|any\s+(?:help|ideas)\b|"
    r"this\s+(?:is|has\s+been)\s+(?:bugging|driving|killing)\b|driving\s+me\b|for\s+a\s+friend\b|help\s*[!?]|"
    r"sorry\s+for\b|asking\s+for\b)",
    re.I,
)


def remark_starts(text: str) -> list[int]:
    """Places in the last words of a message where a remark of the asker's own may start, leftmost first
    (the longest remark): after a space, the word opening it is one `_AFTER` lists, and the remark names
    nothing (`_NAMED`)."""
    words = list(re.finditer(r"\S+", text))
    found: list[int] = []
    for word in words[max(1, len(words) - CHATTER_WORDS) :]:
        at = word.start()
        lead = re.match(r"[\s,;:!?.…—–(\-]*", text[at:])
        start = at + (lead.end() if lead else 0)
        if _AFTER.match(text, start) and not _NAMED.search(text, start + 1):
            found.append(at)
    return found


def may_be_chatter(before: str) -> bool:
    """Whether the words before a name may be chatter ("gm", "sorry to bother,"): short, naming nothing,
    not a question of their own ("are AI labs profitable? Dario on margins")."""
    words = re.findall(r"[\w'’]+", before)
    return bool(words) and len(words) <= CHATTER_WORDS and not OPENER.match(before) and not (
        _NAMED.search(before) or _SETS_TOPIC.match(before) or "?" in before
    )


# Words that tie what comes before a name to it ("the guy who worked with Dario"): a description, not chatter.
_TIES: Final = frozenset("with and about of from to for by like than vs versus or who whom whose that which".split())
# How many words of chatter a name may follow without a comma or colon between ("gm Dario on …").
NAME_CHATTER_WORDS: Final = 3
_JAPANESE: Final = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def is_japanese(text: str) -> bool:
    return _JAPANESE.search(text) is not None


def name_after_chatter(speakers: SpeakerDirectory, who: str) -> str | None:
    """The speaker named last in "gm Dario", "sorry to bother, Amodei": words before a name that say
    nothing of who is asked (a greeting, an opener), not a longer name or a description of somebody."""
    found = speakers.find(who)
    if found is None or found[2] < len(who) - 2 or found[1] == 0:
        return None
    before = who[: found[1]].strip()
    if not may_be_chatter(before):
        return None
    words = re.findall(r"[\w'’]+", before)
    if re.search(r"[,:;!]$", before) or (
        len(words) <= NAME_CHATTER_WORDS and not any(word.lower() in _TIES for word in words)
    ):
        return found[0]
    return None


def _reach(text: str, words: int) -> int:
    """The character offset just past the first `words` words."""
    spans = [m.end() for m in re.finditer(r"\S+", text)]
    return spans[min(words, len(spans)) - 1] if spans else 0


def _same_asked(whole: ParsedQuestion, part: ParsedQuestion) -> bool:
    """Whether a part of the message asks who the whole does; the part may also name a show the chatter
    hid ("heyo how many employees did Dario say Anthropic had on the Lex Fridman podcast")."""
    return (whole.speaker, whole.unknown_speaker) == (part.speaker, part.unknown_speaker) and (
        (whole.show, whole.show_is_subject) == (part.show, part.show_is_subject) or whole.show is None
    )


def _folded(topic: str) -> str:
    return " ".join(topic.lower().split())


def _has_content(topic: str) -> bool:
    """Whether a topic holds a word to search for, not only a question word left where a name stood."""
    return is_japanese(topic) or any(
        word not in _QUESTION_WORDS for word in re.findall(r"[a-z0-9]+", topic.lower())
    )


_QUESTION_WORDS: Final = frozenset(
    "what whats s how why who where when which did does do has have had is was were are the a an it that this "
    "there take view think thoughts opinion".split()
)


# Words chat uses to talk about asking rather than about a topic ("sorry if this was asked already,", "saw a
# clip earlier and", "question for the bot:"): before a question naming nobody, the words before a break are
# chatter only when they hold one of these.
_ASKING_TALK: Final = re.compile(
    r"\b(?:sorry|apolog\w*|wonder\w*|curious\w*|question|q|quick|random|dumb|silly|stupid|noob|bot|guys|folks|"
    r"friends|team|everyone|y['’]?all|thread|channel|asked|ask|asking|bug\w*|help|hey|hi|hello|morning|btw|lol|"
    r"saw|heard|clip|episode|ep|pod|coworker|friend|mentioned|listening|watching|finished|remind|memory|forgot|"
    r"forget|mind|sure|idk|tbh|weird|real\s+quick)\b",
    re.I,
)


def dropped_before(whole: ParsedQuestion, rest: ParsedQuestion, before: str, *, japanese: bool) -> bool:
    """Whether `rest`, read from a later place, is `whole` without chatter in front: somebody known where
    the whole read an unknown name, or the same asked about with less topic. Less topic is only taken when
    the words dropped (`before`) name nothing and do not set the topic. A Japanese break is one only
    chatter ends with (`_JA_BREAK`, `_JA_CHATTER_COMMA`), and there the chatter may have taken the topic's
    place ("さっきの話の続きで、アモデイは…" read as about さっき), so any topic is enough."""
    if rest.speaker is None and not rest.show_is_subject and not japanese and not (
        _ASKING_TALK.search(before) and may_be_chatter(before.rstrip(" ,:;!.…—–-"))
    ):
        # Without somebody asked about, the words before "who" may describe them ("the critic who …"), and a
        # topic may come before a colon ("talent density: who said it?"); a Japanese break is chatter's own.
        return False
    if whole.unknown_speaker is not None and rest.unknown_speaker is None:
        return rest.speaker is not None or rest.show_is_subject
    longer, shorter = _folded(whole.topic), _folded(rest.topic)
    if not _same_asked(whole, rest) or not _has_content(shorter) or longer == shorter:
        return False
    if _NAMED.search(before) or _SETS_TOPIC.match(before):
        return False
    return japanese or (len(longer) > len(shorter) and longer.endswith(shorter))


def dropped_after(whole: ParsedQuestion, first: ParsedQuestion, remark: str) -> bool:
    """Whether `first`, the message up to a remark, is `whole` without the remark: the same asked about
    with less topic, the rest of it as asked, or with the topic the remark took over ("… i swear they
    talked about it" read as about "it")."""
    longer, shorter = _folded(whole.topic), _folded(first.topic)
    if not _has_content(shorter):
        return False
    if longer and longer in _folded(remark) and (first.speaker is not None or first.show_is_subject):
        return True
    # (A remark opens like one, `_AFTER`: a question naming nobody loses it too.)
    return _same_asked(whole, first) and len(longer) > len(shorter) and longer.startswith(
        shorter.rstrip(" ,;:!?.…—–-")
    )
