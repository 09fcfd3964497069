"""Speed rewrites of the mention, stance and task stages that must find exactly what they did.

- stance._SENTENCE_END opens with its punctuation and checks what precedes a dot after it: the
  look-behind-first spelling it had ran nine look-behinds at every position of a quote.
- stance._LEAD_VERB is one prefix-factored alternation of the verbs it had listed one by one, and
  _lead_in finds its last match before a quote by reading the window reversed (_last_lead_verb).
- tasks: the task line writes a quote's or stance's text once for its labels and its choices
  items, and each distinct score once; the line must still be `dumps` of the task.
"""

from __future__ import annotations

import json
import random
import re

from annotate.converters import stance
from annotate.converters.tasks import build_line, build_task
from annotate.io import dumps

_TITLES = ("Mr", "Ms", "Dr", "St", "Sen", "Gov", "Rep", "Gen")
# The spelling _SENTENCE_END had before: the checks of what precedes the dot, then the dot.
_SENTENCE_END_REFERENCE = re.compile(
    r"(?:[!?…]|(?<![A-Z])(?<!\bMrs)" + "".join(rf"(?<!\b{t})" for t in _TITLES) + r"\.)(?=[\s\"”’')]|$)")
_LEAD_VERBS = """knocked criticized criticised slammed blasted attacked praised hailed lauded mocked ripped
denounced condemned rebuked chided scolded lambasted derided applauded defended accused commended
dismissed disparaged excoriated berated assailed castigated""".split()
_LEAD_VERB_REFERENCE = re.compile(r"\b(?:" + "|".join(_LEAD_VERBS) + r")\s")


def _spans(regex: re.Pattern, text: str, pos: int = 0, endpos: int | None = None) -> list[tuple[int, int]]:
    return [m.span() for m in regex.finditer(text, pos, len(text) if endpos is None else endpos)]


def test_sentence_end_skips_titles_initials_and_acronyms():
    text = "Mr. Smith met Sen. Jones and Mrs. Lee in the U.S. on Friday. Did he leave? Yes!"
    ends = [text[s:e] + "@" + str(s) for s, e in _spans(stance._SENTENCE_END, text)]
    # "Mr.", "Sen.", "Mrs." are titles; "U.S." is an acronym (its dots follow capitals); the dot
    # after "Friday", the question mark and the exclamation mark end sentences
    assert ends == [f".@{text.index('Friday') + 6}", f"?@{text.index('?')}", f"!@{len(text) - 1}"]


def test_sentence_end_finds_what_the_look_behind_first_spelling_found():
    rng = random.Random(7)
    texts = ["Mr. X. Mrs. Y. A.B. Sen. Gov.\" Q. x.\nfoo.", ".", "Mr.", "aMr. ", "St.’", "Rep.)", "U.S. ", "…",
             "Dr.Mrs.", "xSen. y", "the Gen. said. “It is.” (He did.)"]
    texts += ["".join(rng.choice("MrsSenGovDtRp .A!?…\"”’')\nxX") for _ in range(40)) for _ in range(3000)]
    for text in texts:
        assert _spans(stance._SENTENCE_END, text) == _spans(_SENTENCE_END_REFERENCE, text), text
        for pos in range(0, min(len(text), 12)):  # searched from inside a text, as the stance rules do
            end = max(pos, len(text) - 3)
            assert _spans(stance._SENTENCE_END, text, pos, end) == _spans(_SENTENCE_END_REFERENCE, text, pos, end)


def test_lead_verbs_are_the_listed_verbs_and_only_whole_words():
    low = "he knocked it. she praisedx it, they hailed\nthe plan and unhailed it; criticised them"
    found = [low[s:e] for s, e in _spans(stance._LEAD_VERB, low)]
    assert found == ["knocked ", "hailed\n", "criticised "]
    rng = random.Random(3)
    words = _LEAD_VERBS + ["knock", "hail", "praise", "ripped-off", "x", "attack"]
    for _ in range(500):
        text = "".join(rng.choice(words) + rng.choice([" ", "\n", "", "-", ".", "  "]) for _ in range(30))
        assert _spans(stance._LEAD_VERB, text) == _spans(_LEAD_VERB_REFERENCE, text)


def test_the_backward_lead_verb_search_finds_the_last_forward_match():
    """stance._last_lead_verb reads the window reversed (converter 0.3.18): it must give the last
    _LEAD_VERB match that lies inside low[lo:hi], as scanning forward did."""
    rng = random.Random(11)
    words = _LEAD_VERBS + ["knock", "hail", "praise", "ripped-off", "x", "attack", "unhailed", "edged"]
    for _ in range(2000):
        text = "".join(rng.choice(words) + rng.choice([" ", "\n", "", "-", ".", "  "]) for _ in range(12))
        lo = rng.randrange(len(text))
        hi = rng.randrange(lo, len(text) + 1)
        forward = _spans(stance._LEAD_VERB, text, lo, hi)
        assert stance._last_lead_verb(text, lo, hi) == (forward[-1] if forward else None), (text, lo, hi)


def _doc(text: str, quotes: list[dict], stances: list[dict]) -> dict:
    return {"text": text, "raw": text, "doc_id": "d", "source_file": "f.txt", "title": "T", "quotes": quotes,
            "stances": stances, "targets": ["Ana Ruiz", "the plan"]}


def test_task_line_with_shared_quote_text_and_repeated_scores_is_the_task_dumped():
    text = "Ana Ruiz said: “The plan is a disgrace, a total disgrace.” She added: “Ça suffit, José.”"
    q1s, q1e = text.index("“The"), text.index("” She") + 1
    q2s, q2e = text.index("“Ça"), len(text)
    quotes = [
        {"start": q1s, "end": q1e, "quote_type": "direct", "speaker": (0, 8), "score": 0.9, "cue": "said"},
        {"start": q2s, "end": q2e, "quote_type": "direct", "speaker": (text.index("She"), text.index("She") + 3),
         "score": 0.9, "cue": "added"},
    ]
    d1 = text.index("a disgrace")
    d2 = text.index("a total disgrace")
    stances = [
        {"start": d1, "end": d1 + len("a disgrace"), "polarity": "against", "target": "the plan", "score": 0.74},
        {"start": d2, "end": d2 + len("a total disgrace"), "polarity": "against", "target": "the plan",
         "score": 0.74},
        {"start": text.index("plan"), "end": text.index("plan") + 4, "polarity": "against", "target": "the plan",
         "score": 1.0},
        {"start": q2s + 1, "end": q2s + 10, "polarity": "against", "target": "Ana Ruiz", "score": 1},
    ]
    doc = _doc(text, quotes, stances)
    line, counts = build_line(doc, "m", "0")
    task = build_task(doc, "m", "0")
    assert line == dumps(task)
    items = json.loads(line)["predictions"][0]["result"]
    # each quote and stance: a labels item and its choices items, all with the region's own text
    for item in items:
        if item["type"] != "relation":
            assert item["value"]["text"] == text[item["value"]["start"]:item["value"]["end"]]
    # a whole-number score stays a whole number beside the equal float written before it
    assert '"score":1.0,' in line and '"score":1,' in line and '"score":0.74,' in line
    assert counts.quotes == 2 and counts.stances == 4
