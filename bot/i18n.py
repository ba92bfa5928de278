"""The bot's own words in English and Japanese, shared by every adapter."""

from __future__ import annotations

from typing import Final

SUPPORTED: Final = ("en", "ja")

_CATALOG: Final[dict[str, dict[str, str]]] = {
    "not_found": {
        "en": "I found nothing about “{topic}” in the notes.",
        "ja": "ノートには「{topic}」についての発言が見つかりませんでした。",
    },
    "not_found_speaker": {
        "en": "I found nothing {speaker} said about “{topic}”.",
        "ja": "{speaker}が「{topic}」について話した箇所は見つかりませんでした。",
    },
    "nearest_topics": {
        "en": "Topics the notes do cover: {topics}.",
        "ja": "ノートにある話題: {topics}",
    },
    "unknown_speaker": {
        "en": "I don't know anyone called “{name}”. I have notes on: {speakers}.",
        "ja": "「{name}」という話者は見つかりません。登録されている話者: {speakers}",
    },
    "empty_question": {
        "en": "Ask me what someone said about a topic, e.g. “what did Amodei say about talent density?”",
        "ja": "「アモデイはタレント密度について何と言った？」のように質問してください。",
    },
    "warming_up": {
        "en": "I'm still reading the notes; ask again in a few seconds.",
        "ja": "ノートを読み込み中です。数秒後にもう一度お試しください。",
    },
    "error": {
        "en": "Sorry, something went wrong while answering. The error has been logged.",
        "ja": "申し訳ありません。回答中にエラーが発生しました（ログに記録しました）。",
    },
    "unverified_speaker": {
        "en": "speaker not labelled in the transcript",
        "ja": "話者は文字起こしに明記されていません",
    },
    "note_kind": {"en": "from a note", "ja": "ノートより"},
    "more": {"en": "More", "ja": "もっと見る"},
    "share": {"en": "Share", "ja": "共有"},
    "share_in_channel": {"en": "Share in channel", "ja": "チャンネルに共有"},
    "shared_by": {"en": "Shared by {user}", "ja": "{user} さんが共有"},
    "no_more": {"en": "That's everything I found.", "ja": "見つかったのは以上です。"},
    "expired": {
        "en": "This button has expired. Ask again to get a fresh answer.",
        "ja": "このボタンは期限切れです。もう一度質問してください。",
    },
    "not_allowed": {
        "en": "Sorry, only server managers can do that.",
        "ja": "申し訳ありません。この操作はサーバー管理者のみ実行できます。",
    },
    "reload_done": {
        "en": "Notes reloaded: {summary}",
        "ja": "ノートを再読み込みしました: {summary}",
    },
    "asked": {"en": "Question: {question}", "ja": "質問: {question}"},
    "answer_header": {
        "en": "What {speaker} said about “{topic}”",
        "ja": "{speaker}の「{topic}」についての発言",
    },
    "answer_header_any": {"en": "On “{topic}”", "ja": "「{topic}」について"},
}


def normalize_lang(lang: str | None) -> str:
    """Map a platform locale such as `ja`, `ja-JP` or `en-US` to a supported language."""
    if not lang:
        return "en"
    base = lang.replace("_", "-").split("-", 1)[0].lower()
    return base if base in SUPPORTED else "en"


def t(key: str, lang: str | None = "en", **values: object) -> str:
    entry = _CATALOG[key]
    text = entry.get(normalize_lang(lang)) or entry["en"]
    return text.format(**values) if values else text


def join_list(items: list[str], lang: str | None = "en") -> str:
    return ("、" if normalize_lang(lang) == "ja" else ", ").join(items)
