"""Understanding a question: who was asked about, and on what topic, in English or Japanese."""

from __future__ import annotations

import re
from typing import Final

from bot import chatter
from bot.models import ParsedQuestion
from bot.shows import ShowDirectory, says_show
from bot.speakers import ROLE_WORDS, SpeakerDirectory
from bot.text import ENGLISH_STOPWORDS, detect_language, normalize

MAX_QUESTION_CHARS: Final = 500

_VERBS: Final = (
    r"(?:say|said|says|think|thinks|thought|feel|feels|felt|talk|talks|talked|speak|speaks|spoke|mention|mentions|"
    r"mentioned|believe|believes|believed|argue|argues|argued|claim|claims|claimed|tell us|have to say|has to say|"
    r"had to say|said anything|say anything|discuss|discusses|discussed|predict|predicts|predicted|explain|explains|"
    r"explained|write|writes|wrote)"
)
_DIRECT_VERBS: Final = (
    r"(?:describe|describes|described|characteri[sz]e|characteri[sz]ed|critici[sz]e|critici[sz]es|critici[sz]ed|"
    r"critique|critiques|critiqued|summari[sz]e|summari[sz]ed|frame|frames|framed|see|sees|saw|view|views|viewed|"
    r"(?:object|objects|objected|respond|responds|responded|react|reacts|reacted|reply|replies|replied)\s+to|"
    r"push(?:es|ed)?\s+back\s+(?:on|against)|disagree(?:s|d)?\s+with|agree(?:s|d)?\s+with)"
)
_MENTION_VERBS: Final = (
    r"(?:mention|mentions|mentioned|discuss|discusses|discussed|address|addresses|addressed|bring\s+up|"
    r"brings\s+up|brought\s+up|touch\s+on|touches\s+on|touched\s+on|cover|covers|covered)"
)
# Words people put between the name and the verb ("did Chris Olah ever talk about …"): not part of the name.
_ADVERBS: Final = (
    r"(?:\s+(?:ever|really|actually|also|even|once|recently|specifically|publicly|explicitly|previously|"
    r"originally|first|just|ever\s+really))*"
)
_EN_PATTERNS: Final = [
    re.compile(
        rf"^(?:so\s+)?(?:what|how|where|when|why)\s+(?:did|does|do|has|had|have|is|was|would|will|can)\s+"
        rf"(?P<spk>.+?){_ADVERBS}\s+{_VERBS}\s+(?:about|of|on|regarding|re:?|concerning)\s+(?P<topic>.+)$",
        re.I,
    ),
    re.compile(
        rf"^(?:did|does|has|have|do)\s+(?P<spk>.+?){_ADVERBS}\s+{_VERBS}\s+(?:anything\s+)?(?:about|on|of|regarding)\s+(?P<topic>.+)$",
        re.I,
    ),
    # Verbs that take what was talked about directly: "has anyone mentioned superposition?".
    re.compile(
        rf"^(?:did|does|has|have|do)\s+(?P<spk>.+?){_ADVERBS}\s+{_MENTION_VERBS}\s+(?P<topic>.+)$",
        re.I,
    ),
    # "what was said about talent density by Dario": who comes last.
    re.compile(
        r"^(?:what\s+(?:was|has\s+been|got)\s+said|anything\s+(?:that\s+was\s+)?said)\s+(?:about|on|regarding)\s+"
        r"(?P<topic>.+?)\s+by\s+(?P<spk>[^,]+?)$",
        re.I,
    ),
    re.compile(
        r"^(?:what(?:'s|’s| is| are| were| was)\s+)(?P<spk>.+?)(?:'s|’s)?\s+"
        r"(?:view|views|take|takes|opinion|opinions|thoughts?|position|stance|quote|quotes|words)\s+(?:on|about|of|regarding)\s+(?P<topic>.+)$",
        re.I,
    ),
    # Verbs that take their topic directly or with their own preposition: "how did X describe …",
    # "why does X object to …", "how did X respond to …".
    re.compile(
        rf"^(?:so\s+)?(?:what|how|where|when|why)\s+(?:did|does|do|has|had|have|is|was|would|will|can)\s+"
        rf"(?P<spk>.+?){_ADVERBS}\s+{_DIRECT_VERBS}\s+(?P<topic>.+)$",
        re.I,
    ),
    re.compile(
        r"^(?:(?:are\s+there|is\s+there|got|have\s+you\s+got)\s+)?(?:(?:any|some|good|the)\s+)?"
        r"(?:quotes?|anything|something|everything|statements?|words|comments?|thoughts?)\s+(?:from|by)\s+"
        r"(?P<spk>.+?)\s+(?:about|on|regarding)\s+(?P<topic>.+)$",
        re.I,
    ),
    # The question inside "tell me / I wonder what Amodei said about X", once the filler is gone.
    re.compile(
        rf"^(?:what|how)\s+(?P<spk>.+?){_ADVERBS}\s+{_VERBS}\s+(?:about|of|on|regarding|concerning)\s+(?P<topic>.+)$",
        re.I,
    ),
    re.compile(rf"^(?P<spk>.+?){_ADVERBS}\s+{_VERBS}\s+(?:about|on|of)\s+(?P<topic>.+)$", re.I),
]
# A show or a person named first, before a comma or colon: "Turing Post, what did they think of …".
_NAMED_FIRST: Final = re.compile(r"^(?P<show>[^,:：、?？]{2,60})[,:：、]\s*(?P<rest>\S.*)$")
_ASKS: Final = re.compile(r"^(?:what|how|why|when|where|did|does|do|has|is|was|any)\b", re.I)
_SAID_WHAT: Final = re.compile(
    rf"^(?:so\s+)?(?:what|how|why)\s+(?:did|does|do|has|had|would|will)\s+(?P<spk>\S+(?:\s+\S+)?){_ADVERBS}\s+"
    rf"{_VERBS}\s+(?P<topic>\S.*)$",
    re.I,
)
_PIECE_OF: Final = re.compile(
    r"^(?P<spk>.+?\s(?:breakdowns?|reviews?|critiques?|takes?|analys[ie]s|recaps?|summar(?:y|ies)))\s+of\s+(?P<topic>.+)$",
    re.I,
)
_EN_ON: Final = re.compile(r"^(?P<spk>.+?)\s+(?:on|about)\s+(?P<topic>.+)$", re.I)
_PRONOUNS: Final = {"he", "she", "they", "you", "people", "anyone", "someone", "somebody", "anybody", "i", "we", "it"}
_EN_FILLER: Final = re.compile(
    r"^(?:(?:so|ok|okay|hey|hi|please|tell me|show me|find|search|quote|quotes|remind me)(?![\w-])[\s,:]*)+|"
    r"^and\s+|^(?:any|some|your)\s+(?:thoughts?|views?|comments?|opinions?|takes?)\s+(?:about|on|regarding)\s+|"
    r"^(?:what(?:'s| is| was| were| are)?|anything|something)\s+(?:about|on|regarding)\s+|"
    r"^(?:what\s+(?:was|is)\s+said\s+(?:about|on)\s+)",
    re.I,
)
_JA_TOPIC: Final = re.compile(
    r"^(?P<topic>.+?)\s*(?:について|に関して|に関する|についての|に対して|をどう|をどのように|のことを|のこと|"
    # Colloquial "Xって" marks the topic before a question word, not the って inside a verb (思っている).
    # (A comma may come between: "Xって、どう思う？"; "使って、…" goes on with more of the topic.)
    r"って(?=[、,，\s]*(?:(?:結局|そもそも|一体|要するに|つまり)[、,，\s]*)?(?:何|なに|どう|いう|言|誰))|とは|は何|の話|に言及)"
)
_JA_TAIL: Final = re.compile(
    r"(?:何と|なんと|どう|どのように)?(?:言って(?:い)?(?:た|る|ました|います)|言った|言いました|語った|語って(?:い)?(?:た|る|ました)|"
    r"話した|話して(?:い)?(?:た|る|ました)|述べた|説明(?:した|して(?:い)?(?:た|る|ました))|答えた|答えて(?:い)?(?:た|る)|"
    r"見て(?:い)?(?:る|た|ます)|評価して(?:い)?(?:る|た)|批判した|批判して(?:い)?(?:る|た)|考えて(?:い)?(?:る|た|ます)|思って(?:い)?(?:る|た|ます)|発言|意見|見解|コメント|"
    r"ですか|でしたか|ますか|ましたか|という話|って話|の話|の|か|は|を教えて(?:ください)?|教えて(?:ください)?|"
    # Casual endings: "…理由ってなんなの？", "…ってなんだっけ".
    r"って(?:なん|何|なに)(?:なの|だっけ|だった|でしたっけ)?|(?:なん|何)(?:なの|だっけ)|だっけ)+[?？!！。\s]*$"
)
# What follows a name: an honorific (さん, 氏), a particle, and a verb of saying ("ダリオが言ってた人材密度").
_JA_LEADING_PARTICLE: Final = re.compile(
    r"^(?:さん|さま|様|氏|くん|君|先生)?[はがのもってにをへと、,\s]+"
    r"(?:(?:言って(?:い)?た|言った|話して(?:い)?た|話した|語って(?:い)?た|語った|述べた|述べて(?:い)?た)[\s、,]*)?"
)
_EDGE_CHARS: Final = r"[\s\"'“”‘’「」『』（）()\[\]:：,，、.。!！?？\-—–―]+"
_EDGE_PUNCT: Final = re.compile(rf"^{_EDGE_CHARS}|{_EDGE_CHARS}$")
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Zero-width characters pasted from web pages split a word ("tal\u200bent"): they are deleted, not spaced.
_ZERO_WIDTH: Final = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")
# Emoji (and their variation selectors, keycaps, tags) and Slack's shortcodes for them (":fire:",
# ":thumbsup::skin-tone-2:") say how someone feels, never who or what: dropped anywhere in a question.
_EMOJI: Final = re.compile(
    r"[\U0001F000-\U0001FAFF\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff\ufe0e\ufe0f\u20e3\U000E0020-\U000E007F]"
)
_SHORTCODE: Final = re.compile(r"(?<![\w:])(?::[a-z0-9_+\-]*[a-z][a-z0-9_+\-]*:)+(?![\w:])")
# Markdown emphasis, code and strike-through marks around words ("**talent density**"), and double
# quotation marks: the words inside are the question, the marks are not.
_MARKDOWN: Final = re.compile(r"\*+|~~|`+|(?<![\w])__|__(?![\w])|[\"“”„«»]")
_BLOCKQUOTE: Final = re.compile(r"^(?:>\s*)+")
# Faces typed as text and hashtags at the end of a message (":D", "^_^", "<3", "m(_ _)m", "(´・ω・`)",
# "#help", not an episode's "#7"), and a Japanese laugh (笑, w, 草): how it was said, not what was asked.
_TRAILING_FACE: Final = re.compile(
    r"(?:(?:^|\s)(?:#[^\W\d_][\w-]*|[:;=8xX][-'^]?[)(\]\[DPpO3/\\|*]+|\^[_\-.,o]?\^;*|<3+|[oO]_[oO]|-_-|T_T|>_<)"
    r"|[mｍ]?[(（](?:[^\w()（）]|[ωДд∀▽ｏoO_]){1,12}[)）][mｍ]?[ﾉノ]?"
    r"|(?<=[\u3040-\u30ff\u4e00-\u9fff。！？!?、\s])(?:[wｗ]{1,8}|笑|草|[(（]笑[)）]))[\s!.?！？。]{0,4}$"
)
# Unmistakable faces standing alone anywhere ("hello friends :) what did …"): never words of a question.
_FACE_ALONE: Final = re.compile(
    r"(?<!\S)(?:[:;=][-'^]?[)(DPp/\\|3]+|\^[_\-.]?\^|<3+|xD+|XD+|T_T|-_-|>_<|o_O|O_o)(?!\S)"
)
# Faces taken off the end of one message, and how far back each is looked for.
_MAX_FACES: Final = 8
_FACE_REACH: Final = 24

# Greetings, fillers and politeness people put around a question: not part of who was asked or of
# the topic. The one table of them, per language and per end of the question; each is dropped only
# as a whole word followed (leading) or preceded (trailing) by a separator, so "Hiring" and
# "Sonnet" stay whole.
EN_LEADING_FILLERS: Final = (
    "hey there", "hey", "hi there", "hi", "hello", "yo", "ok so", "ok", "okay", "so", "um", "umm", "uh", "uhm",
    "er", "erm", "hmm", "hm", "well,", "quick question", "a quick question", "one quick question",
    "please", "pls", "plz", "could you please tell me", "could you tell me", "can you tell me", "would you tell me",
    "could you", "can you", "would you", "tell me", "do you know", "do you happen to know", "any idea",
    "i wonder", "i was wondering", "i'm wondering", "i’m wondering", "i'd like to know", "just curious",
    "btw", "by the way", "sorry", "excuse me", "hii", "hiii", "heyy", "heyyy", "hiya", "lol", "lmao", "haha",
    "quick q", "saidbot", "gimme", "give me", "show me", "find me", "get me", "let me know", "lemme know",
    "i'm looking for", "im looking for", "looking for", "random question", "curious", "thanks in advance",
    "ty in advance", "thx in advance", "idk", "tbh", "ngl", "fyi", "iirc", "afaik", "imo", "imho", "also",
    "anyway", "anyways", "hey guys", "hey all", "hi all", "hey everyone", "hi everyone", "guys", "real quick",
    "question", "random q", "dumb question", "silly question", "honest question", "serious question",
    "do you know if", "does anyone know", "does anybody know", "anyone know", "anybody know", "do u know",
    "can u tell me", "could u tell me", "what's up", "whats up", "like", "oh and", "and also",
    "out of curiosity", "sorry to bother", "sorry to bother you", "not sure if you know but",
    "gm", "good morning", "good afternoon", "good evening", "morning", "ahoy", "hi bot",
    "hey bot", "hello bot", "hi saidbot", "hey saidbot", "dear saidbot", "bot",
    "alright", "alrighty", "wait", "ok but", "but", "random but", "real talk",
    "ok real talk", "quick one", "one more", "another one", "one more question", "another question",
    "one question", "ok one question", "q", "honestly", "seriously", "basically", "so basically",
    "i'm curious", "im curious", "just wondering", "wondering", "i forgot", "remind me", "refresh my memory",
    "excuse me but",
)
EN_TRAILING_FILLERS: Final = (
    "please", "pls", "plz", "thanks", "thank you", "thanks in advance", "thx", "ty", "tysm", "cheers",
    "if you know", "if you can", "lol", "lmao", "haha", "hahaha", "tbh", "imo", "imho", "idk", "btw", "xd",
    "at all", "anyone know", "anybody know", "any idea", "asap", "rn", "right now", "fyi", "iirc", "afaik",
    "ngl", "fr", "smh", "lmk", "pls lmk", "or something", "or smth", "or whatever", "again",
    "thanks a lot", "thanks so much", "thank u", "thank you so much", "many thanks", "tia", "pls and ty",
    "please and thank you", "asking for a friend", "if anything", "if he did", "if she did", "if they did",
    "or not", "or no",
    "i forget", "i forgot", "i think", "i guess", "anyone", "anybody", "real quick", "lately", "recently",
    "exactly", "specifically", "in detail", "in a nutshell", "briefly", "in short", "tl;dr", "tldr", "ever",
    "no rush", "no worries", "no worries if not", "if that's a thing",
    "if that’s a thing", "appreciate it", "just curious", "thanks bot", "thank u bot", "ty bot", "thx bot",
    "would be super helpful", "would help a lot", "or am i misremembering", "i swear",
)
JA_LEADING_FILLERS: Final = (
    "ねえ", "ねぇ", "あの", "あのー", "あのう", "えっと", "えーと", "えーっと", "ところで", "すみません", "すいません",
    "ちょっと聞きたいんだけど", "ちょっと聞きたいんですけど", "ちょっと質問", "質問です", "質問",
    "教えて", "教えてください", "ねえねえ", "あのさ", "あのさあ", "えーとね", "ちなみに",
    "こんにちは", "こんばんは", "おはよう", "おはようございます", "お疲れ様です", "おつかれさまです", "おつかれ",
    "おつかれー", "やっほー", "どうも", "ども", "うーん", "えー", "あ", "そういえば", "あ、そういえば",
    "突然すみません",
    "急にごめん", "質問なんだけど", "質問なんですが", "聞きたいんだけど", "聞きたいんですけど", "気になってたんだけど",
    "前から気になってたんだけど", "ちょっといい", "ちょっといいですか", "聞いてもいい", "聞いてもいいですか",
)
JA_TRAILING_FILLERS: Final = (
    "教えて", "教えてください", "教えて下さい", "お願いします", "お願い", "よろしく", "よろしくお願いします",
    "ありがとう", "ありがとうございます", "助かります", "わかったら教えて", "知ってたら教えて", "知ってたらでいいよ",
    "急ぎじゃないです", "急ぎません", "よろしくです", "よろしくお願いします〜", "お願いします〜",
)


def _alternation(words: tuple[str, ...]) -> str:
    # Longest first, so "hey there" is taken whole before "hey".
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


# Greetings and sounds drawn out as chat types them ("heyyy", "heyo", "sooo", "ummm", "hiii", "okkk", "wowww").
_DRAWN_OUT: Final = (
    r"(?:he+y+[ao]*|hey+o+|yo+|hi+|hel+o+|so+|o+k+a*y*|u+h*m+|u+h+|h+m+|a+h+|o+h+|w+o+w+|l+o+l+|ha(?:ha)+h*|"
    r"ya+y*|yea+h*|ye+s*|ugh+|oo+f+|hiya+|howdy+|sup+)"
)
_LEADING: Final = re.compile(
    # (The tables first, longest first, so "hey there" goes whole before "hey" is read as drawn out.)
    rf"^(?:@[\w.\-]{{1,40}}|(?:{_alternation(EN_LEADING_FILLERS)})|{_DRAWN_OUT})(?:(?:\s-(?=\s)|[\s,:;!.?…—–])+|$)"
    rf"|^(?:{_alternation(JA_LEADING_FILLERS)})(?:[\s、,，。！!？?…ー〜]+|$)"
    # (Typed straight before the question, a filler of three characters or more still ends where a word
    # in katakana, kanji or Latin letters starts: "ちょっと質問ダリオは…"; "あの人" keeps its あの.)
    rf"|^(?:{_alternation(tuple(w for w in JA_LEADING_FILLERS if len(w) >= 3))})"
    r"(?=[\u30a0-\u30ff\u4e00-\u9fffA-Za-z@])",
    re.I,
)
_TRAILING: Final = re.compile(
    rf"(?:^|[\s,:;!.?…]+)(?:{_alternation(EN_TRAILING_FILLERS)})[\s!.?…]*$"
    rf"|[\s、,，。！!？?]*(?:{_alternation(JA_TRAILING_FILLERS)})[\s。！!？?…〜ー~]*$",
    re.I,
)


# A trailing filler is a few words: it is looked for in this many last characters only. Searched from
# every position, a long run of punctuation cost quadratic time (2,000 colons: 0.17 s per call).
_TRAILING_REACH: Final = 160


_MAX_FILLER_PASSES: Final = 12


def strip_fillers(text: str) -> str:
    """The question without the greetings, fillers and politeness at either end, in English or Japanese."""
    previous = None
    # Bounded: a message of a thousand "thanks" is not worth a thousand passes.
    for _ in range(_MAX_FILLER_PASSES):
        if previous == text:
            break
        previous = text
        text = _LEADING.sub("", text).strip()
        # `^` in _TRAILING still means the text's real start: a search from `pos` does not match it there.
        found = _TRAILING.search(text, max(0, len(text) - _TRAILING_REACH))
        trimmed = (text[: found.start()] if found else text).strip()
        # "教えて" or "please" may be the whole message; an empty question is the help, not ours to make.
        text = trimmed or text
    return text


# Chat mention syntax (Discord <@id> <@&role> <#channel>, Slack <!here> <@U…> <!subteam^…>, @everyone)
# names nobody's words and no topic; it is dropped before the question is read.
_CHAT_MARKUP: Final = re.compile(r"<[@#!][^<>\s]{1,80}>|(?<!\w)@(?:everyone|here|channel)\b", re.I)


# Chat spellings of the words that frame a question ("what'd Dario say abt …", "re: scaling"): read as the
# words they stand for, so the question is understood and they reach neither the speaker nor the topic.
_CHAT_FORMS: Final = (
    (re.compile(r"\b(what|how|who|where|when|why)['’]d\b", re.I), r"\1 did"),
    (re.compile(r"(?<![\w'’])(?:abt|abut|abou|wrt|['’]bout|re)(?![\w'’:-])|(?<![\w'’])re:(?=\s)", re.I), "about"),
    (re.compile(r"\bwhats\b", re.I), "what's"),
)


def _chat_forms(text: str) -> str:
    for pattern, replacement in _CHAT_FORMS:
        text = pattern.sub(replacement, text)
    return text


def clean_question(text: str) -> str:
    """The question as asked, without what chat adds around it: mentions, emoji and their shortcodes,
    markdown marks, quotation marks, invisible characters, and the fillers at either end."""
    text = _CHAT_MARKUP.sub(" ", text)
    text = _CONTROL.sub(" ", normalize(_ZERO_WIDTH.sub("", text)))
    text = _SHORTCODE.sub(" ", _EMOJI.sub(" ", text))
    text = " ".join(_FACE_ALONE.sub(" ", _BLOCKQUOTE.sub("", _MARKDOWN.sub(" ", text).strip())).split())
    for _ in range(_MAX_FACES):
        # One face at a time, looked for in the last few characters only: a search from every position of
        # a long message costs quadratic time.
        face = _TRAILING_FACE.search(text, max(0, len(text) - _FACE_REACH))
        if face is None or face.start() == 0:
            break
        text = text[: face.start()].rstrip()
    return strip_fillers(text)[:MAX_QUESTION_CHARS]


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
    """Who is asked about what, in a question as typed in chat (bot.chatter: the words around it)."""
    return _without_chatter(raw, speakers, lang=lang, speaker=speaker, shows=shows, passes=_CHATTER_PASSES)


# Chatter taken off one message at most this many times ("sorry to bug you, quick q: …" is two): each pass
# reads the question a few more times, and a message of a hundred commas is not worth a hundred passes.
_CHATTER_PASSES: Final = 3


def _without_chatter(
    raw: str, speakers: SpeakerDirectory, *, lang: str | None, speaker: str | None, shows: ShowDirectory | None,
    passes: int,
) -> ParsedQuestion:
    parsed = _parse(raw, speakers, lang=lang, speaker=speaker, shows=shows)
    text = parsed.text
    japanese = chatter.is_japanese(text)
    # With the speaker given as an option, the whole question is the topic (and its fillers are the tables').
    for start in chatter.starts(text, japanese=japanese) if speaker is None and passes > 0 else ():
        again = _parse(text[start:], speakers, lang=lang, speaker=speaker, shows=shows)
        if chatter.dropped_before(parsed, again, text[:start], japanese=japanese):
            # What is left may hold more chatter ("sorry to bug you, quick q: …").
            again = _without_chatter(text[start:], speakers, lang=lang, speaker=speaker, shows=shows,
                                     passes=passes - 1)
            return again.model_copy(update={"text": text})
    if not japanese and speaker is None:
        # A remark after the question ("… i think it was a recent ep"): the longest that leaves it whole.
        for end in chatter.remark_starts(text):
            first = _parse(text[:end], speakers, lang=lang, shows=shows)
            if chatter.dropped_after(parsed, first, text[end:]):
                return first.model_copy(update={"text": text})
    return parsed


def _parse(
    raw: str, speakers: SpeakerDirectory, *, lang: str | None = None, speaker: str | None = None,
    shows: ShowDirectory | None = None,
) -> ParsedQuestion:
    text = _chat_forms(clean_question(raw))
    first = _NAMED_FIRST.match(text)
    if first is not None and shows is not None and (
        named := shows.voice(_strip_edges(first.group("show")).lower())
    ) is not None:
        # "Turing Post, what did they think of Dario's essay?": the show named first speaks, unless the
        # question goes on to name who does ("Lex Fridman, what did Dario say …" is Dario on that show).
        scoped = _parse(first.group("rest"), speakers, lang=lang, speaker=speaker)
        if scoped.speaker is None and scoped.unknown_speaker is None and scoped.topic:
            return scoped.model_copy(update={"text": text, "show": named, "show_is_subject": True})
        if scoped.speaker is not None:
            return scoped.model_copy(update={"text": text, "show": named})
    if first is not None and speaker is None and _ASKS.match(first.group("rest")) and (
        person := speakers.resolve(_strip_edges(first.group("show")))
    ) is not None:
        # "Dario, what did he say about hiring?": the person named first is who is asked.
        scoped = _parse(first.group("rest"), speakers, lang=lang, speaker=person, shows=shows)
        return scoped.model_copy(update={"text": text})
    if shows is not None:
        # "…on the Lex Fridman podcast" says where, not what, and its host is not the one asked.
        scope, rest = shows.extract(text)
        if scope is not None:
            rest, guests = _guests_clause(_LEADING_PUNCT.sub("", rest), speakers)
            # "In the Lex Fridman episode with Chris Olah, what did he say …": the one guest named is who.
            scoped = _parse(rest, speakers, lang=lang, speaker=speaker or (
                guests[0] if len(guests) == 1 and _PRONOUN_ASKED.match(rest) else None))
            # Without a topic the one asked about still is who speaks when the show is called one
            # ("レックス・フリードマンのポッドキャストでダリオは何と言った？" is Dario on that show, not Lex);
            # "what did Dario say on Lex Fridman" is about Lex.
            if scoped.topic or (scoped.speaker and says_show(text)):
                return scoped.model_copy(update={"text": text, "show": scope.show, "episode_number": scope.number})
    language = lang or detect_language(text)
    if language not in ("en", "ja"):
        language = "ja" if language == "zh" else "en"
    asked: str | None = None
    unknown: str | None = None
    # A show or commentator whose own words are asked for ("what did the Turing Post critic say about …").
    voice: str | None = None
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
            resolved = speakers.resolve(who) or _resolve_within(speakers, who) or speakers.resolve_misspelt(who)
            topic = match.group("topic")
            if resolved and (asked is None or resolved == asked):
                asked = resolved
            elif asked is not None and (resolved or _could_be_a_name(who)):
                # The speaker option says whose words; whoever the question names is what they are about.
                topic = f"{_strip_edges(match.group('spk'))} {topic}"
            elif shows is not None and (voice := shows.voice(who)) is not None:
                pass
            elif shows is not None and (guests_of := re.match(r"^(.+?)(?:['’]s)?\s+guests?$", who)) and (
                host_show := shows.voice(guests_of.group(1))
            ) is not None:
                # "what do Lex's guests think about …": his show's episodes, nobody's words in particular.
                return ParsedQuestion(text=text, speaker=None, topic=_strip_edges(topic), language=language,
                                      show=host_show)
            elif _could_be_a_name(who) and unknown is None:
                unknown = _title(who)
            break

    if topic is None and asked is None and (said_what := _SAID_WHAT.match(stripped)) is not None:
        # "what'd amodie say back when …": the verb has no "about", so only a name that resolves is taken.
        who = _strip_edges(said_what.group("spk"))
        if (found := speakers.resolve(who) or speakers.resolve_misspelt(who)) is not None:
            asked, topic = found, said_what.group("topic")

    if topic is None:
        match = _EN_ON.match(stripped)
        on_who = _strip_edges(match.group("spk")) if match else ""
        found = (
            speakers.resolve(on_who) or speakers.resolve_misspelt(on_who)
            or chatter.name_after_chatter(speakers, on_who)
        ) if match else None
        if match and found and asked in (None, found):
            asked = found
            topic = match.group("topic")
        elif match and not found and shows is not None and asked is None:
            # "Turing Post on Amodei": the show speaks about him, not he about something.
            voice = shows.voice(_strip_edges(match.group("spk")).lower())
            topic = match.group("topic") if voice is not None else None
        if topic is None and voice is None and shows is not None and asked is None and (
            piece := _PIECE_OF.match(stripped)
        ) is not None:
            # "the Turing Post breakdown of Amodei's essay".
            voice = shows.voice(_strip_edges(piece.group("spk")).lower())
            topic = piece.group("topic") if voice is not None else None

    spoken = None
    if topic is None and shows is not None:
        spoken = shows.voice_in(text) or shows.voice_at_end(text)
        if spoken is not None and speakers.resolve(spoken[2]) is not None and asked is None:
            # "ドワーケシュは…と言ってた？": the host, a person, is who speaks, not his show.
            spoken = None
    if spoken is not None:
        # "Turing Postの批評家はアモデイについて…": the show speaks; the person named is the topic.
        voice, rest, _ = spoken
        topic = _japanese_topic(rest) if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", rest) else _english_topic(rest)

    if topic is None and asked is None and (who_asks := _WHO_ASKS.match(stripped)) is not None:
        # "who argued that the fixes Dario proposes are too mild?": the question asks who spoke, so
        # nobody named in it is the speaker; they are what was said about.
        described = who_asks.group("described") or ""
        # "who said talent density beats talent mass": the verb asks who; what follows is what was said.
        said = re.sub(rf"^(?:{_VERBS}|{_MENTION_VERBS})\s+(?:that\s+)?(?=\S)", "", who_asks.group("rest"), flags=re.I)
        topic = _english_topic(f"{described} {said}")

    if topic is None:
        found_at = speakers.find(text) or speakers.find_role(text)
        rest = text
        if found_at and asked is not None and found_at[0] != asked:
            # With a speaker given as an option, a bare question naming someone else is all topic:
            # /ask question:"Chris Olah interpretability" speaker:"Dario Amodei".
            found_at = None
        guests_at = _GUESTS_OF.match(text, found_at[2]) if found_at else None
        if found_at and guests_at and shows is not None and (host_show := shows.voice(found_at[0].lower())):
            # "what do Lex Fridman's guests think …": the show's episodes, nobody's words in particular.
            rest = (text[: found_at[1]] + " " + text[guests_at.end() :]).strip()
            scoped = _parse(rest, speakers, lang=lang, speaker=speaker)
            return scoped.model_copy(update={"text": text, "show": host_show, "speaker": scoped.speaker})
        if found_at:
            name, start, end = found_at
            asked = asked or name
            # Positions are in the lowered text; lowering keeps lengths for the scripts we parse.
            rest = (text[:start] + " " + _JA_LEADING_PARTICLE.sub("", text[end:])).strip()
        topic = _japanese_topic(rest) if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", rest) else _english_topic(rest)

    topic = _strip_edges(topic or "")
    if voice is not None and asked is None:
        return ParsedQuestion(
            text=text, speaker=None, topic=topic, language=language, show=voice, show_is_subject=True
        )
    return ParsedQuestion(text=text, speaker=asked, unknown_speaker=unknown, topic=topic, language=language)


# A question asking who said something: "who argued …", "the critic who complained …", not "who did
# Dario say …" (there Dario speaks, about somebody).
_WHO_ASKS: Final = re.compile(
    r"^(?:(?:so|and|but|ok|okay)\s+)?(?:(?:the|a|an|that|this)\s+(?P<described>(?:[\w'’-]+\s+){0,3}?))?"
    r"who\s+(?!(?:did|does|do|is|was|were|are|has|have|had|will|would|should|can|could)\b)(?P<rest>\S.*)$",
    re.I,
)
_GUESTS_OF: Final = re.compile(r"(?:['’]s)?\s+guests?\b", re.I)
_LEADING_PUNCT: Final = re.compile(r"^[\s,;:.—–-]+")
# "… episode with Nathan Lambert and Sebastian Raschka, what did they say …": who the episode has.
_GUESTS: Final = re.compile(r"^with\s+(?P<who>[^,?]{2,120}?)\s*,\s*(?P<rest>.+)$", re.I)
_PRONOUN_ASKED: Final = re.compile(r"^(?:what|how|why)\s+(?:did|does|do|has|had)\s+(?:he|she)\b", re.I)


def _guests_clause(text: str, speakers: SpeakerDirectory) -> tuple[str, list[str]]:
    """The question without a leading "with A and B," clause, and the people it names."""
    match = _GUESTS.match(text)
    if match is None:
        return text, []
    names = [speakers.resolve(part) for part in re.split(r"\s*(?:,|\band\b|&)\s*", match.group("who")) if part]
    return match.group("rest"), [n for n in names if n is not None]


def _could_be_a_name(who: str) -> bool:
    """"what was said about X" has "what was" where a name would stand; that is no speaker."""
    words = who.split()
    if not words or len(who) > 60 or who in _PRONOUNS:
        return False
    if any(re.sub(r"['’]s$", "", w) in ROLE_WORDS for w in words):
        # "the Windsurf founder", "their guest": a description, not a name to look up; the topic is
        # searched across everyone rather than answered with "I don't know anyone called …".
        return False
    return not all(w in ENGLISH_STOPWORDS or w in _PRONOUNS for w in words)


def _resolve_within(speakers: SpeakerDirectory, who: str) -> str | None:
    found = speakers.find(who)
    if found and len(who) - (found[2] - found[1]) <= 3:
        return found[0]
    return None


def _title(name: str) -> str:
    return " ".join(part[:1].upper() + part[1:] for part in name.split())


# "the part where Amodei explains …": a way to point at a moment, not the topic.
_MOMENT: Final = re.compile(
    r"^(?:the\s+)?(?:part|bit|moment|section|segment|clip)\s+(?:where|when|in\s+which)\s+", re.I
)


_AUX: Final = r"(?:did|does|do|is|was|are|were|has|had|have|will|would|can|could)"
_ING_VERBS: Final = r"(?:talking|speaking|saying|thinking|discussing|writing|arguing|explaining)"
# What stands around a name that was taken out of a question, once it is gone ("which lab did  say was
# ahead", "according to , when …", "thoughts from  on …", "did  discuss …"): how it was asked, not what.
_AROUND_NAME: Final = (
    re.compile(r"^what\s+(?:do|did|have)\s+you\s+(?:have|got|get)\s+(?:on|about|regarding)\s+(?:and\s+)?", re.I),
    re.compile(r"^(?:according\s+to|per|re:?)[\s,:]+", re.I),
    re.compile(r"^(?:in\s+)?(?:'s|’s)?\s*(?:own\s+)?words[\s,:]+", re.I),
    re.compile(r"^(?:(?:thoughts?|quotes?|words?|views?|comments?)\s+(?:from|by)\s+)?(?:on|about)\s+", re.I),
    re.compile(rf"^{_ING_VERBS}\s+(?:about|on|of)\s+", re.I),
    re.compile(rf"^(?:(?:what|how|why|when|where|who)\s+)?{_AUX}{_ADVERBS}\s+(?:{_VERBS}\s+)?(?=\S)", re.I),
)
# "which lab did  say was ahead": the auxiliary and verb of the taken-out subject, mid-question.
_DANGLING_VERB: Final = re.compile(rf"\b{_AUX}\s+(?:{_VERBS})\b\s*(?:that\s+)?", re.I)


def _english_topic(rest: str) -> str:
    rest = _MOMENT.sub("", rest.strip().rstrip("?？!. "))
    # "Dario ever mention China?": the verb of the taken-out name, when a topic follows it.
    rest = re.sub(rf"^(?:ever|really|actually|also|even|once)\s+(?:{_VERBS})\s+(?:about\s+|on\s+|of\s+)?(?=\S)", "",
                  rest, flags=re.I)
    # Where the name stood before "explains why …": the verb goes, what is explained stays.
    rest = re.sub(rf"^(?:{_VERBS})\s+(?=(?:why|how|what|whether|that)\b)", "", rest, flags=re.I)
    rest = re.sub(
        rf"^(?:what|how)\s+(?:did|does|do|has|had|is|was)\s+(?:\S+\s+)??{_VERBS}\s+(?:about|of|on|regarding)\s+",
        "", rest, flags=re.I,
    )
    rest = re.sub(
        # ("about Dario's view on …" is "about  view on …" once the name and its 's are out)
        rf"^(?:(?:about|on|of)\s+(?=(?:'s|’s)?\s*(?:views?|takes?|thoughts?|opinions?|position|stance)\b))?"
        rf"(?:'s|’s)?\s*(?:{_VERBS}|views?|takes?|thoughts?|opinions?|position|stance)?\s*(?:about|on|of|regarding)\s+",
        "", rest,
        flags=re.I,
    )
    rest = re.sub(rf"\s+(?:{_VERBS})\s*(?:about|on)?$", "", rest, flags=re.I)
    # "what did  say" once the speaker is taken out: a question with no topic.
    rest = re.sub(r"^(?:what|how)\s+(?:did|does|do|has|had|is|was)$", "", rest.strip(), flags=re.I)
    # What is left where the speaker's name stood: "…, per", "…, according to", "in  view", "? answer"
    # (whole words: "superposition" keeps its "position").
    rest = re.sub(
        r"(?:[\s,;:?!-]+|^)(?:(?:in|from)\s+)?(?:'s|’s)?\s*(?:per|according to|by|from|"
        r"views?|answers?|opinions?|takes?|thoughts?|position|perspective|explanation)?\s*[?.!]*$",
        "", rest, flags=re.I,
    )
    rest = re.sub(r"\s{2,}", " ", rest).strip()
    for pattern in _AROUND_NAME:
        rest = pattern.sub("", rest, count=1).strip()
    rest = _DANGLING_VERB.sub("", rest)
    return _EN_FILLER.sub("", rest).strip()


def _japanese_topic(rest: str) -> str:
    # "ダリオによると、…": "according to" is left where the name stood.
    rest = re.sub(r"^(?:に)?よると[、,，\s]*", "", rest.strip())
    match = _JA_TOPIC.match(rest)
    if match:
        return match.group("topic")
    return _JA_TAIL.sub("", rest).strip()
