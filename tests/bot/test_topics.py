"""A topic's units and the tables that translate it between scripts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.store import Hit
from bot.topics import AliasTable, load_aliases, one_term, speaker_topics, topic_units
from tests.bot.test_scoring import _hit


def test_unknown_japanese_compound_splits_into_known_words() -> None:
    """独裁国家 is not in the table but 独裁 and 国家 are: each part matches in either language."""
    aliases = AliasTable()
    aliases.add("dictatorship", "独裁")
    aliases.add("state", "国家")
    units = topic_units("独裁国家の維持", aliases)
    assert units == [(("独裁",), ("dictatorship",)), (("国家",), ("state",)), (("維持",),)]
    # A compound the table knows whole stays whole.
    aliases.add("authoritarian state", "独裁国家")
    assert topic_units("独裁国家", aliases)[0][0] == ("独裁", "裁国", "国家")


def test_glossary_translates_japanese_questions_one_way(tmp_path: Path) -> None:
    (tmp_path / "aliases.toml").write_text('[terms]\n"talent density" = ["タレント密度"]\n', encoding="utf-8")
    (tmp_path / "glossary-ja-en.toml").write_text('[terms]\n"蒸留" = ["distillation", "distill"]\n', encoding="utf-8")
    table = load_aliases(tmp_path)
    assert table.translations("蒸留") == ["distill", "distillation"]
    assert table.translations("distillation") == []  # English questions stay English
    assert table.translations("talent density") == ["タレント密度"]  # the maintained table works both ways
    assert table.translations("タレント密度") == ["talent density"]


def test_japanese_verb_is_its_kanji_and_first_kana_when_the_glossary_knows_it() -> None:
    aliases = AliasTable()
    aliases.add("勧め", "recommend", both_ways=False)
    units = topic_units("学生に何を勧めた", aliases)
    assert (("勧め",), ("recommend",)) in units
    assert topic_units("学生に何を勧めた")[-1] == (("学生",),)  # without the table the lone kanji stays out
    # Also when it stands in a piece of its own, beside real words elsewhere in the topic.
    assert topic_units("「検索の問題」として捉え直した") == [(("検索",),), (("問題",),)]
    assert topic_units("捉え") == [(("捉",),)]  # alone, it is all the topic there is
    aliases.add("口出し", "meddling", both_ways=False)
    assert topic_units("他人に口出しして", aliases)[-1] == (("口出", "出し"), ("meddl",))


def test_topic_expansions_do_not_depend_on_hash_order() -> None:
    """Sets iterate in a per-process order; the same question must rank the same in every process."""
    aliases = AliasTable()
    for other in ("zeta", "alpha", "mu"):
        aliases.add("データ", other)
    assert aliases.expansions("データ") == ["alpha", "mu", "zeta"]


def _said(id_: int, text: str, heading: str | None, lang: str = "en") -> Hit:
    return replace(_hit(id_, text, speaker="Dario Amodei", lang=lang), heading=heading)


def test_what_a_speaker_talks_about_comes_from_their_headings_then_their_telling_words() -> None:
    """Headings of their passages, most passages first, "X on" and structural headings taken out;
    then the Latin words many of their passages use and the store uses little, as written."""
    forms = ("dario amodei", "dario", "amodei")
    hits = [
        _said(1, "Hiring slowly keeps talent dense.", "Dario Amodei on Talent Density"),
        _said(2, "Talent density beats talent mass.", "Talent Density"),
        _said(3, "Export controls matter for chips.", "Transcript"),
        _said(4, "Chips and export controls again.", "Relevant Transcript Excerpts"),
        _said(5, "タレント密度は重要です。", "タレント密度", lang="ja"),
    ]
    idf = {"chip": 3.0, "export": 2.0, "control": 1.0}
    topics = speaker_topics(hits, forms, "en", idf, limit=3)
    assert topics == ["Talent Density", "chips", "export"]
    # In Japanese the Japanese heading comes alone (the English one is the same topic again).
    assert speaker_topics(hits, forms, "ja", idf, limit=1) == ["タレント密度"]
    # Conversation words are never a topic, however often they come up.
    chatty = [_said(i, "I guess that kind of thing is actually really something.", None) for i in range(4)]
    assert speaker_topics(chatty, forms, "en", {}) == []


def test_a_katakana_word_is_not_split_into_a_known_word_and_a_stray_letter() -> None:
    from bot.topics import AliasTable, topic_alternatives, topic_units

    table = AliasTable()
    table.add("モデル", "model", both_ways=False)
    table.add("トレーニング", "training", both_ways=False)
    table.add("ウェイト", "weight", both_ways=False)
    # モデルナ (Moderna) is one word, not モデル (model) and ナ.
    assert topic_units("モデルナ", table) == [(("モデ", "デル", "ルナ"),)]
    assert all(("model",) not in unit for alt in topic_alternatives("モデルナ", table) for unit in alt)
    # A compound its known parts cover whole is still split: ウェイト + トレーニング.
    assert [("weight",) in u or ("train",) in u for u in topic_units("ウェイトトレーニング", table)] == [True, True]


def test_a_translation_of_several_words_stays_one_term() -> None:
    """ベーシックインカム becomes the one run "basic income", not the two words "basic" and "income" a
    passage could hold apart; a Latin word inside a Japanese question is never split into smaller words."""
    aliases = AliasTable()
    aliases.add("ベーシックインカム", "basic income", both_ways=False)
    assert aliases.expansions("ベーシックインカムについて") == ["basic_incomeについて"]
    assert topic_units("basic_incomeについて", aliases) == [(("basic", "incom"),)]
    assert topic_units("basic_income", aliases) == [(("basic", "incom"),)]
    # So is a word written with a hyphen: "self-driving" is not "self" anywhere and "driving" elsewhere.
    assert topic_units("self-driving cars") == [(("self", "drive"),), (("car",),)]
    # Beside Latin letters the translation stays a word of its own: not "airegulation".
    aliases.add("規制", "regulation", both_ways=False)
    assert aliases.expansions("AI規制法") == ["ai regulation法"]
    # The longest known term wins: 子供時代 is "childhood", not "children" beside 時代.
    aliases.add("子供時代", "childhood", both_ways=False)
    aliases.add("子供", "children", both_ways=False)
    assert aliases.expansions("ダリオの子供時代") == ["ダリオのchildhood"]
    assert aliases.expansions("子供と子供時代") == ["子供とchildhood", "childrenと子供時代"]
    aliases.add("エンジン", "engine", both_ways=False)
    aliases.add("e", "イー")
    assert topic_units("engineerの採用", aliases)[0] == (("engin",),)


def test_framing_words_are_not_topic_words() -> None:
    """"whether" frames a question ("whether Claude has feelings") and says nothing of its topic."""
    assert topic_units("whether Claude has feelings") == [(("claud",),), (("feel",),)]


def test_a_middle_dot_separates_words_and_japanese_question_verbs_are_not_topic_words() -> None:
    """ダリオ・ビジョン・クエスト is three katakana words; 話す translates only to question words ("talk")
    and frames the question like "say" does in English."""
    aliases = AliasTable()
    aliases.add("ビジョン", "vision", both_ways=False)
    aliases.add("話す", "talk", both_ways=False)
    assert topic_units("全社の前で話すダリオ・ビジョン・クエスト", aliases) == [
        (("全社",),), (("ダリ", "リオ"),), (("ビジ", "ジョ", "ョン"), ("vision",)), (("クエ", "エス", "スト"),),
    ]


def test_english_forms_a_stemmer_cannot_join_are_read_both_ways(tmp_path: Path) -> None:
    """"ran" is "run" and "run" is "ran": the forms table is read like the maintained term table."""
    (tmp_path / "forms-en.toml").write_text('[terms]\n"ran" = ["run"]\n', encoding="utf-8")
    table = load_aliases(tmp_path)
    assert topic_units("how Dwarkesh ran the conversation", table)[1] == (("ran",), ("run",))
    assert (("run",), ("ran",)) in topic_units("who runs the company", table)


def test_japanese_question_words_are_not_topic_words() -> None:
    """何年 ("how many years") asks; it is no word a passage holds."""
    assert topic_units("AGIがあと何年で来る") == [(("agi",),)]


def test_a_topic_of_two_words_written_as_one_term() -> None:
    aliases = AliasTable()
    for english, japanese in (("population", "人口"), ("density", "密度"), ("hiring", "採用"), ("pace", "ペース")):
        aliases.add(english, japanese)
    for topic in ("time travel", "the housing bubble", "self-driving cars", "computer vision?", "人口密度", "AI規制"):
        assert one_term(topic, topic_units(topic, aliases)) is not None, topic
    for topic in ("sycophancy and honesty", "Dario's essay", "the future of robotics", "採用のペース",
                  "talent density vs talent mass", "robotics", "talent, density"):
        assert one_term(topic, topic_units(topic, aliases)) is None, topic


def test_versus_joins_two_topics_and_is_no_word_of_them() -> None:
    assert topic_units("talent density vs talent mass") == topic_units("talent density versus talent mass") == [
        (("talent",),), (("densiti",),), (("mass",),)
    ]


def test_kanji_and_katakana_written_together_are_one_term_when_the_tables_know_it() -> None:
    """拡散モデル is "diffusion model": a passage on economic diffusion that mentions a model elsewhere does
    not hold it. Parts the tables do not know as one term stay words of their own."""
    aliases = AliasTable()
    aliases.add("diffusion model", "拡散モデル")
    aliases.add("diffusion", "拡散")
    aliases.add("model", "モデル")
    [unit] = topic_units("拡散モデル", aliases)
    assert ("diffus", "model") in unit
    assert len(topic_units("拡散のモデル", aliases)) == 2
    assert len(topic_units("普及モデル", aliases)) == 2


def test_japanese_discourse_fillers_are_not_topic_words() -> None:
    aliases = AliasTable()
    aliases.add("talent density", "タレント密度")
    assert topic_units("結局タレント密度", aliases) == topic_units("タレント密度", aliases)


def test_ever_words_are_function_words_not_topic() -> None:
    # "whoever" is in no passage: as a topic word it would count as the rarest word of the question.
    assert topic_units("the values of whoever it is talking to") == [(("valu",),)]
    assert topic_units("whatever he wants, wherever he goes") == [(("want",),), (("goe",),)]
