"""Every ranking weight, named, in one place, each with what it trades off.

A passage's score is relevance × weight. Relevance says how well the words match the topic;
the weight says how much the passage is worth showing for this question: whose words they are,
whether they are verbatim, in the asker's language, in the asked show. Change one, then run
`python -m bench.eval` on every question set.
"""

from __future__ import annotations

from typing import Final

# --- relevance = STRENGTH × match strength + COVERAGE × topic coverage (+ PHRASE_BONUS)
# bm25 (or term density for sampled candidates) against how much of the topic's IDF weight a passage
# holds: strength alone favours short passages repeating one word, coverage alone ignores how focused a passage is.
STRENGTH: Final = 0.45
COVERAGE: Final = 0.55
# The whole topic as a phrase beats its words scattered through a passage; too high and a phrase in
# an off-topic aside outranks a focused answer.
PHRASE_BONUS: Final = 0.25
# A question that says what its answer looks like (how likely: a percentage; how much of his time: a share; how
# it began: a beginning told, bot/answer_kinds.py) prefers a passage giving such an answer, enough to lift an
# unlabelled transcript turn over a labelled quote on the same words (0.15 did not); higher lets any passage
# with a figure or a "started" in it outrank the one about the topic.
ANSWER_KIND_BONUS: Final = 0.3
# Below this share of the topic's weight a passage is not about the topic at all: lower finds loosely
# related passages, higher answers "nothing found" to everyday paraphrases.
MIN_COVERAGE: Final = 0.15
# Ranking weighs each held word by its IDF raised to this power (the floors above stay linear): a passage
# holding the topic's one rare word ("bankrupt") beats one holding two everyday words ("big", "company") of
# the same summed IDF. Higher lets one rare word in an aside beat a passage holding the rest of the topic.
RANK_IDF_POWER: Final = 1.5
# A topic with this share of its weight (or more) in words no passage holds finds nothing: "the 2024
# presidential election" is not answered by a passage on 2024. Lower refuses paraphrases that use a word
# or two the notes never do.
UNSEEN_TOPIC_SHARE: Final = 0.65
# Of a two-word topic a passage may lack only the more common word ("robotics" without "future").
TWO_WORD_MIN_SHARE: Final = 0.5
# An English topic of three words or more with this share of its weight in words no passage holds is not
# answered by a passage sharing one word with it ("baking sourdough bread from scratch" by "build models
# from scratch"). Lower refuses paraphrases whose one stored word is the answer's; Japanese questions are
# left out, as their unseen words are often only translations the passages do not use.
LONE_WORD_UNSEEN_SHARE: Final = 0.5
# An English topic of three words or more is not answered by a passage holding only one of its words when that
# word is this much less telling (IDF) than the topic's most telling word, stored or not: "Olah on convolutional
# networks for image recognition" by his passage on networks, "Dario on nuclear fusion power" by nuclear weapons.
# Higher refuses paraphrases whose one stored word is nearly as telling ("advice" for "advice to people starting
# out in ML"); Japanese questions are left out, as above.
LONE_WORD_MIN_IDF_RATIO: Final = 0.8
# A term written in several tokens (a glossary translation, a Japanese word's bigrams) matches only where
# they stand close, in any order, with at most this many tokens between each ("country of geniuses" has
# "of" between, "research on interpretability" is "interpretability research").
RUN_GAP_TOKENS: Final = 2
# A Japanese question of three words or more reaches English passages through translations, each of
# which may be an everyday word ("model", "spread"); a passage without the topic's most telling word
# must hold this much of the rest, or it is not about the topic (電池のエネルギー密度 is not answered by
# "talent density"). English questions are left out: there the rarest word is often the asker's own
# paraphrase, and requiring it refuses good answers.
JA_WITHOUT_TELLING_MIN_SHARE: Final = 0.3
# Term density saturates like bm25's term frequency: eight topic tokens per token of passage is "full".
DENSITY_SATURATION: Final = 8.0

# --- attribution: whose words, for the asked speaker
# The asked speaker's own labelled words, against notes about them and unlabelled transcript turns.
ASKED_SPEAKER: Final = 1.6
# Any labelled speaker when nobody was asked for.
ANY_SPEAKER: Final = 1.0
# With nobody asked for, a note statement reads as well as a quote; unlabelled transcript text a little less.
NOTE_UNASKED: Final = 1.0
UNLABELLED_UNASKED: Final = 0.9
# A note that names the asked speaker, or is about an episode they were a guest on: worth showing,
# never as their words, and below their own words.
NOTE_ABOUT_SPEAKER: Final = 0.75
# An all-question paragraph of an unlabelled interview is the host's turn: kept only as a last resort.
HOST_QUESTION: Final = 0.3
# Unlabelled words of an interview the asked speaker was a guest on: theirs, marked unverified.
GUEST_UNLABELLED: Final = 1.0
# Unlabelled words of an interview with several guests: worth showing for any of them, as nobody's words.
SHARED_UNLABELLED: Final = 0.6

# --- what kind of passage
# Verbatim words over a note's summary of them.
QUOTE: Final = 1.25
# The asker's language over a translation (a translation of the same passage is swapped in later anyway).
SAME_LANGUAGE: Final = 1.1
# A transcript's verbatim words over a note quoting the same words from memory.
VERBATIM_SOURCE: Final = 1.05
VERBATIM_FORMATS: Final = frozenset({"transcript", "quotes", "vtt", "srt", "youtube"})
# A note with no time cannot link to the moment: below a passage that can, when both match as well.
UNTIMED_NOTE: Final = 0.7
# Asked about one show: other recordings are a fallback, not the answer.
OUT_OF_SCOPE: Final = 0.5

# --- notes resolved to the transcript playing at their time
# Summaries match paraphrased questions; the transcript's words at that moment are the better answer.
RESOLVED_NOTE: Final = 1.25
# A note's time and the passage it resolves to may be this far apart (a long answer started earlier).
RESOLVE_MAX_GAP_SECONDS: Final = 180

# --- meaning (only with an embedder configured, bot/dense.py)
# The share of a candidate's score that is its closeness in meaning to the topic, the rest lexical:
# higher lets paraphrases win, and lets a passage near in meaning but off the question's names win too.
DENSE: Final = 0.4

# --- one entry per passage
# Passages of one episode further apart than this are never the same passage.
DUPLICATE_WINDOW_SECONDS: Final = 20
# Two passages of one file and language are the same only when they share this much of their words.
SAME_PASSAGE_OVERLAP: Final = 0.5
# A translation in the asker's language represents its group when it matches at least this share as well.
TRANSLATION_MATCH_SHARE: Final = 0.5
