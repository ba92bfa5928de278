"""Who the store knows: canonical names and every alias, in any script."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from rapidfuzz import fuzz

from bot.config_files import ConfigError, read_toml
from bot.models import Speaker
from bot.text import is_cjk, normalize

# What an unnamed diarization label is stored as (SPEAKER_02, Speaker B, spk_1): a voice in one
# recording, not a person anyone can ask about, so never offered as a speaker.
_PLACEHOLDER: re.Pattern[str] = re.compile(r"^(?:speaker|spk|spkr)[ _-]?(?:\d{1,3}|[A-Z])$", re.I)


def is_placeholder(name: str) -> bool:
    """Whether a stored speaker name is a speech-to-text tool's label rather than a person's name."""
    return _PLACEHOLDER.match(name.strip()) is not None


_KATAKANA_NAME = re.compile(r"[\u30a1-\u30ff]+")
_DOTTED_BEFORE = re.compile(r"[\u30a1-\u30fa\u30fc]+・")
_DOTTED_AFTER = re.compile(r"・[\u30a1-\u30fa\u30fc]+")


def _key(text: str) -> str:
    return re.sub(r"[\s・·.\-]+", "", normalize(text).lower())


def _role_key(text: str) -> str:
    # "the Vercel founder", "Vercel's founder" and "vercel founder" are one description.
    text = re.sub(r"^(?:the|a|an)\s+|['’]s\b", "", normalize(text).strip().lower())
    return _key(text)


def load_configured_speakers(config_dir: Path) -> list[Speaker]:
    path = config_dir / "speakers.toml"
    if not path.exists():
        return []
    speakers = read_toml(path).get("speaker", [])
    if not isinstance(speakers, list) or not all(isinstance(item, dict) and item.get("name") for item in speakers):
        raise ConfigError(path, "every [[speaker]] needs a name")
    return [
        Speaker(name=item["name"], aliases=list(item.get("aliases", [])), roles=list(item.get("roles", [])))
        for item in speakers
    ]


# A misspelt name is a word this long or longer, this close (rapidfuzz ratio) to a word of one name:
# "amodie" is Amodei, while a short word ("dan") is too easily somebody else's.
MISSPELT_NAME_MIN: Final = 5
MISSPELT_NAME_SIMILARITY: Final = 80.0

# Words that describe a person by what they do ("the Windsurf founder", "Anthropic's CEO").
ROLE_WORDS: Final = frozenset(
    "founder founders cofounder co-founder ceo cto cso president chief head boss creator creators guest guests "
    "interviewer interviewee researcher researchers engineer engineers scientist scientists host hosts "
    "presenter presenters narrator narrators".split()
)


class SpeakerDirectory:
    """Resolves `Dario`, `Amodei`, `ダリオ`, `アモデイ` to `Dario Amodei`."""

    def __init__(self, configured: Iterable[Speaker], learnt: Iterable[str] = ()) -> None:
        configured = list(configured)
        self._by_key: dict[str, str] = {}
        self.names: list[str] = []
        forms: set[str] = set()
        for speaker in configured:
            self._add_name(speaker.name)
            forms.add(speaker.name)
            for alias in speaker.aliases:
                self._by_key.setdefault(_key(alias), speaker.name)
                forms.add(alias)
        fresh = [name for name in dict.fromkeys(learnt) if name and _key(name) not in self._by_key]
        for name in fresh:
            self._add_name(name)
            forms.add(name)
        # First and last names work too (of configured and learnt speakers alike), unless two people share them.
        owners: dict[str, list[tuple[str, str]]] = {}
        for name in dict.fromkeys([*(speaker.name for speaker in configured), *fresh]):
            parts = name.split()
            if len(parts) >= 2:
                for part in {parts[0], parts[-1]}:
                    owners.setdefault(_key(part), []).append((part, name))
        for key, claims in owners.items():
            if len(claims) == 1 and key not in self._by_key and len(key) >= 3:
                self._by_key[key] = claims[0][1]
                forms.add(claims[0][0])
        self._forms = forms
        self._pattern = self._compile(forms)
        # A description several people answer to ("Anthropic cofounder") names nobody.
        claimed: dict[str, set[str]] = {}
        for speaker in configured:
            for role in speaker.roles:
                claimed.setdefault(_role_key(role), set()).add(speaker.name)
        self._by_role = {key: next(iter(names)) for key, names in claimed.items() if len(names) == 1 and key}
        roles = {
            normalize(role).lower() for speaker in configured for role in speaker.roles
            if _role_key(role) in self._by_role
        }
        # "what does the Windsurf CEO look for …": a description inside a question, with "the" and an "'s".
        written = [
            r"(?:['’]s)?\s+".join(re.escape(word) for word in re.sub(r"['’]s\b", "", role).split())
            for role in sorted(roles, key=len, reverse=True)
        ]
        self._role_pattern = (
            re.compile(r"(?<![\w'’])(?:the\s+)?(?:" + "|".join(written) + r")(?:['’]s)?(?![\w'’])") if written else None
        )

    def _add_name(self, name: str) -> None:
        if name not in self.names:
            self.names.append(name)
        self._by_key.setdefault(_key(name), name)

    @staticmethod
    def _compile(forms: set[str]) -> re.Pattern[str] | None:
        if not forms:
            return None
        parts = []
        # Longest first, so "Dario Amodei" wins over "Dario".
        for form in sorted(forms, key=len, reverse=True):
            # A space or a katakana middle dot may be left out: セバスチャンラシュカ is セバスチャン・ラシュカ.
            escaped = re.escape(normalize(form).lower()).replace(r"\ ", r"[\s・]*").replace("・", r"[\s・]*")
            # Latin names end at a Latin letter or digit only: "Mara Veldenは…" names her too.
            parts.append(escaped if is_cjk(form) else rf"(?<![A-Za-z0-9]){escaped}(?:'s|’s)?(?![A-Za-z0-9])")
        return re.compile("|".join(parts))

    def names_word(self, word: str) -> bool:
        """Whether `word` is part of a way of writing somebody's name ("Olah", "クリス")."""
        return normalize(word).lower() in self._name_words

    @functools.cached_property
    def _name_words(self) -> frozenset[str]:
        # Built once: the directory does not change after it is made, and a question may ask per word.
        forms = {normalize(f).lower() for f in self._forms} | set(self._by_key) | {
            normalize(n).lower() for n in self.names
        }
        return frozenset(word for form in forms for word in re.split(r"[\s・]+", form) if word)

    def forms_of(self, name: str) -> tuple[str, ...]:
        """Every spelling of `name` the directory knows, lower-cased, for spotting mentions in text."""
        forms = {normalize(name).lower(), *(normalize(p).lower() for p in name.split() if len(p) >= 3)}
        forms |= {key for key, owner in self._by_key.items() if owner == name and len(key) >= 2}
        forms |= {normalize(f).lower() for f in self._forms if self.resolve(f) == name}
        return tuple(sorted(forms))

    def resolve(self, text: str) -> str | None:
        """The person `text` names: a name, an alias, or a description only they answer to."""
        text = text.strip()
        found = self._by_key.get(_key(re.sub(r"['’]s$", "", text))) or self._by_role.get(_role_key(text))
        if found is None and len(text) > 3 and text[-1] in "sS" and not is_cjk(text):
            # A possessive typed without its apostrophe, as chat does ("whats darios take on …").
            found = self._by_key.get(_key(text[:-1]))
        return found

    def resolve_misspelt(self, text: str) -> str | None:
        """The one person `text` names when misspelt ("amodie", "dario amodie"): every word of it is spelt
        like a word of that person's name, and of nobody else's."""
        words = [w for w in re.split(r"[\s・]+", normalize(re.sub(r"['’]s$", "", text.strip())).lower()) if w]
        if not words or len(words) > 3 or any(is_cjk(w) or not w.isalpha() for w in words):
            return None
        owners: set[str] = set()
        for word in words:
            if word in self._name_words:
                owners.add(self._word_owner.get(word, ""))
                continue
            close = {
                self._word_owner.get(known, "") for known in self._name_words
                if len(word) >= MISSPELT_NAME_MIN and abs(len(known) - len(word)) <= 2
                and fuzz.ratio(word, known) >= MISSPELT_NAME_SIMILARITY
            }
            if len(close) != 1:
                return None
            owners |= close
        return next(iter(owners)) if len(owners) == 1 and "" not in owners else None

    @functools.cached_property
    def _word_owner(self) -> dict[str, str]:
        # Each word of a way of writing a name, and whom it names alone ("" for nobody: a first name two
        # people share).
        return {word: self.resolve(word) or "" for word in self._name_words}

    def find_role(self, text: str) -> tuple[str, int, int] | None:
        """The first description only one speaker answers to in `text`: (name, start, end) in
        normalize(text).lower(), "the" before it included."""
        folded = normalize(text).lower()
        match = self._role_pattern.search(folded) if self._role_pattern is not None else None
        if match is None:
            return None
        name = self.resolve(match.group())
        return (name, match.start(), match.end()) if name else None

    def find(self, text: str) -> tuple[str, int, int] | None:
        """The first known speaker mentioned in `text`: (canonical name, start, end) in normalize(text).lower()."""
        if self._pattern is None:
            return None
        folded = normalize(text).lower()
        match = self._pattern.search(folded)
        if not match:
            return None
        name = self.resolve(match.group())
        if not name:
            return None
        start, end = match.start(), match.end()
        if _KATAKANA_NAME.fullmatch(match.group()):
            # A katakana name is written whole with its middle dot, in spellings no list holds all of
            # (クリス・オラ for クリス・オラー): the rest of the dotted name is the name too, not the topic.
            while (before := _DOTTED_BEFORE.search(folded, 0, start)) is not None and before.end() == start:
                start = before.start()
            while (after := _DOTTED_AFTER.match(folded, end)) is not None:
                end = after.end()
        return name, start, end

    def complete(self, prefix: str, limit: int = 25) -> list[str]:
        key = _key(prefix)
        if not key:
            return sorted(self.names)[:limit]
        direct = sorted(n for n in self.names if any(_key(p).startswith(key) for p in [n, *n.split()]))
        via_alias = sorted(name for alias, name in self._by_key.items() if alias.startswith(key))
        return list(dict.fromkeys(direct + via_alias))[:limit]
