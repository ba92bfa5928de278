"""The verification benchmark on a tiny store the test writes: cases are made from its passages and scored."""

from __future__ import annotations

from pathlib import Path

from bench.eval.verify import EXPECTED, VERDICTS, Source, make_cases, render_markdown, run

EN = """\
Ada Host (00:01:00) So tell me, why did you leave the big lab after 12 years and start a small one?
Ben Guest (00:01:20) Because the big lab had 900 people, and every decision took a month, so I wanted a team where a decision takes a day and everyone knows the whole system.
Ben Guest (00:02:10) We now have 30 engineers, and I think the small team ships better software because nobody waits for approval from a committee.
"""
EN_META = """\
title: Leaving the big lab
show: Build Show
episode: 1
date: 2025-02-03
video_id: AaBbCcDdEeF
speakers: [Ada Host, Ben Guest]
lang: en
"""
OTHER = """\
Cleo Writer (00:05:00) The river changed its course in the spring flood, and the old mill now stands in a dry field far from the water.
Cleo Writer (00:06:00) Farmers moved their fences twice that year, and the county drew a new map by autumn.
Cleo Writer (00:07:00) Nobody expected the old bridge to end up over grass, but that is where it stands today.
"""
OTHER_META = """\
title: Rivers
show: Map Show
date: 2025-04-01
video_id: GgHhIiJjKkL
speakers: [Cleo Writer]
lang: en
"""
JA = """\
Ben Guest (00:03:00) 小さなチームでは全員がシステム全体を理解しているので、判断が一日で終わります。
Ben Guest (00:04:00) 大きな組織では三十人の承認を待つ必要があり、開発がとても遅くなってしまいます。
Ben Guest (00:05:00) だから私は十二年いた研究所を辞めて、新しい会社を始めることにしました。
"""
JA_META = """\
title: 小さなチーム
show: Build Show
episode: 2
date: 2025-02-10
video_id: MmNnOoPpQqR
speakers: [Ben Guest]
lang: ja
"""


def _corpus(root: Path) -> Path:
    for name, text in {"lab.txt": EN, "lab.meta.yaml": EN_META, "river.txt": OTHER, "river.meta.yaml": OTHER_META,
                       "team-ja.txt": JA, "team-ja.meta.yaml": JA_META}.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_cases_are_made_from_the_passages_and_are_the_same_for_a_seed() -> None:
    sources = [
        Source(1, "We now have 30 engineers, and I think the small team ships better software every week", "en",
               "Ben Guest", 1, ("Ada Host", "Ben Guest")),
        Source(2, "So tell me, why did you leave the big lab after 12 years and start a small one?", "en",
               "Ada Host", 1, ("Ada Host", "Ben Guest")),
        Source(3, "The river changed its course in the spring flood, and the old mill stands dry", "en",
               "Cleo Writer", 2, ("Cleo Writer",)),
    ]
    cases = make_cases(sources, seed=3, per_language=3)
    assert cases == make_cases(sources, seed=3, per_language=3)
    kinds = {c.kind for c in cases}
    assert {"exact", "paraphrase", "number_changed", "other_speaker", "spliced"} <= kinds
    for case in cases:
        assert case.expected == EXPECTED[case.kind]
        if case.kind == "exact":
            assert case.quote in next(s.text for s in sources if s.id == case.segment)
        if case.kind == "paraphrase":
            assert " said that " in case.quote and case.speaker is None
        if case.kind == "other_speaker":
            source = next(s for s in sources if s.id == case.segment)
            assert case.speaker != source.speaker and case.speaker in source.people


async def test_the_benchmark_runs_on_a_tiny_store(tmp_path: Path) -> None:
    result = await run([_corpus(tmp_path)], seed=1, per_language=2)
    languages = result["languages"]
    assert set(languages) == {"en", "ja"}
    english = languages["en"]
    assert english["kinds"]["exact"]["right"] == english["kinds"]["exact"]["cases"] > 0
    assert english["fabrications_verbatim"] == 0
    for counts in english["confusion"].values():
        assert set(counts) == set(VERDICTS)
    table = render_markdown(result, result, "HEAD")
    assert "| exact | verbatim |" in table and "Confusion (before" in table
