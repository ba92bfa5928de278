"""Laying answers out within Discord's limits, and escaping what users wrote."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import discord
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord.format import (
    CONTENT_MAX,
    DESCRIPTION_MAX,
    EMBEDS_PER_MESSAGE,
    EMBEDS_TOTAL_MAX,
    QUOTE_MAX,
    cut,
    escape_user_text,
    render_about,
    render_answer,
    render_episodes,
    render_reload,
)
from bot.models import Answer, AnswerStatus, Citation, Episode, IngestProblem, IngestReport, ReloadResult, StoreStats

PING = re.compile(r"@(everyone|here)|<@[!&]?\d+>")


def citation(text: str, **extra: object) -> Citation:
    fields: dict[str, object] = {
        "text": text,
        "speaker": "Dario Amodei",
        "episode": "Lex Fridman Podcast #452",
        "start_seconds": 5917,
        "timestamp": "01:38:37",
        "url": "https://www.youtube.com/watch?v=ugvHCXCOmm4&t=5917s",
        "source": "notes/talent.md",
        "kind": "quote",
        "language": "en",
    }
    fields.update(extra)
    return Citation.model_validate(fields)


def answer(citations: list[Citation], **extra: object) -> Answer:
    fields: dict[str, object] = {
        "question": "what did Amodei say about talent density?",
        "speaker": "Dario Amodei",
        "topic": "talent density",
        "language": "en",
        "citations": citations,
        "total": len(citations),
    }
    fields.update(extra)
    return Answer.model_validate(fields)


def assert_within_limits(embeds: list[discord.Embed]) -> None:
    assert len(embeds) <= EMBEDS_PER_MESSAGE
    assert sum(len(e) for e in embeds) <= EMBEDS_TOTAL_MAX
    for embed in embeds:
        assert len(embed.description or "") <= DESCRIPTION_MAX
        assert len(embed.title or "") <= 256 and len(embed.author.name or "") <= 256
        assert all(len(f.value or "") <= 1024 for f in embed.fields)


def test_cut_prefers_a_sentence_end() -> None:
    text = "First sentence here. Second sentence is longer than that. Third one."
    assert cut(text, 40) == "First sentence here. …"
    assert cut(text, 200) == text


def test_cut_knows_japanese_sentences() -> None:
    text = "タレント密度はタレント量に勝ります。全員が優秀な百人は千人に勝ります。だから採用を遅らせました。"
    assert cut(text, 40) == "タレント密度はタレント量に勝ります。全員が優秀な百人は千人に勝ります。 …"


def test_cut_falls_back_to_a_word_when_no_sentence_ends_near_the_limit() -> None:
    text = "one two three four five six seven eight nine ten eleven twelve"
    result = cut(text, 30)
    assert result == "one two three four five six…" and len(result) <= 30


@given(st.text(), st.integers(min_value=1, max_value=500))
def test_cut_never_exceeds_the_limit(text: str, limit: int) -> None:
    result = cut(text, limit)
    assert len(result) <= limit
    assert result == text or result.endswith("…")


def test_a_long_quote_is_cut_at_a_sentence_and_keeps_its_link() -> None:
    long = " ".join(f"Sentence number {n} says something about talent density." for n in range(200))
    [embed] = render_answer(answer([citation(long)]), "en").embeds
    description = embed.description or ""
    quote, link = description.split("\n\n")
    assert quote.endswith("density. …") and len(quote) <= QUOTE_MAX + 2
    assert link == "▶ [01:38:37](https://www.youtube.com/watch?v=ugvHCXCOmm4&t=5917s)"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.builds(
            citation,
            st.text(min_size=1, max_size=5000),
            speaker=st.one_of(st.none(), st.text(max_size=300)),
            episode=st.text(max_size=400),
            show=st.one_of(st.none(), st.text(max_size=3000)),
            speaker_verified=st.booleans(),
            kind=st.sampled_from(["quote", "note"]),
        ),
        min_size=1,
        max_size=12,
    ),
    st.text(max_size=3000),
)
def test_any_answer_fits_discords_limits(citations: list[Citation], question: str) -> None:
    reply = render_answer(answer(citations), "en", question=question)
    assert len(reply.content) <= CONTENT_MAX
    assert_within_limits(reply.embeds)
    assert not PING.search(reply.content)


@given(st.text(alphabet=st.sampled_from("@<>&!#0123456789 everyonhr*_|~`\\")) | st.text())
def test_escaped_user_text_can_never_mention(text: str) -> None:
    assert not PING.search(escape_user_text(text))


def test_escaping_keeps_the_text_readable() -> None:
    assert escape_user_text("@everyone look") == "@\u200beveryone look"
    assert escape_user_text("<@&123> *hi*") == "<@\u200b&123> \\*hi\\*"
    assert escape_user_text("mail a@b.c") == "mail a@\u200bb.c"


def test_statuses_show_the_cores_sentence_escaped() -> None:
    not_found = answer([], status=AnswerStatus.NOT_FOUND, message="I found nothing about “@everyone”.")
    reply = render_answer(not_found, "en")
    assert reply.content == "I found nothing about “@\u200beveryone”." and reply.embeds == []


def test_a_note_summary_shows_the_presenters_label_and_only_the_note_badge() -> None:
    note = citation("x", speaker=None, speaker_verified=False, kind="note", show="Lex Fridman Podcast")
    [embed] = render_answer(answer([note]), "en").embeds
    assert embed.author.name == "Note summary"
    assert embed.footer.text == "Lex Fridman Podcast · from a note"


def test_a_note_by_a_named_speaker_keeps_the_speaker() -> None:
    [embed] = render_answer(answer([citation("x", kind="note")]), "en").embeds
    assert embed.author.name == "Dario Amodei" and embed.footer.text == "from a note"


def test_an_unlabelled_verbatim_passage_says_so() -> None:
    unlabelled = citation("x", speaker=None, speaker_verified=False, show="Lex Fridman Podcast")
    [embed] = render_answer(answer([unlabelled]), "en").embeds
    assert embed.author.name == "Unknown speaker"
    assert embed.footer.text == "Lex Fridman Podcast · verbatim transcript · speaker not labelled in the transcript"


def test_an_inferred_speaker_is_named_and_marked_unlabelled() -> None:
    inferred = citation("x", speaker_verified=False)
    [embed] = render_answer(answer([inferred]), "en").embeds
    assert embed.author.name == "Dario Amodei"
    assert embed.footer.text == "verbatim transcript · speaker not labelled in the transcript"


def test_a_verbatim_passage_shows_its_badge_after_the_show() -> None:
    [embed] = render_answer(answer([citation("x", show="Lex Fridman Podcast")]), "en").embeds
    assert embed.footer.text == "Lex Fridman Podcast · verbatim transcript"


def test_badges_and_labels_in_japanese() -> None:
    note = citation("x", speaker=None, kind="note", language="ja")
    unlabelled = citation("y", speaker=None, speaker_verified=False)
    first, second = render_answer(answer([note, unlabelled], language="ja"), "ja").embeds
    assert first.author.name == "ノートの要約" and first.footer.text == "ノートより"
    assert second.author.name == "話者不明"
    assert second.footer.text == "文字起こしの原文 · 話者は文字起こしに明記されていません"


def test_the_header_and_page_come_from_the_presenter() -> None:
    reply = render_answer(answer([citation("x")], total=7, offset=3), "en", question="Amodei on *talent*")
    first, second = reply.content.split("\n")
    assert first == "**What Dario Amodei said about “talent density”** · 4–4 of 7"
    assert second == "Question: Amodei on \\*talent\\*"


def test_help_is_the_cores_sentence() -> None:
    help_answer = answer([], status=AnswerStatus.HELP, message="Ask what someone said about a topic.")
    reply = render_answer(help_answer, "en")
    assert reply.content == "Ask what someone said about a topic." and reply.embeds == []


def test_a_page_past_the_end_says_that_is_everything() -> None:
    reply = render_answer(answer([], total=3, offset=3), "en")
    assert reply.content == "That's everything I found." and reply.embeds == []


def test_links_that_would_break_markdown_are_encoded() -> None:
    [embed] = render_answer(answer([citation("x", url="https://example.com/a (b)")]), "en").embeds
    # A page link cannot seek, so it is shown bare (no time label), still encoded.
    assert "https://example.com/a%20%28b%29" in (embed.description or "")
    assert embed.url == "https://example.com/a%20%28b%29"
    [embed] = render_answer(answer([citation("x", url="https://www.youtube.com/watch?v=a (b)")]), "en").embeds
    assert "(https://www.youtube.com/watch?v=a%20%28b%29)" in (embed.description or "")
    [embed] = render_answer(answer([citation("x", url="javascript:alert(1)")]), "en").embeds
    assert "javascript" not in (embed.description or "") and embed.url is None


def test_many_episodes_fit_one_embed() -> None:
    episodes = [Episode(title=f"Episode {n} " + "x" * 80, video_url=f"https://youtu.be/{n}") for n in range(300)]
    stats = StoreStats(
        segments=1, sources=1, notes=1, transcripts=0, episodes=episodes, speakers=[], last_ingest=None, languages=[]
    )
    [embed] = render_episodes(stats, "en").embeds
    assert_within_limits([embed])
    assert (embed.description or "").endswith("more")


def test_about_without_anything_yet() -> None:
    stats = StoreStats(
        segments=0, sources=0, notes=0, transcripts=0, episodes=[], speakers=[], last_ingest=None, languages=[]
    )
    fields = {f.name: f.value for f in render_about(stats, "ja").embeds[0].fields}
    assert fields["話者"] == "まだありません" and fields["最終読み込み"] == "まだありません"


def test_about_shows_the_last_ingest_as_a_discord_timestamp() -> None:
    stats = StoreStats(
        segments=3, sources=2, notes=2, transcripts=0, episodes=[], speakers=["A"], languages=["en"],
        last_ingest=datetime(2024, 11, 11, tzinfo=UTC),
    )
    fields = {f.name: f.value for f in render_about(stats, "en").embeds[0].fields}
    assert fields["Last read"] == "<t:1731283200:f> (<t:1731283200:R>)"


def test_a_reload_with_many_problems_fits_one_message() -> None:
    report = IngestReport(failed=500, problems=[IngestProblem(path=f"n/{i}.md", line=i, reason="bad") for i in range(500)])
    content = render_reload(ReloadResult(report=report, index_segments=483), "en").content
    assert len(content) <= CONTENT_MAX and content.startswith("Notes reloaded: ") and content.endswith("…")
    assert "The index now holds 483 segments." in content


def test_about_says_what_the_store_holds_from_outside_the_notes_folder() -> None:
    stats = StoreStats(segments=3, sources=3, notes=3, transcripts=0, episodes=[], speakers=["A"], languages=["en"],
                       last_ingest=None, outside_root=2)
    fields = {f.name: f.value for f in render_about(stats, "en").embeds[0].fields}
    assert fields["From outside the notes folder"] == "2 (sources ingested from elsewhere; a reload keeps them)"
    inside = stats.model_copy(update={"outside_root": 0})
    assert "From outside the notes folder" not in {f.name for f in render_about(inside, "en").embeds[0].fields}


def test_episodes_leave_out_quote_collection_pages() -> None:
    stats = StoreStats(
        segments=3, sources=3, notes=3, transcripts=0, speakers=["A"], languages=["en"], last_ingest=None,
        episodes=[Episode(id=1, transcript_url="https://www.lennysnewsletter.com/p/some-quotes"),
                  Episode(id=2, show="Example Show", number=3), Episode(id=3, video_id="AbCdEfGhIjK"),
                  Episode(id=4, title="A talk", transcript_url="https://example.com/talk")],
    )
    embed = render_episodes(stats, "en").embeds[0]
    assert embed.title == "Episodes (3)" and "lennysnewsletter" not in (embed.description or "")
    assert {f.name: f.value for f in render_about(stats, "en").embeds[0].fields}["Episodes"] == "3"
