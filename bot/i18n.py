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
    "never_mentioned": {
        "en": "Nothing in the notes mentions {names}.",
        "ja": "ノートには{names}への言及がありません。",
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
    "commentary_on": {"en": "commentary on {name}", "ja": "{name}についての論評"},
    "verbatim_kind": {"en": "verbatim transcript", "ja": "文字起こしの原文"},
    "note_summary_label": {"en": "Note summary", "ja": "ノートの要約"},
    "ingest_summary": {
        "en": "added {added}, changed {changed}, removed {removed}, skipped {skipped}, failed {failed}; "
        "{segments} segments in {seconds}s",
        "ja": "追加 {added}、変更 {changed}、削除 {removed}、変更なし {skipped}、失敗 {failed}"
        "（{segments} セグメント、{seconds} 秒）",
    },
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
    "reload_counts": {
        "en": "added {added}, changed {changed}, removed {removed}, skipped {skipped}, failed {failed} "
        "in {seconds}s.",
        "ja": "追加 {added}、変更 {changed}、削除 {removed}、変更なし {skipped}、失敗 {failed}（{seconds} 秒）。",
    },
    "about_outside_root": {"en": "From outside the notes folder", "ja": "ノートのフォルダー外から"},
    "about_outside_root_value": {
        "en": "{count} (sources ingested from elsewhere; a reload keeps them)",
        "ja": "{count} 件（別の場所から取り込まれたもの。再読み込みしても残ります）",
    },
    "asked": {"en": "Question: {question}", "ja": "質問: {question}"},
    "help": {
        "en": "Ask what someone said about a topic: “what did Amodei say about talent density?”, "
        "“Amodei on scaling”, or just “talent density”. I answer with the speaker's own words and a link "
        "to that moment of the recording.",
        "ja": "誰かが話題について何と言ったかを聞いてください: 「アモデイはタレント密度について何と言った？」、"
        "「タレント密度について」など。本人の言葉と、録画のその瞬間へのリンクで答えます。",
    },
    "more_results": {"en": "{count} more found.", "ja": "ほかに{count}件あります。"},
    "answer_header": {
        "en": "What {speaker} said about “{topic}”",
        "ja": "{speaker}の「{topic}」についての発言",
    },
    "answer_header_any": {"en": "On “{topic}”", "ja": "「{topic}」について"},
    "about_speaker_header": {"en": "What {speaker} talks about: {topics}", "ja": "{speaker}がよく話す話題: {topics}"},
    "about_speaker_header_plain": {"en": "What {speaker} talks about", "ja": "{speaker}がよく話す話題"},
    "no_passages_of": {
        "en": "I have no passages of {speaker}'s own words yet.",
        "ja": "{speaker}本人の発言はまだノートにありません。",
    },
    "answer_header_show": {"en": "What {show} said about “{topic}”", "ja": "{show}の「{topic}」についての話"},
    # Chat-command descriptions (Discord shows them in its command picker; at most 100 characters).
    "cmd_ask": {
        "en": "Find what someone said about a topic, with a link to that moment of the recording",
        "ja": "誰かがある話題について話した箇所を、録画のその瞬間へのリンク付きで探します",
    },
    "opt_question": {
        "en": "Your question, e.g. what did Amodei say about talent density?",
        "ja": "質問（例: アモデイはタレント密度について何と言った？）",
    },
    "opt_speaker": {"en": "Only quotes by this person", "ja": "この人の発言だけを探す"},
    "opt_private": {
        "en": "Show the answer only to you (you can share it afterwards)",
        "ja": "回答を自分だけに表示する（あとで共有できます）",
    },
    "cmd_episodes": {"en": "List the episodes and videos in the notes", "ja": "ノートにあるエピソードと動画の一覧"},
    "cmd_about": {
        "en": "What I know: speakers, episodes, notes and the last update",
        "ja": "登録内容: 話者、エピソード、ノート数、最終更新",
    },
    "cmd_reload": {"en": "Re-read the notes (server managers only)", "ja": "ノートを再読み込み（サーバー管理者のみ）"},
    "about_title": {"en": "What I know", "ja": "登録内容"},
    "about_speakers": {"en": "Speakers", "ja": "話者"},
    "about_episodes": {"en": "Episodes", "ja": "エピソード"},
    "about_notes": {"en": "Notes", "ja": "ノート"},
    "about_notes_value": {
        "en": "{notes} notes, {transcripts} transcripts, {segments} passages",
        "ja": "ノート {notes} 件、文字起こし {transcripts} 件、{segments} 箇所",
    },
    "about_last_ingest": {"en": "Last read", "ja": "最終読み込み"},
    "never": {"en": "never", "ja": "まだありません"},
    "none_yet": {"en": "none yet", "ja": "まだありません"},
    "episodes_title": {"en": "Episodes ({count})", "ja": "エピソード（{count} 件）"},
    "and_more": {"en": "…and {count} more", "ja": "…ほか {count} 件"},
    "page": {"en": "{first}–{last} of {total}", "ja": "{total} 件中 {first}–{last} 件目"},
    "unknown_speaker_label": {"en": "Unknown speaker", "ja": "話者不明"},
    "reload_problems": {"en": "Problems ({count}):", "ja": "問題（{count} 件）:"},
    "reload_nothing": {
        "en": "There is nothing to reload: no notes folder is configured (set SAIDBOT_NOTES). "
        "The index holds {segments} segments.",
        "ja": "再読み込みするものがありません。ノートのフォルダーが設定されていません（SAIDBOT_NOTES）。"
        "索引には {segments} セグメントあります。",
    },
    "reload_index_size": {
        "en": "The index now holds {segments} segments.",
        "ja": "索引は {segments} セグメントになりました。",
    },
    "rate_limited": {
        "en": "You're asking faster than I can keep up with. Please wait a minute and ask again.",
        "ja": "質問のペースが速すぎます。1分ほど待ってからもう一度お試しください。",
    },
    "busy": {
        "en": "I'm busy answering other questions right now. Please try again in a minute.",
        "ja": "ほかの質問への回答で混み合っています。1分ほどしてからもう一度お試しください。",
    },
    "cmd_add": {
        "en": "Add a podcast feed or transcript URL to the notes (server managers only)",
        "ja": "ポッドキャストのフィードや文字起こしの URL をノートに追加（サーバー管理者のみ）",
    },
    "opt_url": {"en": "The feed or page URL (http or https)", "ja": "フィードまたはページの URL（http か https）"},
    "source_added": {
        "en": "Added {url} ({documents} document(s), {segments} passage(s)); it is fetched again on every refresh.",
        "ja": "{url} を追加しました: {documents} 件の文書、{segments} 箇所。更新のたびに取得し直します。",
    },
    "source_known": {
        "en": "{url} was already added; fetched again ({documents} document(s), {segments} passage(s)).",
        "ja": "{url} は追加済みです。取得し直しました: {documents} 件の文書、{segments} 箇所。",
    },
    "source_failed": {
        "en": "Could not add {url}: {reason}. Nothing was kept.",
        "ja": "{url} を追加できませんでした: {reason}。何も保存していません。",
    },
    "source_unavailable": {
        "en": "Adding sources from chat is not available here: this deployment keeps no shared state. "
        "List the URL in sources.txt in the notes folder instead.",
        "ja": "このデプロイではチャットからソースを追加できません（共有の状態を保存していません）。"
        "代わりにノートのフォルダーの sources.txt に URL を書いてください。",
    },
    "source_line": {
        "en": "{url}: {status} ({documents} document(s) written, {segments} segments)",
        "ja": "{url}: {status}（書き込んだ文書 {documents} 件、{segments} セグメント）",
    },
    "source_line_failed": {
        "en": "{url}: failed: {reason} (what it gave before keeps serving)",
        "ja": "{url}: 失敗: {reason}（以前の内容はそのまま使われます）",
    },
    "not_allowed_admins": {
        "en": "Sorry, only the bot's admins can do that.",
        "ja": "申し訳ありません。この操作はボットの管理者のみ実行できます。",
    },
    "add_usage": {
        "en": "Give the URL to add, e.g. add https://example.com/feed.xml",
        "ja": "追加する URL を指定してください（例: add https://example.com/feed.xml）",
    },
    # --- timelines ("how has Dario's view on X changed?", /timeline)
    "timeline_header": {
        "en": "How {speaker}'s view on “{topic}” changed — {episodes}{years}",
        "ja": "{speaker}の「{topic}」についての考えの変化 — {episodes}{years}",
    },
    "timeline_header_any": {
        "en": "How views on “{topic}” changed — {episodes}{years}",
        "ja": "「{topic}」についての考えの変化 — {episodes}{years}",
    },
    "timeline_episodes": {"en": "{count} episodes", "ja": "{count}件のエピソード"},
    "timeline_episode_one": {"en": "1 episode", "ja": "1件のエピソード"},
    "timeline_years": {"en": ", {first}–{last}", "ja": "、{first}〜{last}年"},
    "timeline_year": {"en": ", {year}", "ja": "、{year}年"},
    "timeline_undated": {"en": "undated (listed last)", "ja": "日付不明（最後に表示）"},
    "cmd_timeline": {
        "en": "How someone's view on a topic changed: their best passage per episode, oldest first",
        "ja": "ある話題についての考えの変化: エピソードごとの発言を古い順に",
    },
    "opt_topic": {"en": "The topic, e.g. scaling laws", "ja": "話題（例: スケーリング則）"},
    "opt_timeline_speaker": {"en": "Whose view (default: anyone)", "ja": "誰の考えか（省略時は全員）"},
    # --- note quotations checked against transcripts (bot/claims.py)
    "note_check_matches": {"en": "matches the transcript", "ja": "文字起こしと一致"},
    "note_check_differs": {"en": "the transcript differs", "ja": "文字起こしと異なる"},
    "note_check_translation": {
        "en": "a note's translation: wording not checked against the transcript",
        "ja": "ノートの翻訳（文字起こしとの文言照合はできません）",
    },
    "note_check_unchecked": {"en": "no transcript to check against", "ja": "照合できる文字起こしなし"},
    "transcript_line_at": {"en": "Transcript ({time}): “{text}”", "ja": "文字起こし（{time}）:「{text}」"},
    "transcript_line": {"en": "Transcript: “{text}”", "ja": "文字起こし:「{text}」"},
    "ingest_note_checks": {
        "en": "; note quotations: {checked} checked against transcripts, {contradicted} contradicted, "
        "{translated} translations (saidbot doctor --notes lists the contradicted ones)",
        "ja": "。ノートの引用: 文字起こしと照合 {checked} 件、食い違い {contradicted} 件、翻訳 {translated} 件"
        "（saidbot doctor --notes で一覧）",
    },
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


# ----------------------------------------------------------------- quote verification
_CATALOG.update({
    "verify_empty": {
        "en": "Give me the words to look for, e.g. “did Dario say ‘talent density beats scale’?”",
        "ja": "確かめたい言葉を入れてください（例: 本当に「タレント密度が大事」と言った？）。",
    },
    "verify_verbatim": {"en": "{speaker} said this, word for word", "ja": "{speaker}はこの通りに発言しています"},
    "verify_verbatim_note": {
        "en": "A note quotes {speaker} with these words; no transcript in the store holds them",
        "ja": "ノートはこの言葉を{speaker}の発言として引用していますが、記録の文字起こしにはありません",
    },
    "verify_verbatim_any": {"en": "These words are in the store", "ja": "この言葉はそのまま記録にあります"},
    "verify_verbatim_unlabelled": {
        "en": "These words are in a transcript, but it does not say who said them",
        "ja": "この言葉は文字起こしにありますが、誰の発言かは明記されていません",
    },
    "verify_other_speaker": {
        "en": "These words were said, but not by {speaker}",
        "ja": "この言葉は発言されていますが、{speaker}の発言ではありません",
    },
    "verify_close": {
        "en": "Not in those words; the nearest passages say",
        "ja": "この通りの発言はありません。近い箇所",
    },
    "verify_translated_header": {
        "en": "Said in another language; the passage this renders",
        "ja": "別の言語での発言です。この引用が訳している箇所",
    },
    "verify_not_found": {
        "en": "I found nothing close to that quote in the store.",
        "ja": "その発言に近いものは記録に見つかりませんでした。",
    },
    "verify_not_found_speaker": {
        "en": "I found nothing close to that quote by {speaker}.",
        "ja": "{speaker}のその発言に近いものは見つかりませんでした。",
    },
    "verify_translated": {
        "en": "translated: wording cannot be verified",
        "ja": "翻訳による照合: 言い回しは確認できません",
    },
    "verify_coverage_speaker": {
        "en": "The store holds {passages} passages of {speaker}'s own words, from {count}: {episodes}.",
        "ja": "記録にある{speaker}本人の発言は{passages}箇所（{count}: {episodes}）です。",
    },
    "verify_coverage_all": {
        "en": "The store holds {passages} verbatim passages from {count}: {episodes}.",
        "ja": "記録にある発言は{passages}箇所（{count}: {episodes}）です。",
    },
    "verify_coverage_none": {
        "en": "The store has no passages labelled as {speaker}'s words.",
        "ja": "{speaker}の発言と明記された箇所は記録にありません。",
    },
    "verify_episodes_one": {"en": "1 episode", "ja": "1エピソード"},
    "verify_episodes_many": {"en": "{count} episodes", "ja": "{count}エピソード"},
    "verify_coverage_more": {"en": " and {count} more", "ja": " ほか{count}件"},
    "verify_match": {"en": "{percent}% match", "ja": "一致度 {percent}%"},
    "verify_difference": {
        "en": "quoted: “{quoted}” — said: “{stored}”", "ja": "引用: 「{quoted}」 — 発言: 「{stored}」",
    },
    "verify_not_said": {"en": "quoted but not said: “{quoted}”", "ja": "引用にあって発言にない: 「{quoted}」"},
    "verify_not_quoted": {"en": "said but not quoted: “{stored}”", "ja": "発言にあって引用にない: 「{stored}」"},
    "verify_people": {
        "en": "not labelled; the recording's people: {people}",
        "ja": "話者の明記なし。この録画の出演者: {people}",
    },
    "verify_quote_line": {"en": "Quote: “{quote}”", "ja": "引用: 「{quote}」"},
    "verify_speaker_unknown": {
        "en": "I don't know anyone called “{name}”; I checked everyone's words.",
        "ja": "「{name}」という話者は見つからないため、全員の発言と照合しました。",
    },
    "cmd_verify": {
        "en": "Check whether someone really said a quote, and where",
        "ja": "その発言が本当にあったか、どこで言われたかを確かめます",
    },
    "opt_quote": {"en": "The words to check, as they were quoted", "ja": "確かめたい言葉（引用のまま）"},
    "opt_verify_speaker": {"en": "Who is supposed to have said it", "ja": "発言したとされる人"},
    # A message command's name: at most 32 characters, shown in the Apps menu.
    "ctx_find_who": {"en": "Find who said this", "ja": "誰の発言か調べる"},
})
