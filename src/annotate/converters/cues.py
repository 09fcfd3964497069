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

# Speech and writing: any complement, and they may follow their content ("..., X said").
SPEECH = """
say tell add write ask note report announce suggest argue explain declare claim insist warn
acknowledge admit deny respond reply tweet post recall predict confirm reveal stress emphasize
emphasise assert allege contend maintain complain concede testify state remark observe comment
answer joke quip boast brag lament plead shout yell exclaim reiterate repeat
echo mention hint imply propose recommend demand caution remind assure inform advise tout
counter retort scoff muse wonder speculate estimate conclude agree disagree vow pledge promise
threaten concur predict charge declare proclaim write email text reason explain clarify
rebut recite disclose forecast confess profess opine posit theorize surmise reaffirm affirm underscore
underline
""".split()

# Cognition, perception of facts, findings: a clause must follow.
CLAUSE = """
think believe know feel expect hope fear worry doubt suspect assume understand realize realise
recognize recognise learn consider see find show indicate demonstrate determine decide rule
remember imagine guess figure reckon bet acknowledge discover notice sense hear read
envision envisage deem
""".split()

# Intention, desire, commitment: a to-infinitive must follow.
TO = """
want wish plan intend seek aim hope vow promise pledge refuse decline agree offer threaten
expect prefer vote push urge ask encourage call decide seem appear choose resolve prepare implore beg
""".split()

# Evaluation and stance toward something: the object is the content.
OBJECT = """
criticize criticise accuse praise endorse support oppose blame reject dismiss question defend
attack blast slam mock condemn denounce decry applaud welcome hail fault rebuke chide ridicule
lambaste champion back favor favour dispute challenge deride describe discuss cite propose
recommend deny admit announce reveal confirm demand call want show find indicate suggest
rebuke assail praise thank slam blast question fault mock criticize identify order request
nominate appoint list portray compare expose retweet highlight view ignore
celebrate mourn regret deplore protest swear signal voice express tout hail applaud welcome
dismiss spurn denounce berate scold knock ridicule lambaste castigate embrace reject express
dub pan trash rip love dislike admire fear offer share advocate outline recount
unveil invoke articulate reference bemoan liken eviscerate promote excoriate chastise disparage belittle
vilify demonize refute rebuff laud extol commend congratulate downplay trumpet credit
""".split()

# Phrasal cues: verb + particle/preposition; content is the object after it.
PHRASAL = {
    "call": ("for", "on"), "point": ("out", "to"), "refer": ("to",), "talk": ("about",),
    "speak": ("about", "of", "out against"), "complain": ("about", "of"), "rail": ("against",),
    "warn": ("of", "about", "against"), "push": ("for",), "argue": ("for", "against"),
    "ask": ("about", "for"), "think": ("about", "of"), "worry": ("about",), "vote": ("for", "against"),
    "insist": ("on",), "comment": ("on",), "focus": ("on",), "express": ("concern about", "support for"),
    "weigh": ("in on",), "lay": ("out",), "go": ("after",), "shrug": ("off",), "open": ("up about",),
    "sign": ("off on",), "hit": ("back at", "out at"), "lash": ("out at",), "fire": ("back at",),
    "take": ("aim at", "issue with"), "single": ("out",), "cast": ("doubt on",), "make": ("clear", "it clear", "the case"),
    "worried": ("about",), "concerned": ("about",), "skeptical": ("of", "about"), "sceptical": ("of", "about"),
    "optimistic": ("about",), "hopeful": ("about",), "angry": ("about", "at"), "upset": ("about", "with"),
    "frustrated": ("with", "by"),
}

_IRREGULAR = {
    "say": ["says", "said", "saying"], "tell": ["tells", "told", "telling"],
    "write": ["writes", "wrote", "written", "writing"], "think": ["thinks", "thought", "thinking"],
    "know": ["knows", "knew", "known", "knowing"], "feel": ["feels", "felt", "feeling"],
    "see": ["sees", "saw", "seen", "seeing"], "find": ["finds", "found", "finding"],
    "show": ["shows", "showed", "shown", "showing"], "seek": ["seeks", "sought", "seeking"],
    "speak": ["speaks", "spoke", "spoken", "speaking"], "understand": ["understands", "understood", "understanding"],
    "hear": ["hears", "heard", "hearing"], "read": ["reads", "read", "reading"],
    "bet": ["bets", "bet", "betting"], "learn": ["learns", "learned", "learnt", "learning"],
    "mean": ["means", "meant", "meaning"], "forecast": ["forecasts", "forecast", "forecasting"],
    "lay": ["lays", "laid", "laying"], "go": ["goes", "went", "going"], "hit": ["hits", "hitting"],
    "take": ["takes", "took", "taking"], "make": ["makes", "made", "making"], "cast": ["casts", "casting"],
    "swear": ["swears", "swore", "sworn", "swearing"],
}
_DOUBLE = {"admit", "refer", "prefer", "plan", "commit", "regret", "quip", "rebut", "bet", "concur", "abet"}


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
ADJECTIVES = """
eager willing confident sure certain convinced worried concerned happy optimistic pessimistic
skeptical sceptical hopeful afraid determined adamant unsure aware proud angry upset frustrated
disappointed reluctant unwilling keen aghast glad pleased sorry surprised shocked thrilled delighted
positive mindful conscious fearful doubtful dubious grateful thankful furious outraged troubled alarmed
dismayed anxious nervous
""".split()


def _build() -> dict[str, tuple[str, set[str]]]:
    """Surface form -> (lemma, complement kinds)."""
    kinds: dict[str, set[str]] = {}
    for adj in ADJECTIVES:
        kinds[adj] = {"clause", "to", "adjective"}
    for kind, lemmas in (("any", SPEECH), ("clause", CLAUSE), ("to", TO), ("object", OBJECT)):
        for lemma in lemmas:
            kinds.setdefault(lemma, set()).add(kind)
    for lemma in PHRASAL:
        kinds.setdefault(lemma, set()).add("phrasal")
    forms: dict[str, tuple[str, set[str]]] = {}
    for lemma, ks in kinds.items():
        for form in ([lemma] if "adjective" in ks else verb_forms(lemma)):
            forms.setdefault(form, (lemma, ks))
    return forms


FORMS = _build()
# Forms that are nouns or non-reporting far more often than cues ("the state", "continued to").
for _form in ("state", "states", "reason", "reasons", "reasoned", "reasoning", "maintain", "maintains",
              "pledge", "pledges", "challenge", "challenges", "challenged", "challenging"):
    FORMS.pop(_form, None)


_TITLE_WORD = re.compile(r"(?<![\w’'-])[A-Za-z][a-z]+(?![\w’'-])")


# Any past-tense verb that takes a that-clause reports content ("X bragged that ...").
_THAT_VERB = re.compile(r"(?<![\w’'-])([a-z]{3,}ed)(?=\s+that\s)")
_NOT_THAT_VERBS = set("""
is was has does means makes ensures ensured made seems seemed becomes became remains remained
gives gave takes took sees saw needs needed requires required provides provided includes
included assumes shows happens happened helps helped causes caused allows allowed guarantees
guaranteed proves proved this thus less unless bus its his hers ours yours theirs
""".split())


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
_CUE_WORD = re.compile(r"(?<![\w’'-])(?:" + word_alternation(FORMS) + r")(?![\w’'-])")


def find_cues(text: str, start: int, end: int, title_case: bool = False) -> list[re.Match]:
    """Cue-verb matches in text[start:end] (one regex over every cue form: fast).

    Besides the lexicon, any -ed/-s verb right before "that" counts ("X bragged that ...").
    With `title_case` (a headline such as "Senator Blasts Plan"), capitalised words count too.
    """
    if title_case:
        return [m for m in _TITLE_WORD.finditer(text, start, end) if m.group(0).lower() in FORMS]
    found = list(_CUE_WORD.finditer(text, start, end))
    if text.find(" that ", start, end) >= 0:
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
_TENSES = {"said", "says", "told", "tells", "added", "adds", "wrote", "writes", "asked", "asks",
           "noted", "notes", "argued", "argues", "explained", "explains", "continued", "continues",
           "insisted", "insists", "warned", "warns", "stated", "declared", "replied", "responded",
           "tweeted", "posted", "recalled", "stressed", "remarked", "concluded", "joked", "quipped",
           "acknowledged", "admitted", "conceded", "predicted", "claimed", "claims", "emphasized",
           "emphasised", "suggested", "suggests", "countered", "reported", "reports", "announced",
           "observed", "lamented", "boasted", "cautioned", "agreed", "confirmed", "maintained",
           "contended", "asserted", "complained", "reiterated", "wondered", "mused", "shouted", "exclaimed", "answered", "commented", "estimated", "believes",
           "believed", "thinks", "thought"}
# Finite speech forms that attribute an adjacent direct quote ('"...," he said').
# Every finite (-s and past) form of the speech lemmas counts too ("testified", "retorted").
_TENSES |= {f for lemma in SPEECH for f in verb_forms(lemma)[1:3]} - {"states", "stated", "reasons", "reasoned"}
SPEECH_WORDS = frozenset(_TENSES)
SPEECH_RE = re.compile(r"\b(?:" + word_alternation(_TENSES) + r")\b")

# Verbs of manner that attribute an adjacent direct quote only ('"Go back," Trump barked'),
# never an indirect clause: they stay out of the cue lexicon.
MANNER = """
bark snap gush marvel sneer laugh sigh smile grin chuckle shrug nod whisper mutter murmur groan
grumble cry roar thunder bellow scream holler fume rage crack tease interject interrupt summarize
summarise continue chant sing rant rave cheer snarl growl hiss huff beam deadpan gasp begin
""".split()
_MANNER_FORMS = {f for lemma in MANNER for f in verb_forms(lemma)[1:3]} | {"began", "begins", "read", "reads"}
_MANNER_FORMS |= {"fired back", "shot back", "pushed back", "chimed in", "cried out", "called out", "piped up",
                  "points out", "pointed out", "spoke up", "speaks up", "weighed in", "weighs in"}
# Participles that introduce a quote after a comma ('..., interjecting, "Only Rosie."').
DIRECT_PARTICIPLES = frozenset({verb_forms(lemma)[-1] for lemma in (*SPEECH, *MANNER)} | {"pointing out"})
DIRECT_WORDS = SPEECH_WORDS | _MANNER_FORMS
# Speech and manner verbs right next to a direct quote.
DIRECT_RE = re.compile(r"\b(?:" + word_alternation(DIRECT_WORDS) + r")\b")
