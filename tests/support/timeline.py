"""Three dated episodes (in files whose names sort in another order than their dates), one undated,
and one where only the host speaks of the topic: the fixture for timelines on every layer."""

from __future__ import annotations


def _transcript(title: str, episode: int, date: str | None, video: str, turns: str) -> str:
    dated = f"date: {date}\n" if date else ""
    return (
        f"---\ntitle: {title}\nshow: Example Podcast\nepisode: {episode}\n{dated}youtube: {video}\n"
        f"speakers: [Hannah Host, Dario Amodei]\n---\n{turns}"
    )


EPISODES = {
    # Named so that the files sort 2025, 2023, undated, 2024: the order of the answer is the dates'.
    "a-latest.txt": _transcript("Compute and energy", 3, "2025-06-01", "CCCCCCCCCC3", (
        "Hannah Host (00:00:05) Scaling, scaling, scaling: is scaling over? Everyone asks me about scaling.\n"
        "Dario Amodei (00:00:12) By now scaling laws hold, but the bottleneck for scaling is energy and chips.\n"
        "Hannah Host (00:01:00) Thanks for coming on.\n"
    )),
    "b-earliest.txt": _transcript("Early days", 1, "2023-03-01", "AAAAAAAAAA1", (
        "Hannah Host (00:00:05) How do you think about the future of models?\n"
        "Dario Amodei (00:01:12) Back then I thought scaling would keep working for a few more years.\n"
        "Hannah Host (00:02:00) Interesting, thank you.\n"
    )),
    "c-no-date.txt": _transcript("A conversation", 9, None, "DDDDDDDDDD4", (
        "Hannah Host (00:00:05) What do you keep coming back to?\n"
        "Dario Amodei (00:03:00) Scaling is the one idea I keep coming back to.\n"
        "Hannah Host (00:04:00) Thank you.\n"
    )),
    "d-middle.txt": _transcript("Surprises", 2, "2024-09-15", "BBBBBBBBBB2", (
        "Hannah Host (00:00:05) What surprised you this year?\n"
        "Dario Amodei (00:02:00) Scaling surprised me again; I now expect scaling to reach expert level.\n"
        "Hannah Host (00:03:00) Thank you.\n"
    )),
    # Only the host talks about scaling here: no passage of this episode is Dario's view.
    "e-host-only.txt": _transcript("Host monologue", 4, "2022-01-01", "EEEEEEEEEE5", (
        "Dario Amodei (00:00:05) I would rather talk about interpretability.\n"
        "Hannah Host (00:01:00) Fair enough. Next week I want to talk about scaling and why scaling matters.\n"
        "Hannah Host (00:02:00) Thanks for listening.\n"
    )),
}
