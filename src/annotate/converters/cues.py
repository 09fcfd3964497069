"""The cue lexicon: verbs (and a few phrases) that attribute content to a source.

Attribution in news is broader than speech: statements, beliefs, intentions, evaluations
and findings all attribute a proposition to someone ("X said/thinks/wants/criticized/found
..."). Each lemma carries the complement it needs, which keeps precision up:

- ``any``: speech verbs, anything after them is content ("said the plan failed");
- ``clause``: cognition/finding verbs, content only as a that/wh-clause or a clause
  ("knows that ...", "found the plan failed"), never a bare object ("knows him");
- ``to``: intention verbs, content only as a to-infinitive ("plans to run");
- ``object``: evaluation verbs, the object noun phrase or clause is the content
  ("criticized the plan").
"""

from __future__ import annotations

import functools
import re

from .lexicon import entries, listed, table, words

# The cue lexicon (lexicons/quotes/cue_verbs.txt): lemma -> the complements it takes.
_CUE_VERBS = entries("cue_verbs")
# Speech and writing: any complement, and they may follow their content ("..., X said").
SPEECH = [lemma for lemma, kinds in _CUE_VERBS if "any" in kinds]
# Cognition, perception of facts, findings: a clause must follow.
CLAUSE = [lemma for lemma, kinds in _CUE_VERBS if "clause" in kinds]
# Intention, desire, commitment: a to-infinitive must follow.
TO = [lemma for lemma, kinds in _CUE_VERBS if "to" in kinds]
# Evaluation and stance toward something: the object is the content.
OBJECT = [lemma for lemma, kinds in _CUE_VERBS if "object" in kinds]
# Phrasal cues: verb + particle/preposition; content is the object after it.
PHRASAL = table("phrasal_cues")
_IRREGULAR = {lemma: list(forms) for lemma, forms in table("irregular_verbs").items()}
_DOUBLE = words("doubled_verbs")


# One-syllable verbs ending consonant-vowel-consonant double it: slam -> slammed, ban -> banned.
_CVC = re.compile(r"^[^aeiou]*[aeiou][^aeiouwxy]$")


def verb_forms(lemma: str) -> list[str]:
    """The inflected forms of a verb (lemma, -s, -ed, -ing), with the usual spelling rules."""
    if lemma in _IRREGULAR:
        return [lemma, *_IRREGULAR[lemma]]
    if lemma in _DOUBLE or _CVC.search(lemma):
        return [lemma, lemma + "s", lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"]
    if lemma.endswith("y") and lemma[-2] not in "aeiou":
        return [lemma, lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"]
    if lemma.endswith("e"):
        return [lemma, lemma + "s", lemma + "d", lemma[:-1] + "ing"]
    if lemma.endswith(("s", "sh", "ch", "x", "z")):
        return [lemma, lemma + "es", lemma + "ed", lemma + "ing"]
    return [lemma, lemma + "s", lemma + "ed", lemma + "ing"]


# Attitude adjectives after "is/was/remains": "is confident that ...", "was eager to ...".
ADJECTIVES = listed("attitude_adjectives")


def _build() -> dict[str, tuple[str, set[str]]]:
    """Surface form -> (lemma, complement kinds)."""
    kinds: dict[str, set[str]] = {}
    for adj in ADJECTIVES:
        kinds[adj] = {"clause", "to", "adjective"}
    for lemma, lemma_kinds in _CUE_VERBS:
        kinds.setdefault(lemma, set()).update(lemma_kinds)
    for lemma in PHRASAL:
        kinds.setdefault(lemma, set()).add("phrasal")
    forms: dict[str, tuple[str, set[str]]] = {}
    for lemma, ks in kinds.items():
        for form in ([lemma] if "adjective" in ks else verb_forms(lemma)):
            forms.setdefault(form, (lemma, ks))
    return forms


FORMS = _build()
# Forms that are nouns or non-reporting far more often than cues ("the state", "continued to").
for _form in listed("not_cue_forms"):
    FORMS.pop(_form, None)


_TITLE_WORD = re.compile(r"(?<![\w’'-])[A-Za-z][a-z]+(?![\w’'-])")


# Any past-tense verb that takes a that-clause reports content ("X bragged that ...").
_THAT_VERB = re.compile(r"(?<![\w’'-])([a-z]{3,}ed)(?=\s+that\s)")
_NOT_THAT_VERBS = words("not_that_verbs")
# Cheap test before _THAT_VERB (a literal prefix, scanned fast): no "ed that", no that-verb.
_ED_THAT = re.compile(r"ed\s+that\s")


def word_alternation(words) -> str:
    """One regex alternation for many words, shared prefixes factored out (fast to scan);
    like a longest-first alternation, it prefers the longer of two words sharing a prefix."""
    trie: dict = {}
    for w in sorted(words):
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


# Every lowercase cue form as one word-bounded regex: scanning in C beats a dict lookup per word.
# (A-Za-z0-9_ listed besides \w: the same class, tested against a bitmap first, which is faster.)
# The characters a cue word may not touch on either side.
CUE_WORD_CHARS = r"A-Za-z0-9_\w’'-"
_CUE_WORD = re.compile(rf"(?<![{CUE_WORD_CHARS}])(?:" + word_alternation(FORMS) + rf")(?![{CUE_WORD_CHARS}])")


def find_cues(text: str, start: int, end: int, title_case: bool = False) -> list[re.Match]:
    """Cue-verb matches in text[start:end] (one regex over every cue form: fast).

    Besides the lexicon, any -ed/-s verb right before "that" counts ("X bragged that ...").
    With `title_case` (a headline such as "Senator Blasts Plan"), capitalised words count too.
    """
    if title_case:
        return [m for m in _TITLE_WORD.finditer(text, start, end) if m.group(0).lower() in FORMS]
    found = list(_CUE_WORD.finditer(text, start, end))
    if text.find(" that ", start, end) >= 0 and _ED_THAT.search(text, start, end):
        seen = {m.start() for m in found}
        extra = [m for m in _THAT_VERB.finditer(text, start, end)
                 if m.start() not in seen and m.group(1) not in _NOT_THAT_VERBS]
        if extra:
            found = sorted(found + extra, key=lambda m: m.start())
    return found


@functools.lru_cache(maxsize=4096)
def cue_lemma(word: str) -> tuple[str, set[str]]:
    """(lemma, complement kinds) of a cue word in any case; unknown that-verbs take clauses."""
    low = word.lower()
    return FORMS.get(low) or (low, {"clause"})

# Speech verbs that can follow their content or be inverted ("..., said Peskov").
SPEECH_LEMMAS = frozenset(SPEECH)
_TENSES = set(words("speech_forms"))
# Finite speech forms that attribute an adjacent direct quote ('"...," he said').
# Every finite (-s and past) form of the speech lemmas counts too ("testified", "retorted").
_TENSES |= {f for lemma in SPEECH for f in verb_forms(lemma)[1:3]} - {"states", "stated", "reasons", "reasoned"}
SPEECH_WORDS = frozenset(_TENSES)
SPEECH_RE = re.compile(r"\b(?:" + word_alternation(_TENSES) + r")\b")

# Verbs of manner that attribute an adjacent direct quote only ('"Go back," Trump barked'),
# never an indirect clause: they stay out of the cue lexicon.
MANNER = listed("manner_verbs")
_MANNER_FORMS = {f for lemma in MANNER for f in verb_forms(lemma)[1:3]}
_MANNER_FORMS |= words("manner_phrases") - words("manner_phrases", "participle")
# Participles that introduce a quote after a comma ('..., interjecting, "Only Rosie."').
DIRECT_PARTICIPLES = frozenset({verb_forms(lemma)[-1] for lemma in (*SPEECH, *MANNER)}
                               | words("manner_phrases", "participle"))
DIRECT_WORDS = SPEECH_WORDS | _MANNER_FORMS
# Speech and manner verbs right next to a direct quote.
DIRECT_RE = re.compile(r"\b(?:" + word_alternation(DIRECT_WORDS) + r")\b")
