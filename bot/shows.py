"""Shows and their hosts (config/shows.toml), and questions scoped to one: "…on the Lex Fridman podcast"."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bot.config_files import ConfigError, read_toml
from bot.models import Citation, Episode
from bot.speakers import SpeakerDirectory
from bot.store import Hit
from bot.text import is_cjk, normalize


@dataclass(frozen=True)
class Show:
    name: str
    aliases: tuple[str, ...] = ()
    kind: str = "interview"
    hosts: tuple[str, ...] = ()

    @property
    def names(self) -> frozenset[str]:
        """Lower-cased names an episode's `show` field may carry for this show."""
        return frozenset(normalize(n).lower() for n in (self.name, *self.aliases))


def load_shows(config_dir: Path) -> list[Show]:
    path = config_dir / "shows.toml"
    if not path.exists():
        return []
    shows = read_toml(path).get("show", [])
    if not isinstance(shows, list) or not all(isinstance(item, dict) and item.get("name") for item in shows):
        raise ConfigError(path, "every [[show]] needs a name")
    return [
        Show(
            name=item["name"], aliases=tuple(item.get("aliases", [])), kind=item.get("kind", "interview"),
            hosts=tuple(item.get("hosts", [])),
        )
        for item in shows
    ]


@dataclass(frozen=True)
class Scope:
    """Where a question asks about: one show, one numbered episode, or both."""

    show: str | None = None
    number: int | None = None


_EN_SHOW_WORDS: Final = r"(?:podcast|show|interview|episode|conversation|appearance|channel|video|talk)"
# What a show puts out, named after it: "the Turing Post breakdown", "Turing Post's rant about …".
_EN_PIECE_WORDS: Final = (
    r"(?:breakdowns?|reviews?|critiques?|rants?|takes?|analys[ie]s|commentar(?:y|ies)|recaps?|reactions?|"
    r"responses?|pieces?|summar(?:y|ies)|segments?)"
)
_EN_NUMBER: Final = r"(?:(?:episode|ep\.?)\s*#?\s*(?P<num>\d{1,5})|#(?P<hash>\d{1,5}))"
_JA_SHOW_WORDS: Final = r"(?:ポッドキャスト|番組|インタビュー|対談|チャンネル|動画|エピソード)"
_SHOW_WORD: Final = re.compile(rf"\b{_EN_SHOW_WORDS}\b|{_JA_SHOW_WORDS}", re.I)
_JA_AT: Final = r"(?:で|では|にて|に出演した(?:とき|時|際)に?|に出た(?:とき|時|際)に?)"
# The people behind a show, where a question names who speaks: "the Turing Post critic", "Turing Postの解説者は".
_EN_VOICE_WORDS: Final = (
    r"(?:critics?|commentators?|hosts?|presenters?|narrators?|reviewers?|authors?|writers?|analysts?|people|folks|"
    r"guys?|team|editors?|youtubers?)"
)
_JA_VOICE_WORDS: Final = (
    r"(?:批評家|評論家|解説者|解説|批評|評論|分析|見解|意見|見方|レビュー|コメント|ホスト|司会者?|中の人|人たち|人|"
    r"動画|番組|チャンネル|ポッドキャスト)"
)
_EN_VOICE: Final = re.compile(
    rf"(?:^the\s+)|(?:['’]s)?\s*\b(?:{_EN_VOICE_WORDS}|{_EN_SHOW_WORDS}|{_EN_PIECE_WORDS})\b", re.I
)


def says_show(text: str) -> bool:
    """Whether `text` calls something a show, podcast, episode (in English or Japanese)."""
    return bool(_SHOW_WORD.search(text))


class ShowDirectory:
    """Finds a show (by name, alias or host) or an episode number a question is scoped to."""

    def __init__(
        self, shows: Iterable[Show], episode_shows: Iterable[str] = (),
        host_forms: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        # Every way of naming a show (its names, its hosts' names) -> the show's canonical name.
        forms: dict[str, str] = {}
        # Forms that name a show without "podcast" or "episode" beside them: a host's name, or a name
        # of two words. A one-word show name ("Decoder", "AI") must come with one, or "what did Dario
        # say on AI safety" would be read as a question about a show called AI.
        bare: set[str] = set()
        self._names: dict[str, frozenset[str]] = {}
        self._commentary: set[str] = set()
        for show in shows:
            self._names[show.name] = show.names
            if show.kind == "commentary":
                self._commentary |= show.names
            for form in (show.name, *show.aliases):
                forms.setdefault(normalize(form).lower(), show.name)
            for host in show.hosts:
                for form in (host_forms or {}).get(host, (normalize(host).lower(),)):
                    if len(form) >= 3 or is_cjk(form):
                        forms.setdefault(form, show.name)
                        bare.add(_squash(form))
        for name in episode_shows:
            key = normalize(name).lower()
            if key and key not in forms:
                forms[key] = name
                self._names[name] = frozenset({key})
        self._by_key = {_squash(form): show for form, show in forms.items()}
        # Each word of every way of naming a show ("turing", "post"), lower-cased.
        self._words = frozenset(word for form in forms for word in re.split(r"[\s・]+", form) if word)
        self._bare = bare | {_squash(form) for form in forms if re.search(r"[\s・]", form.strip())}
        alternation = "|".join(
            re.escape(form).replace(r"\ ", r"[\s・]*") for form in sorted(forms, key=len, reverse=True)
        )
        self._en: re.Pattern[str] | None = None
        self._ja: re.Pattern[str] | None = None
        if alternation:
            self._en = re.compile(
                rf"\b(?:on|in|from|during|at)\s+(?:the\s+|an?\s+|his\s+|her\s+|their\s+)?"
                rf"(?:(?:{_EN_SHOW_WORDS})\s+with\s+)?(?P<form>{alternation})(?:'s|’s)?(?![A-Za-z0-9])"
                rf"(?:\s+(?:{_EN_NUMBER}|{_EN_SHOW_WORDS}|{_EN_PIECE_WORDS}))*",
                re.I,
            )
            self._ja = re.compile(
                rf"(?P<form>{alternation})の?{_JA_SHOW_WORDS}?の?(?:第?(?P<num>\d{{1,5}})回)?{_JA_AT}"
                # "レックス・フリードマンの2026年のAI回で": an episode of the show described, not numbered.
                rf"|(?P<described>{alternation})の[^、。,，？?！!\s]{{1,20}}?(?:回|{_JA_SHOW_WORDS}){_JA_AT}"
                # "レックスの回の…の話": something said in one of the show's episodes.
                rf"|(?P<episode_of>{alternation})の(?:回|{_JA_SHOW_WORDS})の"
            )
            self._ja_voice: re.Pattern[str] | None = re.compile(
                # "Turing Postは", "Turing Postの解説では、", "Turing Postによると", "…についてTuring Postの
                # 批評家はどう見ている": who speaks, wherever in the question.
                rf"(?<![A-Za-z0-9\u30a0-\u30ff])(?P<form>{alternation})(?:(?:の{_JA_VOICE_WORDS})?(?:では|は|が|で[、,]|だと)|によると|によれば)"
            )
            # "…について、Turing Postの解説", "…についてのTuring Postの批評は？": who speaks, named last.
            self._ja_voice_last: re.Pattern[str] | None = re.compile(
                rf"(?:[、,，\s]|についての|に関する|への)*(?P<form>{alternation})の{_JA_VOICE_WORDS}(?:は|では)?"
                r"(?:どう|何|なに|なん)?(?:です|だった|でした)?(?:か|っけ)?[?？!！。\s]*$"
            )
        else:
            self._ja_voice = None
            self._ja_voice_last = None
        # "episode 452" on its own, but "#1" only after "in"/"on" ("the #1 risk" is no episode).
        self._number = re.compile(
            r"(?:\b(?:in|on|from|during)\s+(?:the\s+)?)?(?:episode|ep\.?)\s*#?\s*(?P<num>\d{1,5})(?![0-9])"
            r"|\b(?:in|on|from|during)\s+(?:the\s+)?#(?P<hash>\d{1,5})(?![0-9])|第(?P<ja>\d{1,5})回(?:で|では)?",
            re.I,
        )

    def extract(self, text: str) -> tuple[Scope | None, str]:
        """The scope a question names and the question without it; (None, text) when it names none."""
        lowered = normalize(text).lower()
        for pattern in (self._en, self._ja):
            for match in pattern.finditer(lowered) if pattern is not None else ():
                groups = match.groupdict()
                key = _squash(match.group("form") or groups.get("described") or groups.get("episode_of") or "")
                show = self._by_key.get(key)
                number = groups.get("num") or groups.get("hash")
                described = bool(groups.get("described") or groups.get("episode_of"))
                if show is None or (
                    key not in self._bare and not number and not described and not _SHOW_WORD.search(match.group())
                ):
                    continue
                rest = _cut(text, match.start(), match.end())
                return Scope(show=show, number=int(number) if number else None), rest
        found = self._number.search(lowered)
        if found:
            number = found.group("num") or found.group("hash") or found.group("ja")
            return Scope(number=int(number)), _cut(text, found.start(), found.end())
        return None, text


    def voice(self, who: str) -> str | None:
        """The show named where a question names who speaks ("the Turing Post critic", "Turing Post's
        hosts"), or None. Only the show's own people are meant, so nothing else may stand there."""
        rest = _EN_VOICE.sub(" ", normalize(who).lower()).strip()
        return self._by_key.get(_squash(rest)) if rest else None

    def voice_in(self, text: str) -> tuple[str, str, str] | None:
        """(show, the rest, the name as written) for a Japanese question with the show as who speaks:
        "Turing Postの解説者は…", "…についてTuring Postはどう見ている？"."""
        match = self._ja_voice.search(normalize(text).lower()) if self._ja_voice is not None else None
        show = self._show_of(match)
        if match is None or show is None:
            return None
        # Positions are in the folded text; folding keeps lengths for the scripts we parse.
        return show, f"{text[: match.start()]} {text[match.end() :]}".strip(), match.group("form")

    def voice_at_end(self, text: str) -> tuple[str, str, str] | None:
        """(show, the rest, the name as written) for a Japanese question ending with the show as who speaks:
        "ダリオのエッセイについてのTuring Postの批評"."""
        match = self._ja_voice_last.search(normalize(text).lower()) if self._ja_voice_last is not None else None
        show = self._show_of(match)
        if match is None or show is None or match.start() == 0:
            return None
        return show, text[: match.start()].strip(), match.group("form")

    def _show_of(self, match: re.Match[str] | None) -> str | None:
        return self._by_key.get(_squash(match.group("form"))) if match else None

    def names_word(self, word: str) -> bool:
        """Whether `word` is part of a show's name or its host's ("Turing" of Turing Post)."""
        return normalize(word).lower() in self._words

    def is_commentary(self, show: str | None) -> bool:
        """Whether a show talks about people rather than with them (config/shows.toml `kind = "commentary"`)."""
        return show is not None and normalize(show).lower() in self._commentary

    def label_commentary(
        self, citations: Sequence[Citation], hits: Sequence[Hit], topic: str, speakers: SpeakerDirectory
    ) -> list[Citation]:
        """Each citation marked with whom a commentary show's unlabelled passage is about, so a critic's
        paraphrase of Amodei is shown as commentary on him, never as his words or an unknown voice.

        The person is the one the topic names, else one the episode lists; either only when the
        passage, its heading or its episode's title names them, or the episode lists them.
        """
        named = speakers.find(topic)
        out = []
        for citation, hit in zip(citations, hits, strict=True):
            about = None
            if citation.speaker is None and self.is_commentary(citation.show):
                listed = hit.episode.speakers if hit.episode else []
                title = hit.episode.title if hit.episode else None
                text = f"{hit.text} {hit.heading or ''} {title or ''}".lower()
                for person in ([named[0]] if named else []) + list(listed):
                    if person in listed or any(form in text for form in speakers.forms_of(person)):
                        about = person
                        break
            out.append(citation.model_copy(update={"commentary_on": about}) if about else citation)
        return out

    def holds(self, scope: Scope, episode: Episode) -> bool:
        if scope.show is not None:
            names = self._names.get(scope.show, frozenset({normalize(scope.show).lower()}))
            if normalize(episode.show or "").lower() not in names:
                return False
        return scope.number is None or episode.number == scope.number


def _squash(form: str) -> str:
    return re.sub(r"[\s・]+", "", form)


def _cut(text: str, start: int, end: int) -> str:
    # Positions come from the normalised, lowered text; normalize() keeps the lengths of cleaned input.
    return " ".join(f"{text[:start]} {text[end:]}".split())
