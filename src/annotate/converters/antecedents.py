"""Which earlier mention a pronoun or bare-surname speaker refers to ("she" -> "singer Rosa
Flint", "Stanek" -> "The chief executive of Orecrest Mining, Paul Stanek").

    speaker_links(text, quotes) -> {speaker span: the span it refers to}

Read once per article, on the folded text the rules read (letters.fold_letters: "Lefèvre" is
found as "Lefevre"): the stance finder keeps a speaker's own name from being the target of
their stance, and the task writes each link as a refers_to relation.
"""

from __future__ import annotations

import bisect
import functools

from .cues import SPEECH_LEMMAS, cue_lemma
from .speakers import find_antecedent

Span = tuple[int, int]


def speaker_links(text: str, quotes: list[dict]) -> dict[Span, Span]:
    """{speaker span: the fuller earlier mention it refers to} for the quotes' speakers.

    Pronouns prefer the last person who *spoke* (a direct quote or a speech cue) over the last
    person who merely declined, planned or wanted something. A mention inside another speaker's
    span ("Paul Stanek" in "The chief executive of Orecrest Mining, Paul Stanek") is referred
    to through that span: two Speaker regions over one name would overlap, and a BIO or spaCy
    export holds only one."""
    named = sorted({tuple(q["speaker"]) for q in quotes if q.get("speaker")})
    speech = sorted({tuple(q["speaker"]) for q in quotes if q.get("speaker") and _is_speech(q)})
    spoken = set(named)
    links: dict[Span, Span] = {}
    genders: dict = {}  # per text: surname genders (mention_gender) and pronoun spans (find_antecedent)
    for sp in named:
        ante = (find_antecedent(text, sp, speech, fallback=False, cache=genders)
                or find_antecedent(text, sp, named, cache=genders))
        if ante and ante not in spoken:
            ante = _overlapping(named, ante) or ante
        if ante and ante != sp:
            links[sp] = ante
    return links


def _is_speech(quote: dict) -> bool:
    """A quote whose speaker said or evaluated something (not one who merely planned or declined)."""
    return _speech_cue(quote.get("cue", "direct"))


@functools.lru_cache(maxsize=4096)
def _speech_cue(cue: str) -> bool:
    """_is_speech of a quote's cue (a few hundred distinct cues: each read once)."""
    if cue in ("direct", "according to"):
        return True
    lemma = cue.split("/")[0]
    return lemma in SPEECH_LEMMAS or "object" in cue_lemma(lemma)[1]


def _overlapping(spans: list[Span], span: Span) -> Span | None:
    """The first of the sorted `spans` found to overlap `span`, looking back from its end."""
    i = bisect.bisect_left(spans, (span[1],))  # the spans that start before `span` ends
    for k in range(i - 1, max(-1, i - 9), -1):  # (speaker spans seldom nest: a few steps back will do)
        if spans[k][1] > span[0]:
            return spans[k]
    return None
