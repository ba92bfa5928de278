"""Understanding a question: speaker and topic in English and Japanese, chat syntax left out."""

from __future__ import annotations

from bot.models import Speaker
from bot.query import parse_question
from bot.shows import Show, ShowDirectory
from bot.speakers import SpeakerDirectory


def _directory() -> SpeakerDirectory:
    return SpeakerDirectory(
        [Speaker(name="Dario Amodei", aliases=["Dario", "Amodei", "ダリオ", "アモデイ"])], ["Chris Olah"]
    )


def test_question_forms() -> None:
    """English and Japanese phrasings all yield speaker and topic."""
    speakers = _directory()
    cases = {
        "what did Amodei say about talent density?": ("Dario Amodei", "talent density"),
        "What does Dario think of scaling laws": ("Dario Amodei", "scaling laws"),
        "Amodei on export controls": ("Dario Amodei", "export controls"),
        "talent density": (None, "talent density"),
        "アモデイはタレント密度について何と言った？": ("Dario Amodei", "タレント密度"),
        "タレント密度について": (None, "タレント密度"),
        "quotes from Olah about neurons": ("Chris Olah", "neurons"),
        "what is Dario's view on China?": ("Dario Amodei", "China"),
    }
    for question, expected in cases.items():
        parsed = parse_question(question, speakers)
        assert (parsed.speaker, parsed.topic) == expected, question
    assert parse_question("アモデイはタレント密度について何と言った？", speakers).language == "ja"
    unknown = parse_question("what did Elon Musk say about rockets?", speakers)
    assert unknown.speaker is None and unknown.unknown_speaker == "Elon Musk"


def test_what_was_said_is_no_speaker_and_latin_names_before_kana() -> None:
    speakers = SpeakerDirectory([], ["Mara Velden"])
    generic = parse_question("what was said about scaling?", speakers)
    assert (generic.speaker, generic.unknown_speaker, generic.topic) == (None, None, "scaling")
    japanese = parse_question("Mara Veldenは翡翠について何と言っていましたか？", speakers)
    assert (japanese.speaker, japanese.topic) == ("Mara Velden", "翡翠")


def test_chat_mention_syntax_is_not_part_of_the_topic() -> None:
    speakers = SpeakerDirectory([Speaker(name="Dario Amodei", aliases=["Amodei"])])
    parsed = parse_question("@everyone <@&712345678901234567> <!channel> what did Amodei say about scaling?", speakers)
    assert (parsed.speaker, parsed.topic) == ("Dario Amodei", "scaling")


def test_greetings_fillers_emoji_and_markup_reach_neither_speaker_nor_topic() -> None:
    """Questions as people type them in chat: the words around the question are not the question."""
    speakers = _directory()
    english = [
        "hey, what did Amodei say about talent density?",
        "Quick question: what did Amodei say about talent density?",
        "so um what did Amodei say about talent density?",
        "@saidbot what did Amodei say about talent density?",
        ":fire: what did Amodei say about talent density? :pray:",
        ":thumbsup::skin-tone-2: what did Amodei say about talent density?",
        "🔥 what did Amodei say about talent density? 🙏",
        "could you tell me what Amodei said about **talent density**, please? thanks!",
        "I wonder what Amodei said about \"tal\u200bent density\"",
        "Hi there! Can you tell me what Amodei thinks about `talent density`? Thank you",
        "hiii quick q: what did Amodei say about talent density?",
        "lol what did Amodei say about talent density",
        "hey saidbot, what did Amodei say about talent density?",
    ]
    for question in english:
        parsed = parse_question(question, speakers)
        assert (parsed.speaker, parsed.unknown_speaker, parsed.topic) == ("Dario Amodei", None, "talent density"), (
            question
        )
    japanese = [
        "ねえ、アモデイはタレント密度について何と言った？",
        "あの、ちょっと聞きたいんだけど、アモデイはタレント密度について何と言った？",
        "アモデイはタレント密度について何と言った？教えて、お願いします",
        "えっと、アモデイはタレ\u200bント密度について何と言った？🙏",
    ]
    for question in japanese:
        parsed = parse_question(question, speakers)
        assert (parsed.speaker, parsed.topic, parsed.language) == ("Dario Amodei", "タレント密度", "ja"), question


def test_filler_words_inside_other_words_are_kept() -> None:
    speakers = _directory()
    assert parse_question("hiring", speakers).topic == "hiring"
    assert parse_question("well known risks", speakers).topic == "well known risks"
    assert parse_question("well, Amodei on hiring", speakers).topic == "hiring"
    assert parse_question("あの人について", speakers).topic == "あの人"
    assert parse_question("well-being of researchers", speakers).topic == "well-being of researchers"
    assert parse_question("so-called scaling laws", speakers).topic == "so-called scaling laws"
    assert parse_question("Amodei on 1:38:25 talent", speakers).topic == "1:38:25 talent"
    # A message that is nothing but politeness is left for the help text, not emptied into a topic.
    assert parse_question("thanks", speakers).topic == "thanks"


def test_speaker_option_with_a_bare_question_keeps_the_whole_question_as_topic() -> None:
    """/ask question:"Chris Olah interpretability" speaker:"Dario Amodei": Olah is what Dario talks about."""
    speakers = _directory()
    cases = {
        ("Chris Olah", "Dario Amodei"): "Chris Olah",
        ("Chris Olah interpretability", "Dario"): "Chris Olah interpretability",
        ("Olah on neurons", "Amodei"): "Olah on neurons",
        ("what did Olah say about neurons?", "Dario Amodei"): "Olah neurons",
        ("what did Elon Musk say about rockets?", "Dario Amodei"): "Elon Musk rockets",
        ("what did he say about rockets?", "Dario Amodei"): "rockets",
        ("クリス・オラーの解釈可能性", "ダリオ"): "クリス・オラーの解釈可能性",
    }
    japanese_speakers = SpeakerDirectory(
        [Speaker(name="Dario Amodei", aliases=["Dario", "Amodei", "ダリオ"]),
         Speaker(name="Chris Olah", aliases=["Olah", "クリス・オラー"])]
    )
    for (question, option), topic in cases.items():
        parsed = parse_question(question, japanese_speakers if "オラー" in question else speakers, speaker=option)
        assert (parsed.speaker, parsed.topic) == ("Dario Amodei", topic), question
    # Naming the same person as the option is still "what did they say about X".
    assert parse_question("Dario on talent density", speakers, speaker="Dario Amodei").topic == "talent density"
    assert parse_question("アモデイはタレント密度について", speakers, speaker="ダリオ").topic == "タレント密度"


def _shows() -> ShowDirectory:
    return ShowDirectory([Show(name="Turing Post", kind="commentary"), Show(name="Lex Fridman", hosts=("Lex Fridman",))])


def test_a_show_or_its_critic_as_who_speaks() -> None:
    """"what did the Turing Post critic say about Amodei?": the show speaks, Amodei is the topic."""
    speakers, shows = _directory(), _shows()
    cases = {
        "what did the Turing Post critic say about Amodei?": "Amodei",
        "what does Turing Post think of Dario's essay?": "Dario's essay",
        "hey, what did Turing Post's hosts say about scaling?": "scaling",
        "Turing Post on Amodei": "Amodei",
        "Turing Postの批評家はアモデイについて何と言った？": "アモデイ",
        "Turing Postはダリオのエッセイをどう見ている？": "ダリオのエッセイ",
        "Turing Postの解説では、継続学習をめぐるやり取りをどう整理していた？": "継続学習をめぐるやり取り",
        "Turing Postによると、ダリオのエッセイの弱点は？": "ダリオのエッセイの弱点",
        # The show named after the topic, as Japanese often puts it, or last.
        "ダリオのエッセイについてTuring Postの批評家はどう見ている？": "ダリオのエッセイ",
        "ダリオのエッセイについてのTuring Postの批評": "ダリオのエッセイ",
    }
    for question, topic in cases.items():
        parsed = parse_question(question, speakers, shows=shows)
        assert (parsed.speaker, parsed.unknown_speaker, parsed.topic) == (None, None, topic), question
        assert (parsed.show, parsed.show_is_subject) == ("Turing Post", True), question
    # A show named as where, not who, still only scopes the question.
    scoped = parse_question("what did Dario say about scaling on the Turing Post channel?", speakers, shows=shows)
    assert (scoped.speaker, scoped.show, scoped.show_is_subject) == ("Dario Amodei", "Turing Post", False)
    # Someone the notes do not know is still unknown, not a show.
    assert parse_question("what did the Turing critic say about Amodei?", speakers, shows=shows).unknown_speaker
    # A host named as who speaks is the person, not his show.
    with_lex = SpeakerDirectory([Speaker(name="Lex Fridman", aliases=["レックス"])], ["Dario Amodei"])
    host = parse_question("スケーリングについてレックスは何と言った？", with_lex, shows=shows)
    assert (host.speaker, host.show_is_subject) == ("Lex Fridman", False)



def test_a_katakana_name_is_read_whole_in_a_spelling_no_list_holds() -> None:
    """クリス・オラ where only クリス and クリス・オラー are listed: the rest of the dotted name is not the topic."""
    speakers = SpeakerDirectory([
        Speaker(name="Chris Olah", aliases=["Olah", "クリス", "クリス・オラー"]),
        Speaker(name="Varun Mohan", aliases=["ヴァルン"]),
    ])
    cases = {
        "クリス・オラの重ね合わせ仮説の話": ("Chris Olah", "重ね合わせ仮説"),
        "ヴァルン・モハンはリモートワークについてどう言っている？": ("Varun Mohan", "リモートワーク"),
        "クリス・オラーは解釈可能性について何と言った？": ("Chris Olah", "解釈可能性"),
        # Without the middle dot the listed spelling is still the whole name.
        "クリスオラーの解釈可能性についての考え": ("Chris Olah", "解釈可能性"),
    }
    for question, expected in cases.items():
        parsed = parse_question(question, speakers)
        assert (parsed.speaker, parsed.topic) == expected, question


def test_words_around_the_name_are_not_the_name() -> None:
    """An adverb before the verb, a show named first with a comma, the guests named in a clause, a description."""
    speakers = SpeakerDirectory(
        [Speaker(name="Dario Amodei", aliases=["Dario", "Amodei"])], ["Chris Olah", "Nathan Lambert", "Sebastian Raschka"]
    )
    shows = ShowDirectory([Show(name="Lex Fridman", aliases=("Lex Fridman Podcast",), hosts=("Lex Fridman",))])
    cases = {
        "Did Chris Olah ever talk about sparse networks?": ("Chris Olah", "sparse networks", None),
        "what has Dario actually said about export controls?": ("Dario Amodei", "export controls", None),
        "on the Lex Fridman podcast, what did Dario say about talent?": ("Dario Amodei", "talent", "Lex Fridman"),
        "In the Lex Fridman episode with Nathan Lambert and Sebastian Raschka, what did they say about scaling laws?":
            (None, "scaling laws", "Lex Fridman"),
        "In the Lex Fridman episode with Nathan Lambert, what did he say about scaling laws?":
            ("Nathan Lambert", "scaling laws", "Lex Fridman"),
        "what's the Windsurf founder's view on hiring?": (None, "hiring", None),
        # "the host" of no show named describes somebody; it is no name to report as unknown.
        "why does the host object to sci-fi references?": (None, "sci-fi references", None),
    }
    for question, (speaker, topic, show) in cases.items():
        parsed = parse_question(question, speakers, shows=shows)
        assert (parsed.speaker, parsed.topic, parsed.show) == (speaker, topic, show), question
        assert parsed.unknown_speaker is None, question
    # A name nobody knows is still reported as such.
    assert parse_question("what did Elon Musk ever say about rockets?", speakers).unknown_speaker == "Elon Musk"


def test_a_show_as_who_speaks_with_verbs_that_take_their_topic_directly() -> None:
    speakers = SpeakerDirectory([Speaker(name="Dario Amodei", aliases=["Dario", "Amodei"])])
    shows = ShowDirectory([Show(name="Turing Post", kind="commentary")])
    cases = {
        "What's the Turing Post view on Dario's proposed fixes?": ("Turing Post", "Dario's proposed fixes"),
        "Why does the Turing Post host object to the sci-fi references in Amodei's essay?":
            ("Turing Post", "sci-fi references in Amodei's essay"),
        "how did Turing Post describe Dario's answer about the video editor?":
            ("Turing Post", "Dario's answer about the video editor"),
    }
    for question, (show, topic) in cases.items():
        parsed = parse_question(question, speakers, shows=shows)
        assert (parsed.show, parsed.show_is_subject, parsed.topic, parsed.speaker) == (show, True, topic, None), question
    responded = parse_question("how did Dario respond to the study on developers?", speakers, shows=shows)
    assert (responded.speaker, responded.topic) == ("Dario Amodei", "study on developers")
    viewed = parse_question("How does Amodei view export controls?", speakers, shows=shows)
    assert (viewed.speaker, viewed.topic) == ("Dario Amodei", "export controls")


def test_pointing_at_a_moment_and_japanese_verbs_of_explaining_are_not_the_topic() -> None:
    speakers = _directory()
    parsed = parse_question("the part where Amodei explains why fast hiring hurts", speakers)
    assert (parsed.speaker, parsed.topic) == ("Dario Amodei", "why fast hiring hurts")
    for question in ("アモデイは採用の速さについてどう説明していた？", "採用の速さについて、アモデイはどう見ている？"):
        parsed = parse_question(question, speakers)
        assert (parsed.speaker, parsed.topic) == ("Dario Amodei", "採用の速さ"), question


def test_what_is_left_around_a_taken_out_name_is_not_the_topic() -> None:
    speakers = SpeakerDirectory(
        [Speaker(name="Dario Amodei", aliases=["Amodei", "ダリオ"]), Speaker(name="Sebastian Raschka", aliases=["Raschka"])],
        ["Chris Olah", "Amanda Askell"],
    )
    shows = ShowDirectory([Show(name="Lex Fridman", aliases=("Lex Fridman Podcast",), hosts=("Lex Fridman",))])
    cases = {
        "which lab did Dario say was ahead?": ("Dario Amodei", "which lab was ahead"),
        "is Dario worried about China?": ("Dario Amodei", "worried about China"),
        "according to Dario, when will AGI arrive?": ("Dario Amodei", "AGI arrive"),
        "did Amanda Askell discuss Claude's character?": ("Amanda Askell", "Claude's character"),
        "Amodei talking about talent density": ("Dario Amodei", "talent density"),
        # "superposition" keeps its "position".
        "thoughts from Chris Olah on superposition": ("Chris Olah", "superposition"),
        "tell me about Dario's view on AGI timelines": ("Dario Amodei", "AGI timelines"),
        # A configured speaker's first name works as a learnt one's does.
        "Will programmers lose their jobs to AI, in Sebastian's view?": ("Sebastian Raschka",
                                                                          "programmers lose their jobs to AI"),
        "ダリオによると、AGIはいつ来る？": ("Dario Amodei", "AGIはいつ来る"),
    }
    for question, expected in cases.items():
        parsed = parse_question(question, speakers, shows=shows)
        assert (parsed.speaker, parsed.topic) == expected, question


def test_a_hosts_guests_are_the_show_not_the_host() -> None:
    speakers = SpeakerDirectory([], ["Lex Fridman"])
    shows = ShowDirectory([Show(name="Lex Fridman", hosts=("Lex Fridman",))])
    for question in ("what do Lex Fridman's guests think about open source?",
                     "which model did Lex Fridman's guests prefer for open source?"):
        parsed = parse_question(question, speakers, shows=shows)
        assert (parsed.speaker, parsed.show) == (None, "Lex Fridman"), question
        assert "open source" in parsed.topic and "guest" not in parsed.topic, question


def test_a_question_asking_who_said_something_has_nobody_named_as_the_speaker() -> None:
    """"who argued …" and "the critic who …" ask for the speaker: Dario named inside is what was said about."""
    speakers = _directory()
    cases = {
        "who argued that the fixes Dario proposes are far too mild?": "fixes Dario proposes are far too mild",
        "the critic who complained that Dario's essay is all sci-fi": "critic complained that Dario's essay is all sci-fi",
        "so who said talent density matters?": "talent density matters",
        "has anyone mentioned talent density?": "talent density",
    }
    for question, topic in cases.items():
        parsed = parse_question(question, speakers)
        assert (parsed.speaker, parsed.unknown_speaker, parsed.topic) == (None, None, topic), question
    # "who did Dario say …" asks Dario about somebody.
    assert parse_question("who did Dario say was ahead?", speakers).speaker == "Dario Amodei"
    # With the speaker given as an option, the option still says whose words.
    assert parse_question("who argued scaling is over", speakers, speaker="Chris Olah").speaker == "Chris Olah"


def test_colloquial_tte_marks_the_topic_only_before_a_question() -> None:
    """"Xって、どう思う？" ends the topic at って; in "法則を使って、AIが…" the って is a verb's and the topic goes on."""
    speakers = _directory()
    assert parse_question("タレント密度って、どう思う？", speakers).topic == "タレント密度"
    long = parse_question("アモデイがスケーリング則を使って、AIの進歩を説明したところ", speakers)
    assert long.speaker == "Dario Amodei" and "AIの進歩" in long.topic


def test_chat_spellings_of_the_question_words_are_read_as_the_words() -> None:
    speakers = _directory()
    for question in ("what'd Amodei say re: talent density??", "hey what did Amodei say abt talent density",
                     "gimme what Amodei said about talent density", "show me quotes from Amodei about talent density",
                     "any quotes from Amodei on talent density?", "what's Amodei's opinion of talent density lol",
                     "did Amodei mention talent density at all", "what did Amodei say wrt talent density tbh",
                     "whats Amodeis take on talent density", "Amodei's thoughts re talent density",
                     "Amodei ever mention talent density?", "what was said about talent density by Amodei",
                     "talent density — Amodei's view?", "what do you have on Amodei and talent density",
                     "in Amodei's words, talent density", "idk what Amodei said about talent density fyi",
                     "btw what did Amodei say about talent density rn", "ngl what did Amodei say on talent density",
                     "hey guys, what did Amodei say about talent density again?",
                     "question: what did Amodei say about talent density or something"):
        parsed = parse_question(question, speakers)
        assert (parsed.speaker, parsed.unknown_speaker, parsed.topic) == ("Dario Amodei", None, "talent density"), (
            question, parsed
        )
    # Only whole words: "abtract" is not "about", nor the conference re:Invent.
    assert parse_question("abtract re:Invent", speakers).topic == "abtract re:Invent"


def test_a_description_only_one_speaker_answers_to_is_that_speaker() -> None:
    speakers = SpeakerDirectory([
        Speaker(name="Mara Velden", roles=["Jadeworks founder", "CEO of Jadeworks", "Acme cofounder"]),
        Speaker(name="Ivo Brandt", roles=["Acme cofounder"]),
    ])
    for question in ("what did the Jadeworks founder say about jade?", "what's the Jadeworks founder's take on jade",
                     "the CEO of Jadeworks on jade", "what does Jadeworks's founder think about jade?"):
        parsed = parse_question(question, speakers)
        assert (parsed.speaker, parsed.unknown_speaker, parsed.topic) == ("Mara Velden", None, "jade"), question
    # Two people answer to it: nobody in particular, and no "I don't know anyone called …" either.
    shared = parse_question("what did the Acme cofounder say about jade?", speakers)
    assert (shared.speaker, shared.unknown_speaker, shared.topic) == (None, None, "jade")
    # A description is never looked for as a name inside a topic.
    assert speakers.find("the jadeworks founder") is None and not speakers.names_word("jadeworks")


def test_japanese_honorifics_and_verbs_of_saying_after_a_name_are_not_the_topic() -> None:
    speakers = _directory()
    for question in ("アモデイさんはタレント密度についてどう思ってる？", "アモデイ氏はタレント密度について何と言った？",
                     "アモデイが言ってたタレント密度の話", "アモデイ先生のタレント密度の話を教えて"):
        parsed = parse_question(question, speakers)
        assert (parsed.speaker, parsed.topic) == ("Dario Amodei", "タレント密度"), (question, parsed.topic)


def test_what_a_show_puts_out_named_after_it_is_the_show_speaking() -> None:
    speakers, shows = _directory(), _shows()
    for question in ("the turing post rant abt Amodei's essay", "Turing Post's take on Amodei's essay",
                     "the Turing Post breakdown of Amodei's essay"):
        parsed = parse_question(question, speakers, shows=shows)
        assert (parsed.show, parsed.show_is_subject, parsed.speaker, parsed.topic) == (
            "Turing Post", True, None, "Amodei's essay"), question
    scoped = parse_question("in the Turing Post breakdown, how did they describe the essay?", speakers, shows=shows)
    assert (scoped.show, scoped.speaker, scoped.topic) == ("Turing Post", None, "essay")
    japanese = parse_question("Turing Postの解説だと、アモデイのエッセイがダメな理由ってなんなの？", speakers, shows=shows)
    assert (japanese.show, japanese.show_is_subject, japanese.topic) == ("Turing Post", True, "アモデイのエッセイがダメな理由")


def test_a_description_inside_a_question_is_its_one_speaker() -> None:
    speakers = SpeakerDirectory([Speaker(name="Mara Velden", roles=["Jadeworks CEO"])])
    parsed = parse_question("what does the Jadeworks CEO look for in new hires", speakers)
    assert (parsed.speaker, parsed.topic) == ("Mara Velden", "look for in new hires")
    assert speakers.find_role("is Jadeworks's CEO right?") == ("Mara Velden", 3, 18)
    assert speakers.find_role("the jadeworks office") is None


def test_a_japanese_filler_may_open_the_question_too() -> None:
    parsed = parse_question("教えて、アモデイはタレント密度について何と言った？", _directory())
    assert (parsed.speaker, parsed.topic) == ("Dario Amodei", "タレント密度")


def test_a_colloquial_topic_marker_before_a_filler_and_a_question_word_ends_the_topic() -> None:
    parsed = parse_question("アモデイが言ってた「タレント密度」って結局どういう意味？", _directory())
    assert (parsed.speaker, parsed.topic) == ("Dario Amodei", "タレント密度")


def test_a_show_or_a_person_named_first_before_a_comma() -> None:
    speakers, shows = _directory(), _shows()
    show_first = parse_question("Turing Post, what did they think of Amodei's essay?", speakers, shows=shows)
    assert (show_first.show, show_first.show_is_subject, show_first.speaker, show_first.topic) == (
        "Turing Post", True, None, "Amodei's essay")
    person_first = parse_question("Amodei, what did he say about talent density?", speakers, shows=shows)
    assert (person_first.speaker, person_first.unknown_speaker, person_first.topic) == (
        "Dario Amodei", None, "talent density")
    assert parse_question("Amodei, any thoughts on talent density?", speakers).topic == "talent density"


def test_chatter_before_a_question_is_neither_the_speaker_nor_the_topic() -> None:
    """Openers no filler table lists still give way to the question: after a break (comma, colon, dash,
    ellipsis, "and"/"but") or at a question word, in English and Japanese."""
    speakers = _directory()
    for question in ("saw a clip earlier and what did Amodei say about talent density",
                     "not sure this is the right channel but what did Amodei say about talent density?",
                     "ok this is bugging me... Amodei on talent density",
                     "for my newsletter, what does Amodei think about talent density",
                     "brb in 5 - what did Amodei say about talent density",
                     "heyo what did Amodei say about talent density",
                     "gm Dario on talent density", "Q: Amodei on talent density",
                     "hello friends :) what did Amodei say about talent density",
                     "heyyy, Amodei on talent density", "sooo what did Amodei say about talent density",
                     "hmmm ok Amodei on talent density", "hey there, Amodei on talent density",
                     "hi there what did Amodei say about talent density"):
        parsed = parse_question(question, speakers)
        assert (parsed.speaker, parsed.unknown_speaker, parsed.topic) == ("Dario Amodei", None, "talent density"), (
            question, parsed
        )
    for question in ("急にごめん、アモデイはタレント密度について何と言った？", "こんばんは！アモデイはタレント密度について何と言った？",
                     "ちょっと質問アモデイはタレント密度について何と言った？", "お疲れ様です。アモデイはタレント密度について何と言った？",
                     "アモデイはタレント密度について何と言った？笑", "アモデイはタレント密度について何と言った？(´・ω・`)",
                     "ねえbot、アモデイはタレント密度について何と言った？", "聞いてもいいアモデイはタレント密度について何と言った？"):
        parsed = parse_question(question, speakers)
        assert (parsed.speaker, parsed.topic) == ("Dario Amodei", "タレント密度"), (question, parsed)
    # Before a question naming nobody, words that talk about asking are chatter; a topic before a colon is not.
    assert parse_question("sorry if this was asked already, who said talent density beats talent mass",
                          speakers).topic == "talent density beats talent mass"
    assert parse_question("talent density: who said it beats talent mass", speakers).topic.startswith("talent density")
    # A question naming nobody loses a remark after it too.
    assert parse_question("talent density you're the best", speakers).topic == "talent density"
    # A greeting of two words goes whole, not as a drawn-out "hey" with "there" left for the topic.
    assert parse_question("hey there, talent density", speakers).topic == "talent density"
    # A Japanese question naming nobody loses its chatter too (its breaks are chatter's own).
    assert parse_question("Botさん、継続学習について", speakers).topic == "継続学習"


def test_words_that_belong_to_the_question_are_not_taken_for_chatter() -> None:
    speakers = _directory()
    cases = {
        # A question word inside the question is not where it starts.
        "What traits does Dario look for in researchers": "What traits does look for in researchers",
        # A first sentence asking the topic, then who: one question.
        "are AI labs actually profitable? Dario on margins": "AI labs actually profitable? on margins",
        # A phrase setting the topic, and names, are not chatter.
        "Beyond raw technical chops, what traits does Dario want": "Beyond raw technical chops, what traits does want",
        "rules vs principles in Claude's constitution — what's Dario's take?":
            "rules vs principles in Claude's constitution — what's",
        # In Japanese a topic stands before the comma.
        "採用を急ぎすぎると組織がどうなるか、アモデイは何か言ってた": "採用を急ぎすぎると組織がどうなるか、 何",
        "テネシー州の、AIを感情的な支えに使うことを禁じる法律についてダリオはどう思ってる？":
            "テネシー州の、AIを感情的な支えに使うことを禁じる法律",
    }
    for question, topic in cases.items():
        parsed = parse_question(question, speakers)
        assert (parsed.speaker, parsed.topic) == ("Dario Amodei", topic), (question, parsed)
    # Without anybody asked about, the words before "who" describe them.
    assert parse_question("the critic who complained that Dario's essay is all sci-fi", speakers).topic == (
        "critic complained that Dario's essay is all sci-fi"
    )
    # A trailing hashtag or face goes; a parenthesis with words in it stays.
    assert parse_question("Amodei on talent density #help", speakers).topic == "talent density"
    assert parse_question("Amodei on talent density #7", speakers).topic == "talent density #7"
    assert parse_question("Amodei on RSP (responsible scaling)", speakers).topic.startswith("RSP (responsible scaling")


def test_a_remark_after_the_question_is_not_the_topic() -> None:
    speakers = _directory()
    for question in ("what did Amodei say about talent density i think it was a recent ep",
                     "what did Amodei say about talent density or did I dream that",
                     "Amodei on talent density, if it's not too much trouble",
                     "what did Amodei say about talent density you're the best",
                     "what did Amodei say about talent density? no rush :D",
                     "Amodei on talent density whenever you get a chance",
                     "what did Amodei say about talent density i swear they talked about it",
                     "Amodei on talent density (if anything at all)", "Amodei on talent density thoughts?"):
        parsed = parse_question(question, speakers)
        assert (parsed.speaker, parsed.topic) == ("Dario Amodei", "talent density"), (question, parsed)
    # More of the topic stays: an alternative, a condition on it, a named thing.
    for question, topic in {"what did Amodei say about AGI or superintelligence": "AGI or superintelligence",
                            "what would Amodei do if AI gets there first": "do if AI gets there first",
                            "what should I solve, per Amodei": "what should I solve",
                            "why won't Amodei buy more compute if it's so sure": "why won't buy more compute if it's so sure",
                            "how fast has Amodei's revenue been growing": "how fast has revenue been growing"}.items():
        assert parse_question(question, speakers).topic == topic, question


def test_a_message_of_nothing_but_chatter_is_read_in_bounded_passes() -> None:
    speakers = _directory()
    assert parse_question("thanks " * 1000, speakers).topic.startswith("thanks")
    assert parse_question("what did Amodei say about talent density " + ":) " * 500, speakers).topic == (
        "talent density"
    )
