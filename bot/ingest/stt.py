"""Timed JSON transcripts: the podcast JSON transcript, speech-to-text output (Whisper, faster-whisper,
WhisperX, AssemblyAI, Deepgram, Rev) and Otter's text export.

Diarization labels (`SPEAKER_00`, `A`, `0`) are not names: they become names only through the sidecar's
`speaker_names` mapping. An unmapped label is kept as an unverified speaker of its own, so scoring never
credits its words to a named person (bot.scoring.attribution gives someone else's label no weight).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from bot.ingest.captions import Cue, merge_cues
from bot.ingest.document import ParsedDocument, ParseError
from bot.ingest.frontmatter import as_text, episode_from_fields
from bot.models import Segment
from bot.text import detect_language

# What speech-to-text tools call the people they cannot name.
DIARIZATION_LABEL: Final = re.compile(r"^(?:(?:speaker|spk|spkr)[ _-]?)?(?:\d{1,3}|[A-Z])$", re.I)
# Labels only a tool writes, never a person's name: SPEAKER_00, spk_1, Speaker 2.
_TOOL_LABEL: Final = re.compile(r"^(?:speaker|spk|spkr)[ _-]?\d{1,3}$", re.I)
_OTTER_HEAD: Final = re.compile(r"^(?P<name>\S.{0,60}?) {2,}(?P<time>\d{1,2}:\d{2}(?::\d{2})?)\s*$")
EXPECTED_SHAPES: Final = (
    "expected a podcast transcript (`segments` of speaker/startTime/endTime/body), Whisper or WhisperX "
    "(`segments` of start/end/text), AssemblyAI (`utterances`), Deepgram (`results.utterances`) or Rev (`monologues`)"
)


@dataclass
class Turn:
    """Words as a tool gave them: a time span, the text and the tool's speaker label (or a name)."""

    start: float
    end: float | None
    text: str
    label: str | None


class SpeakerNames:
    """Labels to names: the sidecar's `speaker_names`, else the label itself marked unverified."""

    def __init__(self, mapping: Mapping[str, str]) -> None:
        self.mapping = {_key(k): v for k, v in mapping.items()}

    def resolve(self, label: str | None, *, names_are_labels: bool) -> tuple[str | None, bool]:
        """(speaker, verified). `names_are_labels`: the tool only ever gives labels (never trust one)."""
        if label is None or not label.strip():
            return None, False
        label = label.strip()
        named = self.mapping.get(_key(label))
        if named:
            return named, True
        if names_are_labels or DIARIZATION_LABEL.match(label):
            return (label if not label.isdigit() and len(label) > 1 else f"Speaker {label}"), False
        return label, True


def _key(label: object) -> str:
    return str(label).strip().lower()


def speaker_names(fields: Mapping[str, Any]) -> SpeakerNames:
    raw = fields.get("speaker_names") or {}
    if not isinstance(raw, dict):
        raise ParseError("sidecar `speaker_names` must map labels to names (SPEAKER_00: Lex Fridman)")
    return SpeakerNames({str(k): str(v).strip() for k, v in raw.items() if str(v).strip()})


def _number(value: Any, where: str, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParseError(f"{where} has no numeric `{name}`; {EXPECTED_SHAPES}")
    return float(value)


def _items(container: Any, key: str, where: str) -> list[dict[str, Any]]:
    items = container.get(key) if isinstance(container, dict) else None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ParseError(f"{where}`{key}` must be a list of objects; {EXPECTED_SHAPES}")
    return items


def _podcast(data: dict[str, Any]) -> tuple[list[Turn], bool]:
    turns = []
    for i, seg in enumerate(_items(data, "segments", ""), 1):
        start = _number(seg.get("startTime"), f"segment {i}", "startTime")
        end = seg.get("endTime")
        turns.append(Turn(start, float(end) if isinstance(end, int | float) else None,
                          str(seg.get("body") or ""), as_text(seg.get("speaker"))))
    return turns, False


def _whisper(data: dict[str, Any]) -> tuple[list[Turn], bool]:
    turns = []
    for i, seg in enumerate(_items(data, "segments", ""), 1):
        start = _number(seg.get("start"), f"segment {i}", "start")
        end = seg.get("end")
        turns.append(Turn(start, float(end) if isinstance(end, int | float) else None,
                          str(seg.get("text") or ""), as_text(seg.get("speaker"))))
    return turns, True


def _words_or_utterances(utterances: list[dict[str, Any]], scale: float, text_key: str) -> list[Turn]:
    turns = []
    for i, utt in enumerate(utterances, 1):
        label = as_text(utt.get("speaker"))
        words = utt.get("words")
        if isinstance(words, list) and words and all(isinstance(w, dict) for w in words):
            # Word timings keep a long turn from becoming one passage with one start time.
            for j, word in enumerate(words, 1):
                # A word may say whose it is (Deepgram's words without utterances).
                word_label = as_text(word["speaker"]) if "speaker" in word else label
                start = _number(word.get("start"), f"utterance {i} word {j}", "start")
                end = word.get("end")
                text = word.get("punctuated_word") or word.get("text") or word.get("word") or ""
                turns.append(Turn(start / scale, float(end) / scale if isinstance(end, int | float) else None,
                                  str(text), word_label))
            continue
        start = _number(utt.get("start"), f"utterance {i}", "start")
        end = utt.get("end")
        turns.append(Turn(start / scale, float(end) / scale if isinstance(end, int | float) else None,
                          str(utt.get(text_key) or ""), label))
    return turns


def _assemblyai(data: dict[str, Any]) -> tuple[list[Turn], bool]:
    if data.get("utterances") is None and isinstance(data.get("words"), list):
        # Transcribed without speaker labels: the words alone.
        return _words_or_utterances([{"words": _items(data, "words", "")}], 1000.0, "text"), True
    return _words_or_utterances(_items(data, "utterances", ""), 1000.0, "text"), True


def _deepgram(data: dict[str, Any]) -> tuple[list[Turn], bool]:
    results = data["results"]
    if "utterances" not in results:
        # Without `utterances=true`: the first channel's best alternative, word by word.
        channels = _items(results, "channels", "results.")
        alternatives = _items(channels[0], "alternatives", "results.channels[0].") if channels else []
        words = _items(alternatives[0], "words", "results.channels[0].alternatives[0].") if alternatives else []
        return _words_or_utterances([{"words": words}] if words else [], 1.0, "transcript"), True
    return _words_or_utterances(_items(results, "utterances", "results."), 1.0, "transcript"), True


def _rev(data: dict[str, Any]) -> tuple[list[Turn], bool]:
    turns: list[Turn] = []
    for i, mono in enumerate(_items(data, "monologues", ""), 1):
        # Rev names a speaker when the transcriber did; otherwise only its number.
        named = as_text(mono.get("speaker_name"))
        label = named or as_text(mono.get("speaker"))
        first = len(turns)
        for element in _items(mono, "elements", f"monologue {i} "):
            value = str(element.get("value") or "")
            if element.get("type") == "text":
                start = _number(element.get("ts"), f"monologue {i} element", "ts")
                end = element.get("end_ts")
                turns.append(Turn(start, float(end) if isinstance(end, int | float) else None, value, label))
            elif value.strip() and len(turns) > first:
                turns[-1].text += value.strip()
    return turns, False


_SHAPES: Final[dict[str, Callable[[dict[str, Any]], tuple[list[Turn], bool]]]] = {
    "podcast": _podcast, "whisper": _whisper, "assemblyai": _assemblyai, "deepgram": _deepgram, "rev": _rev,
}


def json_shape(data: Any) -> str | None:
    """Which tool wrote a JSON transcript, from its keys; None when it is none of them."""
    if isinstance(data, list) and data and isinstance(data[0], dict) and {"start", "text"} <= data[0].keys():
        return "whisper"  # a bare list of segments, as scripts often save faster-whisper's output
    if not isinstance(data, dict):
        return None
    segments = data.get("segments")
    if isinstance(segments, list):
        first = next((s for s in segments if isinstance(s, dict)), {})
        if "body" in first or "startTime" in first:
            return "podcast"
        if "text" in first or "start" in first:
            return "whisper"
        return "podcast" if "version" in data else "whisper"
    if "utterances" in data:
        return "assemblyai"
    results = data.get("results")
    if isinstance(results, dict) and ("utterances" in results or "channels" in results):
        return "deepgram"
    if "monologues" in data:
        return "rev"
    return None


def load_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"not valid JSON: {exc.msg}", exc.lineno) from exc
    except RecursionError as exc:
        raise ParseError("JSON nested too deeply") from exc


def _document(fields: Mapping[str, Any], lang: str | None, sample: str) -> tuple[ParsedDocument, int]:
    lang = as_text(fields.get("lang") or fields.get("language")) or lang or detect_language(sample[:4000])
    doc = ParsedDocument(format="transcript", lang=lang, title=as_text(fields.get("title")))
    return doc, doc.add_episode(episode_from_fields(dict(fields), title_is_episode=True))


def add_turns(
    doc: ParsedDocument, episode: int, turns: list[Turn], names: SpeakerNames, *, labels_only: bool, merge: bool
) -> None:
    cues: list[Cue] = []
    verified: dict[str, bool] = {}
    for turn in turns:
        speaker, is_verified = names.resolve(turn.label, names_are_labels=labels_only)
        if speaker is not None:
            verified[speaker] = is_verified
        cues.append(Cue(turn.start, turn.end, turn.text, speaker))
    for cue in merge_cues(cues) if merge else cues:
        is_verified = cue.speaker is not None and verified.get(cue.speaker, False)
        if is_verified and cue.speaker not in doc.episodes[episode].speakers:
            doc.episodes[episode].speakers.append(cue.speaker)  # type: ignore[arg-type]
        doc.add(Segment(speaker=cue.speaker, speaker_verified=is_verified, start=cue.start, end=cue.end,
                        text=" ".join(cue.text.split()), lang=doc.lang, kind="quote"), episode)


def parse_json_transcript(
    path: str, text: str, fields: Mapping[str, Any], lang: str | None, data: Any = None
) -> ParsedDocument:
    """A JSON transcript of any known shape; ParseError naming the shapes when it is none of them."""
    data = load_json(text) if data is None else data
    shape = json_shape(data)
    if shape is None:
        raise ParseError(f"JSON is not a transcript: {EXPECTED_SHAPES}")
    turns, labels_only = _SHAPES[shape](data if isinstance(data, dict) else {"segments": data})
    if not any(t.text.strip() for t in turns):
        raise ParseError(f"the {shape} transcript has no words")
    doc, episode = _document(fields, lang, " ".join(t.text for t in turns[:400]))
    add_turns(doc, episode, turns, speaker_names(fields), labels_only=labels_only, merge=True)
    return doc


def relabel(doc: ParsedDocument, fields: Mapping[str, Any]) -> ParsedDocument:
    """Labels another parser read (`<v SPEAKER_00>` in captions WhisperX wrote) named by the sidecar's
    `speaker_names`; a tool's label that stays unmapped is unverified and not one of the episode's people.
    Other names are left as the parser read them."""
    names = speaker_names(fields)
    for parsed in doc.segments:
        segment = parsed.segment
        label = segment.speaker
        if label is None:
            continue
        named = names.mapping.get(_key(label))
        if named:
            segment.speaker, segment.speaker_verified = named, True
        elif not _TOOL_LABEL.match(label):
            continue
        else:
            segment.speaker_verified = False
        for episode in doc.episodes:
            episode.speakers = [s for s in episode.speakers if s != label]
        if named and parsed.episode is not None and named not in doc.episodes[parsed.episode].speakers:
            doc.episodes[parsed.episode].speakers.append(named)
    return doc


def looks_like_otter(body: str) -> bool:
    """Otter's export: `Name  M:SS` head lines (two spaces), each followed by the words."""
    lines = [line for line in body.split("\n") if line.strip()]
    heads = sum(1 for line in lines if _OTTER_HEAD.match(line.rstrip()))
    return heads >= 2 and heads * 2 >= len(lines) * 0.6


def parse_otter(path: str, body: str, fields: Mapping[str, Any], first_line: int, lang: str | None) -> ParsedDocument:
    doc, episode = _document(fields, lang, body)
    turns: list[Turn] = []
    for offset, raw in enumerate(body.split("\n")):
        line = raw.strip()
        if not line:
            continue
        head = _OTTER_HEAD.match(raw.rstrip())
        if line.lower().startswith(("transcribed by", "otter.ai")):
            continue  # Otter's own footer, not anybody's words
        if head:
            parts = [int(p) for p in head.group("time").split(":")]
            seconds = parts[0] * 60 + parts[1] if len(parts) == 2 else parts[0] * 3600 + parts[1] * 60 + parts[2]
            turns.append(Turn(float(seconds), None, "", head.group("name").strip()))
        elif turns:
            turns[-1].text = f"{turns[-1].text} {line}".strip()
        else:
            doc.warn(path, first_line + offset, "text before the first `Name  M:SS` line; skipped")
    if not turns:
        raise ParseError("no `Name  M:SS` lines found (Otter export)")
    # Otter's own `Speaker 1` is a label; a name the user typed in Otter is theirs.
    add_turns(doc, episode, turns, speaker_names(fields), labels_only=False, merge=False)
    return doc
