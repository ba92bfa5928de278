"""A topic's units and the tables that translate it between scripts."""

from __future__ import annotations

from pathlib import Path

from bot.topics import AliasTable, load_aliases, topic_units


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


def test_topic_expansions_do_not_depend_on_hash_order() -> None:
    """Sets iterate in a per-process order; the same question must rank the same in every process."""
    aliases = AliasTable()
    for other in ("zeta", "alpha", "mu"):
        aliases.add("データ", other)
    assert aliases.expansions("データ") == ["alpha", "mu", "zeta"]
