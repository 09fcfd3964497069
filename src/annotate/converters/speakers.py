"""Speaker mentions: the noun phrase next to a cue, pronouns, and what they refer to."""

from __future__ import annotations

import bisect
import functools
import itertools
import re

from .cues import FORMS as CUE_FORMS
from .cues import find_cues
from .lexicon import pattern, words
from .mentions import MODIFIERS, ORG_WORDS, PLACE_WORDS, SURFACE, US_STATES
from .text import closes_abbreviation, word_before

PRONOUNS = set(words("speaker_pronouns"))
REFERRING_PRONOUNS = set(words("speaker_pronouns", "referring"))

# Lowercase words that may stand inside a speaker noun phrase ("Kremlin spokesman Dmitry Peskov").
ROLE_WORDS = set(words("role_words"))
# Quantities and quantifiers that open a source ("six in 10", "two-thirds of Republicans").
QUANT_WORDS = set(words("quantity_words"))
_AGENT = re.compile(r"^[a-z][a-z-]{2,}(?:ers?|ists?|ians?|ents|ants|ors?|eers?)$")
# Words with an agent-like ending that are not people.
_NOT_AGENT = words("not_agents")
DETERMINERS = set(words("speaker_determiners"))
# Capitalised words that start clauses rather than names.
_NOT_NAME = words("not_names")
_KEEP_CAP = words("titles")
# Words allowed between a speaker and its cue ("Peskov also said", "he has repeatedly said").
SKIP_BETWEEN = set(words("skip_between"))
_POSS = re.compile(r"[’']s$")
_POSS_ENDS = ("’s", "'s")


def _unpossessed(word: str) -> str:
    """`word` without a final possessive "’s"/"'s": _POSS.sub("", word), with no regex in the common case."""
    if word.endswith(_POSS_ENDS):
        return word[:-2]
    return _POSS.sub("", word) if word.endswith("\n") else word  # `$` also matches before a final newline


_SPAN = re.Match.span
_AFTER_TOKENS = 14
# (A class that lists A-Za-z0-9_ besides \w means the same, and the regex engine tests those
# ASCII characters against a bitmap before it asks the Unicode database: faster on news text.)
_W = r"A-Za-z0-9_\w"
# (a number with thousands separators is one token: "21,000 said" is not "21", ",", "000"; its
# own alternative, tried first, leaves the common token's loop as fast as it was)
_TOKEN = re.compile(rf"\d{{1,3}}(?:,\d{{3}})+(?:[{_W}’'.&-]*[{_W}.])?%?|[A-Za-z0-9][{_W}’'.&-]*[{_W}.]%?|[A-Za-z0-9]%?")
# The last character of a token, or the comma of an appositive before a cue.
_TOKEN_END = re.compile(rf"[{_W}.%,]")


@functools.lru_cache(maxsize=65536)
def _is_name_token(tok: str) -> bool:
    if tok in _KEEP_CAP:
        return True
    core = tok.rstrip(".")
    core = _unpossessed(core)
    return bool(core) and core[0].isupper() and tok not in _NOT_NAME


# Lowercase words that never sit inside a noun phrase between its determiner and head.
_FUNCTION_WORDS = words("function_words")


def _modifier_before_head(text: str, toks: list[tuple[int, int]], k: int) -> bool:
    """True when token k is a lowercase modifier followed (within 2) by a head noun."""
    for n in range(k, min(k + 3, len(toks))):
        w = text[toks[n][0] : toks[n][1]]
        if n > k and _is_head(w) and (w.islower() or _is_name_token(w)):
            return True  # "the city council", "retired Army Lt. Gen. Mick Bednarek"
        if not (w.isalpha() and w.islower()) or w in _FUNCTION_WORDS or w in DETERMINERS:
            return False
        if n + 1 < len(toks) and text[toks[n][1] : toks[n + 1][0]].strip():
            return False
    return False


def _lower_word(w: str) -> bool:
    """A lowercase word, hyphenated ones included ("rank-and-file", "long-time")."""
    return w.islower() and w.replace("-", "").isalpha()


@functools.lru_cache(maxsize=65536)
def _is_agent(low: str) -> bool:
    """A lowercase noun naming a person by what they do ("treasurer", "voters", "activist")."""
    return bool(_AGENT.match(low)) and low not in _NOT_AGENT


def _np_token_ok(tok: str, first: bool) -> bool:
    """Whether `tok` may stand in a source phrase (a determiner only as its `first` word)."""
    return _np_first_token_ok(tok) if first else _np_inner_token_ok(tok)


# (One cached function for each value of `first`: a cache keyed by one string finds it without
# building a key tuple, and the walks ask about one token at a time.)
@functools.lru_cache(maxsize=65536)
def _np_first_token_ok(tok: str) -> bool:
    return _np_inner_token_ok(tok) or _unpossessed(tok.lower().rstrip(".")) in DETERMINERS


@functools.lru_cache(maxsize=65536)
def _np_inner_token_ok(tok: str) -> bool:
    low = _unpossessed(tok.lower().rstrip("."))  # "said several observers.": the sentence's period
    if low.endswith("s") and (low[:-1] in ROLE_WORDS or low.endswith("es") and low[:-2] in ROLE_WORDS):
        return True  # "networks", "bosses"
    return (_is_name_token(tok) or low in ROLE_WORDS or low in ("of", "for")
            or low in QUANT_WORDS or low[:1].isdigit() or _is_agent(low))


@functools.lru_cache(maxsize=65536)
def _is_head(word: str) -> bool:
    """A token that can be the head of a source phrase (a name, role, agent noun or number)."""
    low = _unpossessed(word.lower().rstrip("."))
    if low.endswith("s") and (low[:-1] in ROLE_WORDS or low.endswith("es") and low[:-2] in ROLE_WORDS):
        return True  # plural of a role word: "networks", "bosses"
    return (_is_name_token(word) or low in ROLE_WORDS or _is_agent(low) or low[:1].isdigit()
            or (low in QUANT_WORDS and low not in {"in", "of", "about", "more", "than", "nearly", "almost", "no"}))


_PEOPLE_HEADS = words("people_heads")
_OPENING_QUANTIFIERS = words("opening_quantifiers")
_CLAUSE_LINKS = words("clause_words", "link")


# What may stand right before a phrase of lowercase modifiers and a title that open a clause:
# the comma or quotation mark after a quote, a colon, a dash.
_TITLED_AT = re.compile(r"[,:;—–\"”’][\s\"”’]*$")


_NOT_MODIFIERS = words("not_subject_starts") | words("skip_between")
_RELATIVE_OPENERS = frozenset(("which", "whom"))
# Words that take "of them" / "of us" as a speaker: "One of them said".
_PARTITIVES = frozenset("one two three four five some many most several all both each none few either neither "
                        "half".split())
_RELATIVE_WORDS = frozenset(words("clause_words", "relative") - {"whose"})  # that, which, who, whom


def _opens_relative(text: str, toks: list[tuple[int, int]], j: int) -> bool:
    """Whether the relative word at token j opens a clause whose subject follows it ("a trial
    that prosecutors described", "the day that the Post reports"): a determiner, a name or a
    people noun comes next. Not "that" as a determiner ("that official"), nor a clause whose
    verb follows at once ("a law that allows him", "who helped found")."""
    nxt = text[toks[j + 1][0] : toks[j + 1][1]]
    low = nxt.lower()
    return (low in DETERMINERS and low != "that") or nxt[:1].isupper() \
        or (low.endswith("s") and (_is_agent(low) or low in _PEOPLE_HEADS))


def _title_modifiers(text: str, toks: list[tuple[int, int]], a: int, j: int) -> bool:
    """True when tokens a..j-1 are lowercase modifiers of a title or role word at token j ("port" in
    "port chief executive", "public" in "public defender"): no adverb, pronoun, participle or
    function word, and token j a lowercase role or agent noun."""
    head = text[toks[j][0] : toks[j][1]]
    if not (head.islower() and (head in ROLE_WORDS or _is_agent(head))):
        return False
    for n in range(a, j):
        w = text[toks[n][0] : toks[n][1]]
        if (w in _NOT_MODIFIERS or w in _FUNCTION_WORDS or w in PRONOUNS or w in DETERMINERS
                or w.endswith(("ing", "ly", "ed")) or w in _CLAUSE_LINKS or w in CUE_FORMS):
            return False
    return True


def _determiner_before_name(text: str, toks: list[tuple[int, int]], k: int) -> int | None:
    """The index of "a", "an" or "the" right before the name of one or two words that ends at
    token k, only spaces between, else None."""
    for d in (k - 1, k - 2):
        if d < 0 or text[toks[d][1] : toks[d + 1][0]] != " ":
            return None
        w = text[toks[d][0] : toks[d][1]]
        if w.lower() in ("a", "an", "the"):
            return d
        if not _is_name_token(w):
            return None
    return None


# Lowercase particles between the capitalised words of a name ("van der", "de", "bin").
_NAME_PARTICLES = words("name_particles")


def _particles_to_name(text: str, toks: list[tuple[int, int]], k: int, step: int) -> int | None:
    """When token k opens a run of name particles (at most 2, spaces only) between a name word
    right before it (against the direction `step`, 1 or -1) and a capitalised name word the run
    goes on to, that word's index; else None ("Ursula [van der] Berg"). The caller keeps k - step
    inside its phrase."""
    back = k - step
    if text[toks[k][0] : toks[k][1]] not in _NAME_PARTICLES or not _is_name_token(text[toks[back][0] : toks[back][1]]) \
            or text[toks[min(k, back)][1] : toks[max(k, back)][0]] != " ":
        return None
    n = k
    while 0 <= n < len(toks) and text[toks[n][0] : toks[n][1]] in _NAME_PARTICLES and abs(n - k) < 2:
        n += step
    if n == k or not 0 <= n < len(toks):
        return None
    lo, hi = (k, n) if step > 0 else (n, k)
    if any(text[toks[m][1] : toks[m + 1][0]] != " " for m in range(lo, hi)):
        return None
    w = text[toks[n][0] : toks[n][1]]
    return n if _is_name_token(w) and w.lower() not in DETERMINERS and w not in _NOT_NAME else None


def _ampersand_join(text: str, toks: list[tuple[int, int]], j: int) -> bool:
    """Whether " & " between capitalised tokens j and j + 1 joins one name ("Procter & Gamble",
    "Birch & Co")."""
    return text[toks[j][1] : toks[j + 1][0]] == " & " and text[toks[j][0]].isupper() \
        and text[toks[j + 1][0]].isupper()


def _np_left(text: str, toks: list[tuple[int, int]], i: int, limit: int) -> int | None:
    """Index of the first token of the noun phrase ending at token i, or None."""
    end_tok = i
    j = i
    while j >= 0 and end_tok - j < 10:
        w = text[toks[j][0] : toks[j][1]]
        if j < end_tok and (name := _particles_to_name(text, toks, j, -1)) is not None:
            j = name  # "Kees de Vries said": a particle inside the name
            continue
        if not _np_first_token_ok(w) or (j < end_tok and w in _RELATIVE_WORDS and _opens_relative(text, toks, j)):
            break
        if j < end_tok and text[toks[j][1] : toks[j + 1][0]].strip() and not _ampersand_join(text, toks, j):
            break
        j -= 1
    j += 1
    if j > end_tok:
        # A people noun with an "of" phrase: "supporters of abortion rights", "members of the panel".
        for d in range(end_tok - 1, max(0, end_tok - 4), -1):
            if text[toks[d][1] : toks[d + 1][0]].strip():
                break
            if text[toks[d][0] : toks[d][1]] == "of" and not text[toks[d - 1][1] : toks[d][0]].strip():
                head = _unpossessed(text[toks[d - 1][0] : toks[d - 1][1]].lower())
                if _is_agent(head) or head in _PEOPLE_HEADS:
                    return _np_left(text, toks, d - 1, limit)
                break
        # A common-noun head after a determiner: "the Gawker employee said", "one witness said".
        w = text[toks[end_tok][0] : toks[end_tok][1]]
        if not (w.isalpha() and w.islower()) or w in _FUNCTION_WORDS or w in _NOT_AGENT or end_tok < 1:
            return None
        plural = w.endswith("s") and not w.endswith("ss") and len(w) > 3
        for d in range(end_tok - 1, max(-1, end_tok - 6), -1):
            dw = text[toks[d][0] : toks[d][1]]
            if _plural_possessive_name(text, toks, d) and _is_head(w):
                return _possessor_start(text, toks, d)  # "The United Nations' climate chief"
            if d == end_tok - 1 and _plural_possessive_noun(text, toks, d):
                return d - 1  # "The contractors' association": a plural's possessive after its determiner
            if text[toks[d][1] : toks[d + 1][0]].strip():
                return d + 1 if plural and d + 1 < end_tok else None  # ", political analysts say"
            if plural and dw.lower() in _CLAUSE_LINKS and d + 1 < end_tok:
                return d + 1  # "while old political hands say"
            if dw in _RELATIVE_WORDS:
                return d + 1 if _opens_relative(text, toks, d) else None  # "a trial that [prosecutors] described": the relative clause's subject
            if dw.lower() in _HEAD_OPENERS:
                return d  # "the Gawker employee"
            if dw.endswith(("’s", "'s")) and dw[:1].isupper():
                return _possessor_start(text, toks, d)  # "Kasich's team", "The European Union's envoy"
            if not (_is_name_token(dw) or (_lower_word(dw) and dw not in _FUNCTION_WORDS)):
                return None
        return None
    # "the city council", "a senior party official": lowercase modifiers after a determiner.
    k = j - 1
    while -1 <= k and j <= end_tok and j - k <= 3:
        gap = (toks[k][1] if k >= 0 else max(0, toks[0][0] - 4)), toks[k + 1][0]
        if k > 0 and text[gap[0] : gap[1]].strip() in ("'", "’") and text[gap[0] - 1] == "s" \
                and text[toks[k][0] : toks[k][1]].isalpha() and text[toks[k][0] : toks[k][1]].islower() \
                and text[toks[k - 1][0] : toks[k - 1][1]].lower() in _POSSESSOR_DETERMINERS \
                and not text[toks[k - 1][1] : toks[k][0]].strip():
            j = k - 1  # "the plaintiffs' lawyers", "The teachers' union": a plural's possessive
            break
        if k >= 0 and _plural_possessive_name(text, toks, k):
            j = _possessor_start(text, toks, k)  # "The United Nations' climate chief"
            break
        if k >= 1 and k + 1 < end_tok and text[gap[0] : gap[1]].strip() == "," \
                and _COORDINATE_ADJECTIVE.fullmatch(text, toks[k][0], toks[k][1]) \
                and text[toks[k - 1][0] : toks[k - 1][1]].lower() in ("the", "a", "an") \
                and not text[toks[k - 1][1] : toks[k][0]].strip() \
                and not any(text[a:b].lower() in _FUNCTION_WORDS or text[a:b].lower() in _CLAUSE_LINKS
                            for a, b in toks[k + 1 : end_tok]):
            j = k - 1  # "the bespectacled, 71-year-old diplomat": adjectives set off by a comma
            break
        if k < 0 or text[gap[0] : gap[1]].strip():
            if k + 1 < j and _TITLED_AT.search(text, *gap) and _title_modifiers(text, toks, k + 1, j):
                j = k + 1  # '“...,” port chief executive Anneli Tamm told': modifiers that open the phrase
            break
        w = text[toks[k][0] : toks[k][1]]
        if w in _RELATIVE_OPENERS:
            if k + 1 < j and _title_modifiers(text, toks, k + 1, j):
                j = k + 1  # "which club chairman Ray Dunn called": the relative pronoun opens the clause
            break
        if (w.lower() in DETERMINERS and w.lower() != "that") or w.lower() in _OPENING_QUANTIFIERS:
            if w.lower() in _SINGULAR_DETERMINERS and k + 1 < j and _plural_role(text[toks[end_tok][0] : toks[end_tok][1]]) \
                    and all(text[a:b].isalpha() and text[a:b].islower() and text[a:b] not in _FUNCTION_WORDS
                            and text[a:b] not in ("of", "that") for a, b in toks[k + 1 : end_tok]):
                break  # "a plan officials say will save": "a plan [that] officials say", a clause of their own
            if w.lower() in _SINGULAR_DETERMINERS and k + 2 == j and _is_name_token(text[toks[j][0] : toks[j][1]]) \
                    and text[toks[k + 1][0] : toks[k + 1][1]] in _CLAIM_NOUNS:
                break  # "a charge Moscow denies": "a charge [that] Moscow denies"
            j = k  # "the city council", "many rank-and-file members"
            break
        if w.endswith(("’s", "'s")) and w[:1].isupper():
            # "the EU’s foreign policy chief", "The European Union's climate commissioner": a
            # possessive name before the modifiers
            j = _possessor_start(text, toks, k)
            if j == k and k > 0 and text[toks[k - 1][0] : toks[k - 1][1]].lower() in ("a", "an") \
                    and not text[toks[k - 1][1] : toks[k][0]].strip():
                j = k - 1
            break
        if w.endswith(("’s", "'s")) and w[:-2].isalpha() and k > 0 \
                and text[toks[k - 1][0] : toks[k - 1][1]].lower() in _POSSESSOR_DETERMINERS \
                and not text[toks[k - 1][1] : toks[k][0]].strip():
            j = k - 1  # "The county's emergency services director": a common noun's possessive
            break
        if w.isalpha() and w[:1].isupper() and w[1:].islower() and _opens_sentence(text, toks, k) \
                and (w.lower() not in _NOT_FIRST or w.lower() in ROLE_WORDS) and w.lower() not in _NOT_BARE \
                and all(_bare_modifier(text[a:b]) for a, b in toks[k + 1 : end_tok + 1]) \
                and not _headline_line(text, toks[k][0]):
            j = k  # "Tech industry groups warned": the phrase's first word, capitalised as the sentence's first
            break
        if _is_name_token(w):
            head = text[toks[end_tok][0] : toks[end_tok][1]]
            if _is_head(head) and all(
                    _lower_word(text[a:b]) and text[a:b] not in _FUNCTION_WORDS and text[a:b] not in PRONOUNS
                    for a, b in toks[k + 1 : end_tok]):
                det = _determiner_before_name(text, toks, k)
                if det is not None:
                    j = det  # "a Cairo airport official", "the New York city council": a place's name as a modifier
                elif _plural_role(head) and (k == 0 or text[toks[k - 1][1] : toks[k][0]].strip() in (",", ";", ":", "—")):
                    j = k  # ", Boston city officials said": a plural head needs no determiner
            break
        if not _lower_word(w) or w in _FUNCTION_WORDS:
            break
        k -= 1
    while j <= end_tok and text[toks[j][0] : toks[j][1]].lower() in {"of", "in", "than", "about", "for"}:
        j += 1
    if j > end_tok:
        return None
    span_words = [text[a:b] for a, b in toks[j : end_tok + 1]]
    if not any(map(_is_head, span_words)):
        return None
    last = span_words[-1].lower()
    if last in DETERMINERS or last in {"of", "in", "than", "about", "more", "for"}:
        return None
    return j


# Sentence adverbs and subordinators: no word of a bare noun phrase ("Even industry groups"), nor
# are clause links or quantifiers ("Cruz fields most attacks"; a quantifier opens a phrase through
# _OPENING_QUANTIFIERS instead).
_SENTENCE_ADVERBS = frozenset("even yet only still also instead meanwhile however indeed already just "
                              "since unless until whether".split())
_NOT_BARE = _SENTENCE_ADVERBS | _CLAUSE_LINKS | _OPENING_QUANTIFIERS


def _bare_modifier(word: str) -> bool:
    """A lowercase word that may stand in a noun phrase without a determiner ("industry", "groups"):
    not a function word, determiner or past form ("visited")."""
    return _lower_word(word) and word not in _FUNCTION_WORDS and word not in DETERMINERS and not word.endswith("ed") \
        and word not in _NOT_BARE


def _headline_line(text: str, at: int) -> bool:
    """Whether `at` is on a short line without a closing stop, as headlines are ("Ryan wages
    campaign to counter Trump": its verb may look like a noun's modifier)."""
    line = _line_at(text, at, 150).rstrip()
    return len(line) < 150 and line[-1:] not in (".", "!", "?", "\"", "”", ":")


def _opens_sentence(text: str, toks: list[tuple[int, int]], k: int) -> bool:
    """Whether token k is the first word of its sentence (or of the text)."""
    if k > 0:
        before = text[toks[k - 1][1] : toks[k][0]]
        return "\n" in before or before.rstrip()[-1:] in (".", "!", "?") \
            or text[toks[k - 1][1] - 1 : toks[k - 1][1]] in (".", "!", "?")
    # The first token of a walk's window: what stands before it is all the text before it, read
    # without copying it (a copy per walk made a long one-line text quadratic).
    pos = toks[0][0]
    if 0 <= _first_newline(text) < pos:
        return True
    end = pos  # past the white space before the token, a chunk at a time (str.rstrip runs in C)
    while end > 0:
        chunk = text[max(0, end - 4096) : end]
        kept = chunk.rstrip()
        if kept:
            return kept[-1] in ".!?"
        end -= len(chunk)
    return True


@functools.lru_cache(maxsize=8)
def _first_newline(text: str) -> int:
    """Where the text's first line break is (-1: none); asked again for the same text, a look-up."""
    return text.find("\n")


# What opens a phrase ending in a common-noun head ("the Gawker employee", "one witness"); built once
# here, not a set operation at each word.
_HEAD_OPENERS = frozenset(DETERMINERS - {"that"} | {"one", "another", "some", "many", "several"})
_POSSESSOR_DETERMINERS = frozenset(DETERMINERS - {"that", "this", "these", "those"})  # "the victim's mother"
_TRAILING_DETERMINERS = frozenset(DETERMINERS | {"of"})  # not the last word of a phrase after a cue


# A person known by whom they stand for or are close to: "a spokesperson for the channel", "a
# source close to the minister", "a person familiar with the matter", "the victim's mother".
_SOURCE_NOUNS = frozenset("source sources person people those someone anyone official officials aide aides "
                          "ally allies friend friends insider insiders".split())
_SOURCE_LINKS = {("close", "to"), ("familiar", "with"), ("near", "to")}


def _source_of(text: str, toks: list[tuple[int, int]], j: int, limit: int) -> int:
    """The first token of the speaker noun phrase whose last part starts at token j: further left
    over "for"/"of"/"at"/"with" after a role or people noun, "close to"/"familiar with" after a source noun,
    and a lower-case possessive after a determiner; else j."""
    if j < 2:
        return j
    (a2, b2), (a1, b1) = toks[j - 2], toks[j - 1]
    if text[b1 : toks[j][0]].strip() or text[b2:a1].strip():
        return j  # each step below reads two words joined to token j by spaces only
    word1, word2 = text[a1:b1].lower(), text[a2:b2].lower()
    if (word1 in ("for", "of", "at", "with", "from") and (
            (head := _unpossessed(word2)) in ROLE_WORDS or head in _PEOPLE_HEADS or head in _SOURCE_NOUNS
            or _plural_role(head) or word1 != "of" and _is_agent(head))) \
            or (word1 == "to" and word2 in _ROLES_TO):
        # "a spokesman for X", "officials at the Pentagon" (the head alone too), "members of Congress"
        k = _np_left(text, toks, j - 2, limit)
        if k is not None and k <= j - 2:
            if k >= 2 and text[toks[k - 1][0] : toks[k - 1][1]] == "of" \
                    and text[toks[k - 2][0] : toks[k - 2][1]].lower() in _PARTITIVES \
                    and text[toks[k - 2][1] : toks[k][0]] == " of ":
                return k - 2  # "both of Trump's remaining rivals for the GOP nomination"
            return k
    elif j >= 3 and (word2, word1) in _SOURCE_LINKS and not text[toks[j - 3][1] : a2].strip() \
            and text[toks[j - 3][0] : toks[j - 3][1]].lower() in _SOURCE_NOUNS:
        k = _np_left(text, toks, j - 3, limit)
        return j - 3 if k is None else min(k, j - 3)
    if word1.endswith(("’s", "'s")) and word1[:-2].isalpha() and word2 in _POSSESSOR_DETERMINERS:
        return j - 2  # "the victim's mother"
    return j


# Roles held towards someone: "an adviser to Mr. Trump", "the ambassador to Moscow".
_ROLES_TO = frozenset("adviser advisers advisor advisors aide aides ambassador ambassadors envoy envoys "
                      "counselor counselors consultant consultants assistant assistants spokesman "
                      "spokeswoman spokesperson successor heir confidant confidante".split())


def _linked_source(text: str, toks: list[tuple[int, int]], i: int, limit: int) -> int | None:
    """The first token of what a source is "familiar with" or "close to" when that ends at token i
    and is no speaker on its own ("two people familiar with the matter", "a source close to the
    talks"): a few lower-case words after the link, joined by spaces; else None."""
    for j in range(i, max(i - 4, 2), -1):
        w = text[toks[j][0] : toks[j][1]]
        if not (w.isalpha() and w.islower()) or (j < i and text[toks[j][1] : toks[j + 1][0]].strip()):
            return None
        pair = (text[toks[j - 2][0] : toks[j - 2][1]].lower(), text[toks[j - 1][0] : toks[j - 1][1]].lower())
        if pair in _SOURCE_LINKS and _source_of(text, toks, j, limit) < j:
            return j
    return None


_TRAILING_PAREN = re.compile(r"(?<=[\w.])\s*\([^()]{1,30}\)\s*,?\s*"
                             r"(?:(?:also|has|had|have|then|later|today|yesterday|now|earlier)\s+){0,2}$")
_APPOSITIVE_GAP = re.compile(r",\s*$")


# Remembered for the last few hundred walks: a direct quote's cue ('Ruiz said: "...') is walked
# back from again when the cue finder reads it, and a participle's cue again for the cue before
# it (about 1 walk in 18 repeats one of the same text). A pure function of immutable arguments;
# the cache is bounded, and a text it holds is let go as newer walks push it out.
@functools.lru_cache(maxsize=512)
def speaker_before(text: str, limit: int, floor: int) -> tuple[int, int] | None:
    """The speaker noun phrase that ends just before `limit` (a cue), not reaching before `floor`.

    Walks left over adverbs/auxiliaries, then over name, role, number and determiner tokens;
    stops at punctuation, except over an appositive ("Karimi, director of the group, said").
    Returns (start, end) or None.
    """
    # Most speakers end well inside the last 90 characters: look there first, and again over
    # the whole window only when the phrase may reach past that (same answer, less tokenising).
    near = max(floor, limit - 90)
    if near > floor:
        found = _speaker_before(text, limit, near)
        if found is not None and found[0] - near > 30:
            return found
    return _speaker_before(text, limit, floor)


def _pronoun_before(text: str, q: int, floor: int) -> tuple[int, int] | None:
    """The pronoun _speaker_before finds when the words before `q` (the cue, white space aside)
    are plain words set off by spaces: skippable ones ("also", "has"), then a pronoun ("he also
    said"); else None, and the caller tokenises. Reads words back from `q` without tokenising
    (a quarter of the cues have a pronoun subject). A plain word (ASCII letters only) preceded
    by a space is one whole token, so the walk over the tokens would give the same answer."""
    end = q
    while True:
        space = text.rfind(" ", floor, end)
        if space < 0:
            return None
        word = text[space + 1 : end]
        low = word.lower()
        if low in PRONOUNS:
            return (space + 1, end) if low in _WALK_PRONOUNS and word.isascii() and word.isalpha() else None
        if not (_skippable(word) and word.isascii() and word.isalpha()):
            return None
        end = space
        while end > floor and text[end - 1] == " ":
            end -= 1
        if end == floor or not text[end - 1].isalpha():
            return None


def _gap_after(text: str, toks: list[tuple[int, int]], k: int, limit: int) -> str:
    """What stands between token k and the next one (or `limit` after the last)."""
    return text[toks[k][1] : limit if k == len(toks) - 1 else toks[k + 1][0]]


def _speaker_before(text: str, limit: int, floor: int) -> tuple[int, int] | None:
    floor = max(floor, limit - 200)
    if text.find(")", max(floor, limit - 40), limit) >= 0:
        paren = _TRAILING_PAREN.search(text, floor, limit)
        if paren:
            limit = paren.start()  # "Gov. Phil Bryant (R) said", "Rep. X (D-Calif.) said"
    # What stands last before the cue, white space aside: unless a token can end there (a word,
    # a number, a period or %) or it is an appositive's comma, no phrase ends at the cue, and the
    # walk below would stop at once ('“...,” said', '(said', '— said'). Seen without tokenising.
    q = limit
    while q > floor and text[q - 1].isspace():
        q -= 1
    if q == floor or not _TOKEN_END.match(text, q - 1):
        return None
    pronoun = _pronoun_before(text, q, floor)
    if pronoun is not None:
        return pronoun
    toks = list(map(_SPAN, _TOKEN.finditer(text, floor, limit)))
    last = len(toks) - 1

    # Walk left over adverbs, auxiliaries and "who has both endorsed" (a floating quantifier
    # after an auxiliary) while only spaces separate the tokens.
    i = last
    nxt = limit
    while i >= 0:
        a, b = toks[i]
        if b != nxt and text[b:nxt].strip():
            break
        w = text[a:b]
        if not (_skippable(w) or (w in _FLOATING and i > 0 and _floats_after(text, toks[i - 1], a))):
            break  # a floating quantifier: "Ana Ruiz and Ben Cole both said", "who has both endorsed"
        nxt = a
        i -= 1
    if i < 0:
        return None
    gap = text[toks[i][1] : limit if i == last else toks[i + 1][0]]
    if gap.strip():
        # An appositive between commas: "NAME, a screenwriter and former executive, said".
        if gap.strip() != "," or i < 1:
            return None
        k = _appositive_start(text, toks, i, limit, towns=True)
        if k == 0 or _gap_after(text, toks, k - 1, limit).strip() not in (",", "),"):
            k = _appositive_start(text, toks, i, limit)  # "Voters in Dayton, Ohio, said": no appositive
        if k > 1 and _gap_after(text, toks, k - 1, limit).strip() == "),":
            # "Sen. Ana Ruiz (D-Ohio), a member of the panel, said": skip the short parenthesis.
            p = k - 1
            while p > 0 and k - p < 4 and not _gap_after(text, toks, p - 1, limit).strip():
                p -= 1
            if p > 0 and _gap_after(text, toks, p - 1, limit).strip() == "(":
                name_end = p - 1
            else:
                return None
        elif k == 0 or _gap_after(text, toks, k - 1, limit).strip() != ",":
            return None
        else:
            name_end = k - 1
        if name_end > 1 and text[toks[name_end][0] : toks[name_end][1]].isdigit() \
                and _gap_after(text, toks, name_end - 1, limit).strip() == ",":
            name_end -= 1  # "Earl Thompson, 71, whose pension ..., said": an age after the name
        appos = [text[a:b] for a, b in toks[k : i + 1]]
        first = appos[0].lower()
        if _ASIDE.fullmatch(text, toks[k][0], toks[i][1]):
            # "The mayor, meanwhile, said", "The union, however, said": an aside, not a description
            j = _np_left(text, toks, name_end, toks[name_end + 1][0])
            return None if j is None else _source_span(text, toks, j, name_end, limit)
        # "X, a lawyer, said" / "X, who has advised him, said": a description of X.
        finite = [w.lower() for w in appos if _FINITE_WORD.match(w)]
        if first not in {"who", "whose"} and finite and finite[0] not in {"who", "which", "that"}:
            return None  # a relative clause inside the description is fine, a verb of its own is not
        j = _np_left(text, toks, name_end, toks[name_end + 1][0])
        if j is not None:
            j = _company_start(text, toks, j, limit)  # "Globex Holdings, LLC, a maker of pumps, said"
        if j is not None and j >= 2 and _PARTY_STATE.fullmatch(text, toks[j][0], toks[name_end][1]) \
                and _gap_after(text, toks, j - 1, limit).strip() == ",":
            # "Sen. Mark Warner, D-Va., who chairs the committee, urged": the name comes before
            # its party and state
            named = _np_left(text, toks, j - 1, toks[j][0])
            if named is not None and _is_head(text[toks[j - 1][0] : toks[j - 1][1]]):
                j = named
        if j is not None and first in _ADJUNCT_OPENERS and _is_head(text[toks[name_end][0] : toks[name_end][1]]):
            # "Mayorkas, in an interview with CNN, called": where or when X spoke, not who X is
            return toks[j][0], toks[name_end][1]
        # "A pharmacist who was robbed in July, and who asked ..., said": a second relative clause
        second = first in ("and", "but") and len(appos) > 1 and appos[1].lower() in ("who", "whose")
        relative = first in {"who", "whose"} or second
        if second and j is not None:
            clause = _restrictive_relative(text, toks, _source_of(text, toks, j, limit), limit)
            if clause is not None and _opens_clause(text, toks[clause[0]][0]) \
                    and not find_cues(text, toks[clause[1]][0], toks[name_end][1]):
                j = clause[0]  # the first clause is part of the source
        head_end = name_end
        linked = None if j is None or relative else _linked_head(text, toks, j, _source_of(text, toks, j, limit), name_end)
        if linked is not None:
            j, head_end = linked  # "The senator from Ohio, Jim Hall, said": the head is before the link
        if j is not None and not relative and not _is_head(text[toks[head_end][0] : toks[head_end][1]]):
            # "The union representing workers at the plants, the UFCW, said", "The two members who
            # voted against the cuts, Tran and Boateng, said": the phrase before the appositive
            # ends a clause of a head noun, where the source starts
            widened = _source_of(text, toks, j, limit)
            clause = _restrictive_relative(text, toks, widened, limit)
            linked = _linked_head(text, toks, j, widened, name_end) if clause is None else None
            if linked is not None:
                j, head_end = linked  # "workers at the plants": the head is before the link
            elif clause is not None and _opens_clause(text, toks[clause[0]][0]):
                j, head_end = clause[0], clause[1] - 1
                if find_cues(text, toks[clause[1]][0], toks[name_end][1]):
                    # "Residents who spoke against the tax, including X, said": an attribution of
                    # its own stays out of the source, as in _source_span; so does what follows it
                    return (toks[j][0], toks[head_end][1]) if _is_head(text[toks[head_end][0] : toks[head_end][1]]) else None
        if j is None or not (relative or _is_head(text[toks[head_end][0] : toks[head_end][1]])):
            if len(appos) <= 4 and all(_is_name_token(w) for w in appos):
                return toks[k][0], toks[i][1]  # "The author of the book, Mitchell Zuckoff, said"
            return None
        if relative and find_cues(text, toks[k][1], toks[i][1]):
            # "a colleague, who did not want to be named, said": a relative clause that is an
            # attribution of its own stays out of the source (PolNeAR's guidelines: including it
            # would mask that attribution, whose source is "who").
            return toks[j][0], text.rindex(",", toks[name_end][1], toks[k][0])  # "(D-Mo.)" kept
        return toks[_conjoined(text, toks, j, limit)][0], toks[i][1]  # "The Food and Beverage Federation, a group,"
    word = text[toks[i][0] : toks[i][1]]
    if word in ("them", "us") and i >= 2 and text[toks[i - 1][0] : toks[i - 1][1]] == "of" \
            and text[toks[i - 2][0] : toks[i - 2][1]].lower() in _PARTITIVES \
            and not text[toks[i - 2][1] : toks[i][0]].replace("of", "", 1).strip():
        return toks[i - 2][0], toks[i][1]  # "One of them described", "Both of us said"
    if word.lower() in PRONOUNS:
        return toks[i]
    contracted = _CONTRACTION.match(word) if "'" in word or "’" in word else None
    if contracted:
        return toks[i][0], toks[i][0] + contracted.end(1)  # "they've offered", "he's trying"
    if word.endswith(("’s", "'s")):
        return None  # a possessive modifies a noun, it is not the subject ("Trump's stated")
    j = _np_left(text, toks, i, limit)
    if j is None:
        j = _linked_source(text, toks, i, limit)
        if j is None:
            return None
    j = _company_start(text, toks, j, limit)
    j = _source_of(text, toks, j, limit)
    if text[toks[j][0] : toks[j][1]].lower() == "that" and j < i and text[toks[j + 1][0]][:1].isupper():
        j += 1  # "assert that Trump ..." : the complementizer is not part of the name
    if text[toks[j][0] : toks[j][1]].lower() in _CLAUSE_LINKS:
        return None  # "but had a more ominous take": a clause, not a noun phrase
    if j == i and word in ("Having", "Being"):
        return None  # "Having announced that ..., Judge Berman": a participle opening the sentence
    return _source_span(text, toks, j, i, limit)


# A company's legal form after a comma ("Acme Robotics, Inc."): part of its name.
_COMPANY_SUFFIXES = words("company_suffixes")


def _company_start(text: str, toks: list[tuple[int, int]], j: int, limit: int) -> int:
    """The first token of a company's name when the phrase at token j is its legal form alone
    after a comma ("Acme Robotics, Inc. announced": "Inc." -> "Acme Robotics, Inc."); else j."""
    if j < 1 or text[toks[j][0] : toks[j][1]] not in _COMPANY_SUFFIXES \
            or text[toks[j - 1][1] : toks[j][0]].strip() != "," or not _is_name_token(text[toks[j - 1][0] : toks[j - 1][1]]):
        return j
    k = _np_left(text, toks, j - 1, toks[j - 1][1])
    return j if k is None else k


_STATE_FIRST_WORDS = frozenset({"New", "North", "South", "West", "Rhode"})


def is_state_or_country(phrase: str) -> bool:
    """True for a US state ("Ohio", "New Hampshire") or a country ("France", "United States")."""
    if phrase in SURFACE:
        return True
    first, *rest = phrase.split() or ("",)
    return all(w in US_STATES for w in rest) and (first in US_STATES or (bool(rest) and first in _STATE_FIRST_WORDS))


def _appositive_start(text: str, toks: list[tuple[int, int]], i: int, limit: int, towns: bool = False) -> int:
    """The first token of the appositive that ends with token i: the walk left over tokens with
    no punctuation between them (a hyphen or a possessive aside), at most 24; with `towns`, over
    the comma between a town and its state too (_state_after_town)."""
    k = i
    while k > 0 and i - k < 24 and (_gap_after(text, toks, k - 1, limit).strip() in ("", "-", "’s", "'s", "’", "'")
                                     or towns and _state_after_town(text, toks, k, i, limit)):
        k -= 1
    return k


def _state_after_town(text: str, toks: list[tuple[int, int]], k: int, i: int, limit: int) -> bool:
    """Whether the comma before token k only parts a town from its state or country ("Dayton,
    Ohio", "Monsey, New York"): the words from k on, up to the next gap or token i, name one, and
    a capitalised word stands before the comma. The walk over an appositive goes on past it
    ("Rachel Berg, 45, of Dayton, Ohio, said")."""
    if _gap_after(text, toks, k - 1, limit).strip() != "," or not text[toks[k - 1][0]].isupper():
        return False
    r = k
    while r < i and r - k < 3 and not _gap_after(text, toks, r, limit).strip():
        r += 1
    return (r == i or _gap_after(text, toks, r, limit).strip() == ",") and is_state_or_country(text[toks[k][0] : toks[r][1]])


def _source_span(text: str, toks: list[tuple[int, int]], j: int, end: int, limit: int) -> tuple[int, int]:
    """The source phrase of tokens j..end, widened to the noun that a restrictive clause ending
    there belongs to, and to a compound's first conjunct ("Google and Yahoo")."""
    relative = _restrictive_relative(text, toks, j, limit)
    if relative is not None:
        head, opener = relative
        if find_cues(text, toks[opener][0], toks[end][1]):
            # "Residents who spoke against the tax said": a clause that is an attribution of its
            # own stays out of the source, as after a comma (above), so the source is the head.
            return toks[_conjoined(text, toks, head, limit)][0], toks[opener - 1][1]
        j = head  # "Parents who live near the plant said": the clause is part of the source
    return toks[_conjoined(text, toks, j, limit)][0], toks[end][1]


def _restrictive_relative(text: str, toks: list[tuple[int, int]], j: int, limit: int) -> tuple[int, int] | None:
    """When the phrase starting at token j ends a restrictive relative or participle clause
    ("Residents who spoke against [the tax] said", "A lawyer representing [the family] said": the
    residents and the lawyer speak), the first token of the head noun phrase before the clause
    and the index of the clause's first word ("who", "that" or the participle; no comma before
    it); else None."""
    r = j - 1
    while r > 0 and j - r <= 4 and not text[toks[r][1] : toks[r + 1][0]].strip() \
            and not _clause_opener(text, toks, r, j):
        if text[toks[r][0] : toks[r][1]].lower() in _CLAUSE_LINKS:
            return None  # "that were not reported until [Reuters] asked": the phrase has a clause of its own
        if r == j - 1 and text[toks[r][0] : toks[r][1]] in _RELATIVE_WORDS:
            return None  # "the security that [homeland security experts] say ...": the phrase is the clause's subject
        r -= 1
    if r < 1 or not _clause_opener(text, toks, r, j) \
            or text[toks[r][1] : toks[r + 1][0]].strip() or text[toks[r - 1][1] : toks[r][0]].strip() \
            or not text[toks[r - 1][0] : toks[r - 1][1]].replace("’s", "").replace("'s", "").isalpha():
        return None  # (a head is a word: not "$15" in "Fight for $15 organizing director")
    head = _np_left(text, toks, r - 1, limit)
    if head is None or not _is_head(text[toks[r - 1][0] : toks[r - 1][1]]):
        return None
    return head, r


def _clause_opener(text: str, toks: list[tuple[int, int]], r: int, j: int) -> bool:
    """Whether token r opens a clause after a noun whose last phrase starts at token j: "who" or
    "that" with the clause's verb after it ("Groups that oppose [the plan]"), a participle
    ("representing [the family]", "arriving in [Cleveland]"; the same reading holds for an -ing
    word inside the phrase: "A Reuters rolling [poll]"), or a passive one with its agent
    ("released last month by [the Pew Research Center]")."""
    word = text[toks[r][0] : toks[r][1]]
    if word in ("who", "that"):
        return r < j - 1
    if word.endswith("ed") and word.isalpha() and word.islower() and len(word) > 4 \
            and text[toks[j - 1][0] : toks[j - 1][1]] == "by" and r < j - 1:
        return True  # "A survey released last month by [the Pew Research Center] found": the survey
    return len(word) > 5 and word.endswith("ing") and word.isalpha() and word.islower() and word not in _NOT_PARTICIPLES


# Words in -ing that are prepositions or nouns, not a participle opening a clause after a noun.
_NOT_PARTICIPLES = frozenset("according including following regarding concerning during morning evening "
                             "building meeting hearing briefing funding spending housing training ruling".split())
# An aside between a source and its cue, alone between commas: ", however,", ", on the other hand,".
_ASIDE = re.compile(pattern("asides"))


# "R-Texas", "D-Va.", "I-Vt.": a lawmaker's party and state, set off by commas after the name.
_PARTY_STATE = re.compile(r"[DRI]-[A-Z][A-Za-z.]*")
# Prepositions that open an adjunct between a source and its cue: ", in an interview with CNN,".
_ADJUNCT_OPENERS = frozenset("in on at during after before via from through".split())


_CONJUNCT_OPENERS = frozenset("that but while as because when although though if after before since".split())


# A lowercase adjective that may stand before a comma and another modifier of the same noun.
_COORDINATE_ADJECTIVE = re.compile(r"[a-z][a-z-]*(?:[^se]ed|ous|ful|ive|less|ish|ic)|tall|short|old|young|elderly|frail|soft-spoken|outspoken")


# Nouns of what is said that a reduced relative clause follows: "a charge Moscow denies".
_CLAIM_NOUNS = words("claim_nouns")


# Determiners of a singular noun only: "a plan officials say" is "a plan [that] officials say".
_SINGULAR_DETERMINERS = frozenset("a an another each every".split())


def _plural_role(word: str) -> bool:
    """A lowercase plural of a role or people noun ("officials", "critics", "analysts")."""
    low = word.lower()
    return word.islower() and low.endswith("s") and (low[:-1] in ROLE_WORDS or low in _PEOPLE_HEADS
                                                      or low.endswith("es") and low[:-2] in ROLE_WORDS)


def _plural_possessive_noun(text: str, toks: list[tuple[int, int]], d: int) -> bool:
    """Whether token d is a lowercase plural in -s with a bare apostrophe after it, right after a
    determiner ("the contractors'"), the possessor of the noun that follows."""
    a, b = toks[d]
    return d > 0 and d + 1 < len(toks) and text[a:b].isalpha() and text[a:b].islower() and text[b - 1] == "s" \
        and text[b : toks[d + 1][0]] in ("' ", "’ ") and text[toks[d - 1][1] : a] == " " \
        and text[toks[d - 1][0] : toks[d - 1][1]].lower() in _POSSESSOR_DETERMINERS


def _plural_possessive_name(text: str, toks: list[tuple[int, int]], d: int) -> bool:
    """Whether token d is a capitalised word in -s followed by a bare apostrophe ("Nations'")."""
    a, b = toks[d]
    return text[a : a + 1].isupper() and text[b - 1] == "s" and text[b : toks[d + 1][0]].strip() in ("'", "’")


def _possessor_start(text: str, toks: list[tuple[int, int]], d: int) -> int:
    """The first token of a capitalised possessor whose possessive token is d: the name tokens
    before it, joined by spaces, and a "the" before them ("The European Union's", "the United
    Nations'"); d itself for a one-word possessor ("Kasich's")."""
    k = d
    while k > 0 and d - k < 4 and not text[toks[k - 1][1] : toks[k][0]].strip() \
            and _is_name_token(text[toks[k - 1][0] : toks[k - 1][1]]) \
            and text[toks[k - 1][0] : toks[k - 1][1]].lower() not in _POSSESSOR_DETERMINERS:
        k -= 1
    if k > 0 and text[toks[k - 1][0] : toks[k - 1][1]].lower() == "the" and not text[toks[k - 1][1] : toks[k][0]].strip():
        k -= 1
    return k


def _linked_head(text: str, toks: list[tuple[int, int]], j: int, widened: int, end: int) -> tuple[int, int] | None:
    """(first token, head token) of the source when the phrase at token j is the object of a link
    after a head noun ("The senator from [Ohio]", "workers at [the plants]": `widened` is where
    _source_of takes the source back to) and that source stands where a subject does; the head is
    the last head word before j (else `end`). None when there is no such link."""
    if widened >= j or not _opens_clause(text, toks[widened][0]):
        return None
    return widened, next((h for h in range(j - 1, widened - 1, -1) if _is_head(text[toks[h][0] : toks[h][1]])), end)


def _opens_clause(text: str, at: int) -> bool:
    """Whether a phrase starting at `at` stands where a subject does: at the start of the text or of
    a line, after a punctuation mark or a word that opens a clause ("and", "but", "that", ...); not
    after a verb or a preposition ("had 944 delegates heading into ...", "against Clinton leading")."""
    before = text[max(0, at - 40) : at].rstrip()
    if before[-1:] == "," and before[-2:-1].isdigit() and text[at : at + 1].isdigit():
        return False  # "1,944 delegates": one number
    if not before or before[-1] in ".!?,:;—–\"”’(" or "\n" in text[max(0, at - 2) : at]:
        return True
    last = before.rsplit(None, 1)[-1].lower()
    return last in _CONJUNCT_OPENERS or last == "and"


def _conjoined(text: str, toks: list[tuple[int, int]], j: int, limit: int) -> int:
    """The first token of a compound source whose last conjunct starts at token j ("Google and Yahoo
    say", "Former Labour MP and ex-minister Clare Dunn told"; PolNeAR's guidelines take the whole
    noun phrase, "and" included); else j. The first conjunct must open its clause (after a
    punctuation mark, a complementizer or at the start), so that an object is not taken: "Obama
    met Putin and Merkel said ..." keeps "Merkel"."""
    if j < 2 or text[toks[j - 1][0] : toks[j - 1][1]] != "and" \
            or text[toks[j - 2][1] : toks[j][0]].strip() != "and":
        return j
    k = _np_left(text, toks, j - 2, limit)
    if k is None:
        return j
    k = _source_of(text, toks, k, limit)
    if k > 0 and text[toks[k - 1][0] : toks[k - 1][1]].lower() == "both" and not text[toks[k - 1][1] : toks[k][0]].strip():
        k -= 1  # "Both Bolton and Gorka said"
    if text[toks[j][0]].islower() and any(text[a:b].endswith(("’s", "'s")) for a, b in toks[k : j - 2]):
        return k  # "Mr. Trump's airplanes and helicopters": a bare noun shares the possessive of the first
    before = text[max(0, toks[k][0] - 40) : toks[k][0]].rstrip()
    last = before.rsplit(None, 1)[-1].lower() if before else ""
    if before[-1:] == "," and before[-2:-1].isalnum() and before.rsplit(None, 1)[-1][:1].isupper():
        return j  # "China, Vietnam, Brunei and Taiwan": the end of a list, whose start is further back
    if not before or before[-1] in ".,:;—–\"”’(" or last in _CONJUNCT_OPENERS or "\n" in text[toks[k][0] - 2 : toks[k][0]]:
        return k
    return j


# Verb-chain and time words between a subject and its cue ("went on to say", "on Sunday tweeted").
_CHAIN = words("verb_chain")
_LY_NOUNS = words("ly_nouns")


_FLOATING = words("floating_quantifiers")
_AUXILIARIES = words("auxiliaries")


@functools.lru_cache(maxsize=65536)
def _skippable(word: str) -> bool:
    """Adverbs, auxiliaries, verb chains and time words between a source and its cue."""
    low = word.lower()
    if low in SKIP_BETWEEN or low in _CHAIN:
        return True
    return is_ly_adverb(word)


def is_ly_adverb(word: str) -> bool:
    """A lowercase word in -ly of five letters or more that is no noun ("overwhelmingly", not
    "family" or "rally")."""
    return word.islower() and word.endswith("ly") and len(word) > 4 and word not in _LY_NOUNS


def _floats_after(text: str, prev: tuple[int, int], at: int) -> bool:
    """Whether a quantifier at `at` floats after the word `prev`, the end of its subject or an
    auxiliary ("Ana Ruiz and Ben Cole both", "the ministers all", "his deputy, Sara Devlin, both",
    "who has both", "who both"), not the subject itself ("..., both said", "because both", "of them all")."""
    w = text[prev[0] : prev[1]]
    gap = text[prev[1] : at]
    if gap == " " and (w.lower() in _AUXILIARIES or w.lower() in ("they", "we", "you", "who")):
        return True
    if gap == ", ":
        # the end of a name set off by commas ("his deputy, Sara Devlin, both"), not a phrase
        # before the clause ("On Social Security, both oppose")
        comma = text.rfind(",", max(0, prev[0] - 40), prev[0])
        name = text[comma + 1 : prev[1]].split() if comma > 0 else []
        return bool(name) and all(map(_is_name_token, name)) and bool(text[max(0, comma - 1)].strip())
    return gap == " " and (_is_name_token(w) or (w.isalpha() and w.islower() and w.endswith("s")
                                                  and w not in _FUNCTION_WORDS and not _skippable(w)))


# The pronouns that end the walk over the words before a cue (not skipped over): all of them.
_WALK_PRONOUNS = frozenset(p for p in PRONOUNS if not _skippable(p) and p not in _FLOATING)


_CONTRACTION = re.compile(r"(he|she|they|we|i|you|it|who)['’](?:s|ve|d|ll|re|m)$", re.IGNORECASE)
_FINITE_WORD = re.compile(
    r"(?:is|are|was|were|has|have|had|will|would|said|says|who|which|that|when|but|because)$", re.IGNORECASE
)


def speaker_after(text: str, start: int, ceiling: int) -> tuple[int, int] | None:
    """The speaker noun phrase that starts at `start` (after a cue: 'said Peskov')."""
    # The phrase starts at `start`, only white space before its first token: that token is read
    # alone first, and the rest only when it passes (many calls end here: '"a," "b,"' ...).
    first = _TOKEN.search(text, start, ceiling)
    if first is None or text[start : first.start()].strip():
        return None
    word = first.group()
    if word.lower() in PRONOUNS:
        return first.span()
    det = word.lower() in DETERMINERS
    if not det and _no_phrase_at(word):
        return None  # the walk below would stop at its first token (one call in six): no need for the rest
    # No step below reads past the 13th token (a phrase of at most 10, a look 3 further): stop there.
    toks = [first.span(), *map(_SPAN, itertools.islice(_TOKEN.finditer(text, first.end(), ceiling), _AFTER_TOKENS - 1))]
    k = 0
    while k < len(toks) and k < 10:
        w = text[toks[k][0] : toks[k][1]]
        if k > 0 and (name := _particles_to_name(text, toks, k, 1)) is not None:
            k = name + 1  # "said Ursula van der Berg": a particle inside the name
            continue
        if not _np_token_ok(w, k == 0) and not (
                k > 1 and w.lower() == "the" and text[toks[k - 1][0] : toks[k - 1][1]] in ("of", "for", "at")):
            # "said Jordan Pike of the Patient Safety League": a name's body after "of the" goes on;
            # "the city council": a lowercase modifier right after the determiner; "retired
            # neurosurgeon Ben Carson", "former first lady X": lowercase modifiers that open the phrase
            lead = k == 0 or (k <= 5 and w.islower() and _named_after_modifiers(text, toks, k))
            if not (lead and w == "and" and k > 0) and not (
                    (det and 0 < k <= 3 or lead) and _modifier_before_head(text, toks, k)):
                break  # ("author and former senator Ana Ruiz": titles joined by 'and' go on)
        if k > 0 and text[toks[k - 1][1] : toks[k][0]].strip() and not _ampersand_join(text, toks, k - 1):
            break
        k += 1
    if k == 2 and det and k < len(toks) and _plural_possessive_noun(text, toks, 1):
        w = text[toks[2][0] : toks[2][1]].rstrip(".")
        if w.isalpha() and w.islower() and w not in _FUNCTION_WORDS and w not in DETERMINERS:
            k = 3  # "said the contractors' association": the noun the plural's possessive modifies
    if 2 <= k < len(toks) and _office_of(text, toks, k):
        k += 1  # "said the office's director of enforcement, Sarah Bellingham": the office's field
    while k > 0 and text[toks[k - 1][0] : toks[k - 1][1]].lower() in _TRAILING_DETERMINERS:
        k -= 1
    if k == 0:
        return _common_noun_phrase(text, toks) if det else None
    span_words = [text[a:b] for a, b in toks[:k]]
    if not any(map(_is_head, span_words)) or span_words[-1].lower() in {"in", "than", "about", "more"}:
        common = _common_noun_phrase(text, toks) if det else None
        if common is None:
            return None
        return common
    end = toks[k - 1][1]
    if text[end - 1] == "." and text[toks[k - 1][0] : end] not in _KEEP_CAP and not re.search(r"\b[A-Z]\.$", text[toks[k - 1][0] : end]):
        end -= 1  # sentence-final period, not part of the name
    return toks[0][0], end


def _office_of(text: str, toks: list[tuple[int, int]], k: int) -> bool:
    """Whether token k is the one lowercase noun after a role word and "of" that ends the phrase
    ("director of enforcement,", "minister of finance."): the field of the office, part of it."""
    w, of, role = (text[toks[n][0] : toks[n][1]] for n in (k, k - 1, k - 2))
    gap = text[toks[k][1] : toks[k + 1][0]].strip()[:1] if k + 1 < len(toks) else ""
    if w.endswith(".") and (k + 1 == len(toks) or gap):
        w, gap = w[:-1], "."  # "minister of finance.": the sentence's period
    return of == "of" and role.lower() in ROLE_WORDS and w.isalpha() and w.islower() \
        and w not in _FUNCTION_WORDS and w not in DETERMINERS and w not in PRONOUNS \
        and text[toks[k - 2][1] : toks[k][0]] == " of " \
        and (k + 1 == len(toks) or gap in (",", ".", ";", ":"))


def _no_phrase_at(word: str) -> bool:
    """Whether no phrase can open with `word`, no determiner, in speaker_after: it is no phrase word
    (_np_token_ok), nor a lower-case modifier that _modifier_before_head could accept, whatever
    follows it (that function's first test)."""
    return not _np_first_token_ok(word) and (
        not (word.isalpha() and word.islower()) or word in _FUNCTION_WORDS or word in DETERMINERS)


def _named_after_modifiers(text: str, toks: list[tuple[int, int]], k: int) -> bool:
    """True when tokens 0..k-1 and k on are lowercase modifiers of a title before a capitalised
    name, with no adverb, verb or function word among them ("former first lady Ana Ruiz", "retired
    neurosurgeon Ben Carson"): not a recipient followed by a clause ("told reporters he thought")."""
    for n in range(min(len(toks), k + 4)):
        w = text[toks[n][0] : toks[n][1]]
        if n >= k and _is_name_token(w):
            return n > k and not any(text[toks[m][1] : toks[m + 1][0]].strip() for m in range(n))
        if w == "and" and 0 < n:
            continue  # two titles of one person: "author and former senator Ana Ruiz"
        if not _lower_word(w) or w in _FUNCTION_WORDS or w in PRONOUNS or w in SKIP_BETWEEN \
                or w.endswith(("ly", "ing")) or w in CUE_FORMS:
            return False
    return False


def _common_noun_phrase(text: str, toks: list[tuple[int, int]]) -> tuple[int, int] | None:
    """'the boy,' / 'a woman who ...': determiner + 1-3 lowercase words that end at a break."""
    for n in range(1, min(5, len(toks))):
        w = text[toks[n][0] : toks[n][1]]
        stem = _unpossessed(w)
        # Lowercase words, a possessive ("the ad's narrator") or a name as a modifier ("the Cruz card").
        modifier = stem != w or (_is_name_token(w) and n + 1 < len(toks))
        if not ((stem.isalpha() and stem.islower()) or modifier) or w in _FUNCTION_WORDS or w in DETERMINERS:
            return None
        after = text[toks[n][1] : toks[n + 1][0]] if n + 1 < len(toks) else text[toks[n][1] : toks[n][1] + 1]
        nxt = text[toks[n + 1][0] : toks[n + 1][1]].lower() if n + 1 < len(toks) else ""
        if stem != w or _is_name_token(w):
            continue
        if after.strip() in (",", ".", ";", ":", "") and (after.strip() or nxt in {"who", "whose", ""}):
            return toks[0][0], toks[n][1]
    return None


def _gap_breaks(text: str, a: int, b: int) -> bool:
    """True when the characters between two tokens hold punctuation (a phrase boundary)."""
    gap = text[a:b]
    return bool(gap.strip())


def is_pronoun(text: str, span: tuple[int, int]) -> bool:
    return text[span[0] : span[1]].lower() in PRONOUNS


@functools.lru_cache(maxsize=8192)
def _head_name(mention: str) -> str:
    """The last capitalised token of a mention ('Kremlin spokesman Dmitry Peskov' -> 'Peskov')."""
    # A capitalised determiner opening a sentence ("The company") names no one; an appositive after
    # the name ("Gemma Collins, general secretary of the Union") is not its head.
    parts = mention.split(",", 2)
    toks = [t for t in _NAME_TOKEN.findall(parts[0]) if t[:1].isupper() and t.lower() not in DETERMINERS]
    if toks:
        return _unpossessed(toks[-1]).rstrip(".")
    # A role before the name ("The law's sponsor, state Sen. Max Burns"): the name after the comma,
    # when that part is a name (capitalised words, titles and role words only).
    after = _NAME_TOKEN.findall(parts[1]) if len(parts) > 1 else []
    names = [t for t in after if t[:1].isupper()]
    if len(names) >= 2 and all(t[:1].isupper() or t.lower() in ROLE_WORDS for t in after):
        return _unpossessed(names[-1]).rstrip(".")
    return ""


_NAME_TOKEN = re.compile(r"[\w’'.-]+")


# An age after a name and its comma, up to the comma after it: ", 41" in "Liam Hart, 41, who".
_AGE_BEFORE = re.compile(r",[^\S\n]+\d{1,3}$")
_PERSON = re.compile(r"\b(?:[A-Z][a-z]+(?:-[A-Z][a-z]+)?[^\S\n]+){1,2}[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b")
_NOT_A_PERSON = frozenset(ORG_WORDS | PLACE_WORDS | US_STATES | MODIFIERS)  # words of a place's or body's name


FEMALE = set(words("female_words"))
MALE = set(words("male_words"))
_GENDER_WORD = re.compile(r"[A-Za-z.]+")


@functools.lru_cache(maxsize=8192)
def gender(mention: str) -> str | None:
    """'f', 'm' or None from titles, role words and common first names in a mention."""
    words = [w.lower() for w in _GENDER_WORD.findall(mention)]
    for w in words:
        if w in FEMALE or w.rstrip(".") in FEMALE:
            return "f"
        if w in MALE or w.rstrip(".") in MALE:
            return "m"
    last = words[-1] if words else ""
    if last.endswith(("ova", "eva", "ska", "ina")) and len(last) > 4:
        return "f"  # Slavic feminine surnames (Zakharova, Kowalska)
    return None


def mention_gender(text: str, span: tuple[int, int], cache: dict | None = None) -> str | None:
    """Gender of a mention, looking up the first name of a bare surname earlier in the text.

    `cache` (one dict per text) remembers surname lookups, which keeps long texts fast.
    """
    mention = text[span[0] : span[1]]
    g = gender(mention)
    if g is not None:
        return g
    head = _head_name(mention)
    if len(head) < 2:
        return None
    if cache is not None and head in cache:
        return cache[head]
    lo = max(0, span[0] - 20000)
    found = None
    # "Mr. Head" / "First Head" earlier in the text, found with str.find (no regex per name).
    needle = " " + head
    at = text.find(needle, lo, span[0])
    while at >= 0 and found is None:
        after = at + len(needle)
        if after >= len(text) or not (text[after].isalnum() or text[after] == "_"):
            w = at
            while w > lo and not text[w - 1].isspace():
                w -= 1
            first = text[w:at]
            if first in ("Mr.", "Mrs.", "Ms.") or (first[:1].isupper() and first[1:].isalpha() and first[1:].islower()):
                found = gender(f"{first} {head}")
        at = text.find(needle, at + 1, span[0])
    if cache is not None:
        cache[head] = found
    return found


def find_antecedent(
    text: str, mention: tuple[int, int], named: list[tuple[int, int]], fallback: bool = True,
    cache: dict | None = None,
) -> tuple[int, int] | None:
    """What a pronoun or a bare surname speaker refers to: a fuller earlier mention.

    `named` are the (start, end) of named speaker mentions, in text order. "he"/"she" take
    the nearest earlier person mention whose gender does not contradict the pronoun; with
    `fallback`, a capitalised name in the preceding text is used when no mention fits.
    """
    word = text[mention[0] : mention[1]]
    low = word.lower()
    if low not in PRONOUNS and (" " in word or not word[:1].isupper()):
        return None  # a full mention refers to itself
    if low in REFERRING_PRONOUNS:
        earlier = _earlier(text, mention, named, cache)
        wrong = "m" if low == "she" else "f"
        right = "f" if wrong == "m" else "m"
        for m in reversed(earlier):
            if mention[0] - m[1] > 4000:
                break
            mtext = text[m[0] : m[1]]
            if not (_PERSON.search(mtext) or len(_head_name(mtext)) > 1 or _new_person(mtext, right)) or _owned(mtext):
                continue  # no person, or a person's belonging ("Sanders’ campaign")
            full = _fullest(text, m, earlier, cache)
            g = mention_gender(text, full, cache)
            if g != wrong and (g is not None or fallback or mention[0] - m[1] < 300):
                return _subject_since(text, m[1], mention[0], wrong, cache, bare=g is None) or full
        if not fallback:
            return None
        subject = _subject_since(text, max(0, mention[0] - 800), mention[0], wrong, cache)
        if subject is not None:
            return subject
        window = text[max(0, mention[0] - 800) : mention[0]]
        base = mention[0] - len(window)
        for p in reversed(list(_PERSON.finditer(window))):
            names, titled = p.group(0).split(), False
            while names and (names[0].lower() in _NOT_FIRST or names[0] in _NOT_NAME):
                titled = titled or names[0] in _KEEP_CAP or names[0].lower() in ROLE_WORDS
                names.pop(0)  # "Neither Alan Grayson", "Despite Santilli"; "President Obama" keeps "Obama"
            if len(names) < 2 and names != p.group(0).split() and not titled:
                continue
            g = gender(" ".join(names)) if names else None
            if g == wrong or _inside_quotation(text, base + p.start(), mention[0]):
                continue
            if _role_mention(p.group(0)):
                return base + p.start(), base + p.end()  # "The Prime Minister"
            if names and (g is not None or not any(w in _NOT_A_PERSON for w in names)):
                return base + _titled_start(p, names), base + p.end()  # not "New Hampshire", "West Coast"
        return None
    if low in ("who", "which"):
        # "Ana Ruiz, who said ...": the relative pronoun stands for the phrase before the comma.
        comma = text.rfind(",", max(0, mention[0] - 3), mention[0])
        age = _AGE_BEFORE.search(text, max(0, comma - 8), comma) if comma > 0 else None
        if age:
            comma = age.start()  # "Liam Hart, 41, who said ...": the age is an appositive of the name
        return speaker_before(text, comma, max(0, comma - 200)) if comma > 0 else None
    if low in PRONOUNS:
        return None
    # A short mention ("Peskov") refers to an earlier fuller one ending in the same name.
    if len(word.split()) == 1 and word[:1].isupper():
        bare = _unpossessed(word)
        fuller = _last_fuller(text, mention, named, {} if cache is None else cache, bare)
        if fuller is not None:
            return fuller
        if fallback and len(bare) > 2:
            return _first_full_name(text, bare, mention[0], cache)
    return None


def _first_full_name(text: str, surname: str, before: int, cache: dict | None = None) -> tuple[int, int] | None:
    """The first mention before `before` (within 5,000 characters) of a person whose name ends in
    `surname`, with the title or role just before it: "Gov. Elena Marquez signed ..." for a later
    "Marquez told reporters". None when none is found or the first is the surname alone.

    `cache` (one dict per text) keeps what was found for a surname: a person's surname is looked
    up again for each later mention, and the first mention does not move."""
    lo = max(0, before - 5000)
    if cache is None:
        first = _first_surname(text, surname, lo, before)
    else:
        key = (_FIRST_FULL_NAME, surname, lo)
        first = cache.get(key)
        if first is None or (first[0] is None and first[1] < before):  # not found, but not looked for so far
            first = cache[key] = _first_surname(text, surname, lo, before)
    at, name_start, span = first
    if at is None or at + len(surname) > before or span is None or _inside_quotation(text, name_start, before):
        return None
    return span


_FIRST_FULL_NAME = "first full name"  # _first_full_name's keys in the per-text cache are (this, surname, lo)


def _first_surname(text: str, surname: str, lo: int, before: int) -> tuple:
    """(where `surname` is first mentioned as a word from `lo`, outside a headline; where the name
    ending there starts; that name with its title as _first_full_name gives it, or None when it is
    no full name). (None, `before`, None) when it is not mentioned before `before`: what is found
    does not depend on `before`, only whether it is found (a quotation is checked by the caller)."""
    at = text.find(surname, lo, before)
    while at >= 0:
        end = at + len(surname)
        if (end >= len(text) or not text[end].isalnum()) and (at == 0 or not text[at - 1].isalnum()) \
                and not _in_headline(text, at):
            m = next((m for st in _WORD_STARTS.finditer(text, max(lo, at - 40), at)
                      if (m := _NAME_BEFORE.fullmatch(text, st.start(), end))), None)
            if m is None:
                return at, at, None  # the first mention is the bare surname: nothing fuller to point to
            names = m.group(0).split()
            while names and (names[0].lower() in _NOT_FIRST or names[0] in _NOT_NAME
                             or (len(names) > 2 and gender(names[0]) is None)):
                names.pop(0)  # "(Supreme) Court Justice", "(Secretary of) State Hillary Clinton"
            if len(names) >= 2 and names[0] not in _CALENDAR \
                    and not any(w in _NOT_A_PERSON or w.lower() in _NOT_FIRST for w in names):
                return at, m.start(), (_titled_start(m, names), end)
            return at, m.start(), None
        at = text.find(surname, at + 1, before)
    return None, before, None


def _line_at(text: str, at: int, reach: int) -> str:
    """The line holding `at`, read at most `reach` characters either side (linear on one-line texts)."""
    start = text.rfind("\n", max(0, at - reach), at) + 1 or max(0, at - reach)
    end = text.find("\n", at, at + reach)
    return text[start : end if end >= 0 else at + reach]


def _in_headline(text: str, at: int) -> bool:
    """Whether the line holding `at` is in headline case (most of its words capitalised): a
    headline's or a link list's names run into their verbs ("Hollande Says Donald Trump ...")."""
    line = _line_at(text, at, 300)
    if len(line) >= 300:
        return False  # a headline is short (and a long line is read only near `at`: linear on one-line texts)
    words = line.split()
    return len(words) >= 4 and sum(w[:1].isupper() for w in words) >= 0.7 * len(words)


# A capitalised name of two to four words ending at a surname ("Elena Marquez", "Gov. Elena Marquez").
_NAME_BEFORE = re.compile(r"(?:(?:[A-Z][a-z]+\.?|[A-Z]\.)[ \t]+){1,3}[A-Z][\w’'-]+")
_CALENDAR = frozenset("January February March April May June July August September October November December "
                      "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split())
_WORD_STARTS = re.compile(r"(?<![\w.’'-])[A-Z]")


# (Written to open with one character class, which the regex engine scans for quickly: the same
# matches as r"(?:[.!?][\"”’']?\s+|\n\s*)(?=[A-Z])", an alternation it would try at every position.)
_SENTENCE_START = re.compile(r"[.!?\n](?:(?<=\n)\s*|(?<!\n)[\"”’']?\s+)(?=[A-Z])")
# After a subject's name: an optional appositive between commas, then a lowercase word (its verb).
_AFTER_SUBJECT = re.compile(r"(?:,[^,.;:!?\"“”\n]{1,80},)?\s+(?!of\b|and\b|or\b|in\b|at\b)[a-z]")
# A subject noun phrase and, after its comma, a few lowercase words of role before a name: "Her
# neighbor, retired firefighter [Tom Briggs], stayed behind".
_SUBJECT_THEN_NAME = re.compile(r"(?:The|A|An|Her|His|Their|Its|Our|My)\s[^,.;:!?\"“”]{1,60},\s+(?:[a-z][\w-]*\s+){0,3}")
# After a name that is itself an appositive ("The Commission president, Anne Duval, struck"): its
# closing comma, then the verb.
_AFTER_APPOSITIVE = re.compile(r",\s+(?!of\b|and\b|or\b|in\b|at\b|who\b|which\b)[a-z]")
# A sentence opening with one capitalised word and then its verb ("Delgado shrugs off ...").
_BARE_SUBJECT = re.compile(r"([A-Z][a-z]+(?:-[A-Z][a-z]+)?)" + _AFTER_SUBJECT.pattern)


# Capitalised words that open a sentence before a name without being part of it (not
# auxiliaries.txt, the floating-quantifier list, which this name used to shadow).
_OPENING_AUXILIARIES = frozenset({"was", "were", "is", "are", "had", "has", "have", "did", "does", "do", "will",
                                  "would", "could", "can", "should"})
_NOT_FIRST = frozenset(DETERMINERS | ROLE_WORDS | _FUNCTION_WORDS | _OPENING_AUXILIARIES | {
    "maybe", "perhaps", "then", "now", "when", "after", "before", "while", "if", "but", "and", "so",
    "neither", "nor", "either", "both", "despite", "unlike", "like", "as", "with", "without", "for", "thousands"})


def _titled_start(m: re.Match, names: list[str]) -> int:
    """Where a person's mention starts in the name match `m` whose last words are `names`: a title
    or role just before the name stays in it ("President Obama", "Governor Lee Chang"), a word
    that only opens the sentence does not ("Was", "Despite", "The")."""
    spans = [w.span() for w in re.finditer(r"\S+", m.group(0))]
    words = [m.group(0)[a:b] for a, b in spans]
    keep = len(words) - len(names)
    while keep > 0 and (words[keep - 1] in _KEEP_CAP or words[keep - 1].lower() in ROLE_WORDS) \
            and words[keep - 1].lower() not in _INSTITUTIONS:
        keep -= 1
    return m.start() + spans[keep][0]


# Role words that name a body, not a person's title: "(Secretary of) State Hillary Clinton".
_INSTITUTIONS = frozenset("state court house senate congress council committee department ministry party "
                          "government city county federal national white campaign administration".split())
# Words opening a phrase or clause before the subject: a name after them is not the subject.
_OPENS_PHRASE = frozenset({"with", "without", "despite", "unlike", "like", "as", "for", "after", "before", "while",
                           "when", "if", "in", "on", "at", "by", "from", "to", "of", "since", "although", "though"})
_QUOTE_MARK = re.compile(r"[\"“”]|''|``")


def _inside_quotation(text: str, start: int, end: int) -> bool:
    """Whether `start` lies inside a quotation that closes before `end`: the first quotation mark
    after it closes one (a curly closing mark, or a straight one after a word or a stop)."""
    m = _QUOTE_MARK.search(text, start, end)
    if m is None:
        return False
    mark = m.group(0)
    if mark in ("”", "''"):
        return True
    return mark == '"' and m.start() > start and not text[m.start() - 1].isspace()


def _subject_since(text: str, after: int, before: int, wrong: str, cache: dict | None,
                   bare: bool = True) -> tuple[int, int] | None:
    """A person named as the subject of the last sentence that starts between `after` and the
    pronoun at `before` (at most two sentences back), whose gender is not `wrong`: "Bruins captain
    Brad Marchand was blunt. 'We sat back,' he said." -> "Brad Marchand", over a speaker quoted
    before that sentence. A pronoun refers to the last person the text made its subject.

    The name may follow a few words of role or title ("The law's sponsor, state Sen. Max Burns,
    argued"); a name whose gender nothing tells ("Maybe Trump", "Ed Brookover") counts only after
    a role or title, and names of places and bodies ("Las Vegas", "Supreme Court") never.

    A sentence opened by a bare surname ("Delgado shrugs off the praise.") counts only with `bare`:
    when the speaker before it may be the pronoun's too (its gender fits), a known person's
    background sentence does not take the pronoun from them ("Trump will be sworn in ... “…,” he
    said" is still Peskov's)."""
    lo = max(after, before - 600)
    for start in _last_sentence_starts(text, lo, before):
        if _inside_quotation(text, start, before):
            continue
        first = text[start : start + 12].split(" ", 1)[0].lower()
        if first in _OPENS_PHRASE:  # "With Lee beside him, Mayor Sam Ortiz opened ...": the clause after the comma
            comma = text.find(", ", start, min(before, start + 100))
            if comma < 0:
                continue
            start = comma + 2
        alone = _BARE_SUBJECT.match(text, start, before) if bare else None
        if alone is not None and alone.group(1) not in _NOT_NAME and alone.group(1).lower() not in _NOT_FIRST:
            # "Delgado shrugs off the praise.": a surname alone, for a person named in full before
            full = _first_full_name(text, alone.group(1), start, cache)
            if full is not None and mention_gender(text, full, cache) != wrong:
                return full
        # the first name that passes as the subject ("The European Commission president, Anne
        # Duval, struck ...": not the body, the person after it)
        for m in _PERSON.finditer(text, start, min(before, start + 120)):
            if m.start() == start and _role_mention(m.group(0)) and _AFTER_SUBJECT.match(text, m.end()):
                return m.span()  # "The Prime Minister has arrived in Kyiv."
            names = m.group(0).split()
            prefix = text[start : m.start()].replace(",", " ").split()
            while names and (names[0].lower() in _NOT_FIRST or names[0] in _NOT_NAME):
                if names[0].lower() in _OPENS_PHRASE:
                    break  # "With Merrick Garland, President Obama made ...": the name is no subject
                prefix.append(names.pop(0))  # "The Vermont", "Former Trump", "Mayor Sam Ortiz", "Was Szlachta"
            if names and names[0].lower() in _OPENS_PHRASE or any(w.lower() in _OPENS_PHRASE for w in prefix):
                continue
            after_role = _SUBJECT_THEN_NAME.fullmatch(text, start, m.start())  # "Her neighbor, retired firefighter"
            set_off = after_role or text[start : m.start()].rstrip().endswith(",")
            after = _AFTER_SUBJECT.match(text, m.end()) or (set_off and _AFTER_APPOSITIVE.match(text, m.end()))
            if len(names) < 2 or len(prefix) > 5 or not after \
                    or (any(w in _NOT_A_PERSON for w in names) and gender(" ".join(names)) is None):
                continue  # "Las Vegas", "Supreme Court"; but "Chris Park" is a person
            roles = [w for w in prefix if w in _KEEP_CAP or w.lower() in ROLE_WORDS]
            if any(not (w[:1].isupper() or w in roles or w.endswith(("'s", "’s"))) for w in prefix) and not after_role:
                continue  # a verb or preposition before the name: it is no subject ("spoke at the White House")
            if prefix and prefix[-1].lower() in _OPENING_AUXILIARIES:
                continue  # "Was Szlachta satisfied?", "Had Sanders won": a question or a condition
            span = (_titled_start(m, names), m.end())
            g = mention_gender(text, span, cache)
            if g == wrong or (g is None and not roles):
                continue
            return span
    return None


def _last_sentence_starts(text: str, lo: int, before: int) -> list[int]:
    """Where the last two sentences that start between `lo` and `before` start, the last first
    (the text's first sentence counts when `lo` is 0). Read from the end: only the periods of
    the last two are asked whether they close an abbreviation, not those of every sentence."""
    starts = []
    for m in reversed(list(_SENTENCE_START.finditer(text, lo, before))):
        if text[m.start()] != "." or not closes_abbreviation(text, m.start(), max(0, m.start() - 20)):
            starts.append(m.end())
            if len(starts) == 2:
                return starts
    if lo == 0 and text[:1].isupper():
        starts.append(0)  # the text's first sentence
    return starts


def _new_person(mention: str, sex: str) -> bool:
    """An unnamed person the text introduces, of the pronoun's sex: "an agency spokeswoman" (not
    "the businessman", who is someone named before, nor "his campaign")."""
    return mention.split(" ", 1)[0].lower() in ("a", "an") and gender(mention) == sex


def _role_mention(mention: str) -> bool:
    """Whether a capitalised mention names a person by a role alone ("The Prime Minister", "The
    Governor"): its last word is a person's role, not a body ("The White House", "Supreme Court")."""
    words = mention.split()
    return words[0].lower() in DETERMINERS and len(words) >= 2 and words[-1].lower() in _PERSON_ROLES \
        and all(w[:1].isupper() for w in words[1:])


# Roles that stand for one person when capitalised after "The" ("The Prime Minister", "The Governor").
_PERSON_ROLES = frozenset("president minister governor mayor senator chancellor premier secretary chairman "
                          "chairwoman chair speaker spokesman spokeswoman spokesperson pope king queen prince "
                          "princess judge commissioner sheriff coach captain director ambassador general admiral "
                          "leader superintendent chief".split())


def _earlier(text: str, mention: tuple[int, int], named: list[tuple[int, int]],
             cache: dict | None) -> list[tuple[int, int]]:
    """The named mentions that end before `mention`, pronouns left out, among the 60 before it
    (only the last few dozen: keeps long texts linear).

    `cache` (one dict per text) keeps, for each `named` list, its mentions that are not
    pronouns and their places in it: each span is sliced and lower-cased once per text, not
    once per call."""
    if cache is None:
        stop = bisect.bisect_left(named, (mention[0], -1))
        return [m for m in named[max(0, stop - 60):stop]
                if m[1] <= mention[0] and text[m[0] : m[1]].lower() not in PRONOUNS]
    keep, lo, hi = _earlier_range(text, mention, named, cache)
    end = mention[0]
    return [m for m in keep[lo:hi] if m[1] <= end]


def _named_entry(text: str, named: list[tuple[int, int]], cache: dict) -> tuple:
    """(named, its mentions that are not pronouns, their places in it, where the fuller ones are
    by head name): made once per `named` list of a text and kept in `cache`."""
    key = (_NOT_PRONOUNS, id(named))
    entry = cache.get(key)
    if entry is None or entry[0] is not named:  # the list itself is kept, so its id is not reused
        keep, places = [], []
        by_head: dict[str, list[int]] = {}  # head name -> indices in `keep` of the mentions of 2+ words
        for i, m in enumerate(named):
            mtext = text[m[0] : m[1]]
            if mtext.lower() not in PRONOUNS:
                if len(mtext.split()) > 1:
                    by_head.setdefault(_head_name(mtext), []).append(len(keep))
                keep.append(m)
                places.append(i)
        entry = cache[key] = (named, keep, places, by_head)
    return entry


def _earlier_range(text: str, mention: tuple[int, int], named: list[tuple[int, int]],
                   cache: dict) -> tuple[list[tuple[int, int]], int, int]:
    """The non-pronoun mentions of `named` and the range [lo, hi) of them _earlier reads."""
    _, keep, places, _ = _named_entry(text, named, cache)
    stop = bisect.bisect_left(named, (mention[0], -1))
    lo = bisect.bisect_left(places, stop - 60)
    return keep, lo, bisect.bisect_left(places, stop, lo)


def _last_fuller(text: str, mention: tuple[int, int], named: list[tuple[int, int]], cache: dict,
                 bare: str) -> tuple[int, int] | None:
    """The last of _earlier's mentions that has two or more words and the head name `bare`: found
    through the per-text index of mentions by head name, not by reading each of the 60 again
    for every bare surname."""
    keep, lo, hi = _earlier_range(text, mention, named, cache)
    found = _named_entry(text, named, cache)[3].get(bare)
    if not found:
        return None
    end = mention[0]
    k = bisect.bisect_left(found, hi) - 1
    while k >= 0 and found[k] >= lo:
        m = keep[found[k]]
        if m[1] <= end:
            return m
        k -= 1
    return None


_NOT_PRONOUNS = "not pronouns"  # find_antecedent's keys in the per-text cache are (this, id(named))


def _fullest(text: str, m: tuple[int, int], earlier: list[tuple[int, int]],
             cache: dict | None = None) -> tuple[int, int]:
    """Prefer the longest earlier mention of the same person over a bare surname."""
    head = _head_name(text[m[0] : m[1]])
    best = m
    if not head:
        return m  # no name to match others by ("the company")
    for o in earlier:
        if (o[1] - o[0]) > (best[1] - best[0]) and _head_name(text[o[0] : o[1]]) == head \
                and not _owned(text[o[0] : o[1]]):
            best = o
    if best == m and " " not in text[m[0] : m[1]] and text[m[0] : m[0] + 1].isupper():
        # a surname that spoke, named in full only where it did not speak: "Rosa Delgado was the
        # first to reopen. ... Delgado shrugs off the praise."
        return _first_full_name(text, _unpossessed(text[m[0] : m[1]]), m[0], cache) or m
    return best


# A name owning what the mention names ("Bernie Sanders’ campaign", "Mr. Rubio's advisers"): a
# possessive, then lowercase words only up to the end of the mention ("Hill's attorney, Diane
# Foster" names her after the comma).
_OWNED = re.compile(r"[A-Z][\w.-]*['’]s?(?:\s+[a-z][\w-]*)+\s*$")


def _owned(mention: str) -> bool:
    """Whether a mention names a person's belonging, not the person ("Sanders’ aides")."""
    m = _OWNED.search(mention)
    return m is not None and "," not in mention[: m.start()]


# Where an appositive after an inverted speaker stops: the sentence's end, a quotation, a dash, a
# semicolon, a line break; or a comma that opens another clause (", adding", ", and he", ", as").
_APPOS_STOP = re.compile(r"[.!?;\n\"“”«»—–]|\s-\s|,\s+(?:\w+ing\b|and\b|but\b|as\b|while\b|when\b|because\b|"
                         r"before\b|after\b|although\b|though\b|so\b|then\b|in\s+a\b|on\s+\w+day\b)")
_APPOS_START = re.compile(r",\s+(\S+)")
# A person's name set off after a role, ending its sentence or clause: ", Dr. Naomi Fairweather.",
# with its own role before it: ", the architect David Linley."
_APPOS_NAME = re.compile(r",\s+((?:(?:the|an?) (?:[a-z][a-z-]+ ){1,3})?"
                         r"(?:(?:Dr|Mr|Mrs|Ms|Sen|Rep|Gov|Gen|Rev|Prof)\.\s+)?[A-Z][a-z][\w’'-]*"
                         r"(?:\s+(?:[A-Z]\.|[A-Z][a-z][\w’'-]*)){1,3})(?=[.,;:!?]?[\"”’']?(?:\s|$))")
_APPOS_MAX = 200


def appositive_after(text: str, sp: tuple[int, int], ceiling: int) -> tuple[int, int]:
    """`sp` (a speaker named after its cue: 'said Gemma Collins') with the appositive that follows
    it up to the end of the sentence ('said Gemma Collins, general secretary of the Allied Health
    Union.'); else `sp` unchanged.

    PolNeAR's guidelines put in the source the modifiers and subordinate phrases that identify it
    ("said Sterling Pratt, wine director at Schaefer's in Skokie, Ill."), and its gold does after
    an inverted name nine times in ten for an appositive opened by a determiner, a title or a
    lowercase noun. Left out: a participle (", adding ..."), another clause (", and ...", ", as
    ..."), a pronoun, and a relative clause that is an attribution of its own (", who said ...").
    """
    m = _APPOS_START.match(text, sp[1], ceiling)
    if m is not None and not text[sp[0]].isupper() and text[sp[1] - 1].isalnum():
        # 'said the study's lead author, Dr. Naomi Fairweather.': a role, then its person's name
        named = _APPOS_NAME.match(text, sp[1], ceiling)
        return (sp[0], named.end(1)) if named else sp
    if m is None or not text[sp[1] - 1].isalnum() or not text[sp[0]].isupper():
        return sp
    first = m.group(1).rstrip(",.;:")
    low = first.lower()
    if not first or low in PRONOUNS or low in _FUNCTION_WORDS or low in _NOT_MODIFIERS or low in _CLAUSE_LINKS \
            or first.endswith(("ing", "ed")) or (first[0].islower() and not first.replace("-", "").isalpha()) \
            or low in ("which", "that", "whom"):
        if low not in ("who", "whose", "a", "an", "the", "of") and not first[:1].isdigit():
            return sp
    end = min(ceiling, sp[1] + _APPOS_MAX)
    pos = m.start(1)
    while True:
        stop = _APPOS_STOP.search(text, pos, end)
        if stop is None:
            if end < ceiling:
                return sp  # no end of the sentence in reach: not sure where the phrase stops
            stop = _END.match(text, end)  # the paragraph or sentence ends the phrase
        if stop.group(0) == "." and text[stop.end():stop.end() + 1] == ",":
            pos = stop.end()  # "in Skokie, Ill., one of the top stores": no sentence ends before a comma
            continue
        abbreviation = stop.group(0) == "." and (closes_abbreviation(text, stop.start(), max(0, stop.start() - 12))
                                                 or _INITIALISM.search(text, max(0, stop.start() - 12), stop.end()))
        if abbreviation and not _SENTENCE_END_AFTER.match(text, stop.end()) or \
                _INITIALISM.search(text, max(0, stop.start() - 12), stop.end()) and _NEXT_WORD.match(text, stop.end()):
            pos = stop.end()  # "Ill.", "Jr.", "the U.S. Senate" inside the appositive
            continue
        if abbreviation and _NEXT_WORD.match(text, stop.end()) \
                and word_before(text, stop.start(), max(0, stop.start() - 12)) in _NAME_ABBREVIATIONS:
            pos = stop.end()  # "chief medical officer at St. Mary's Hospital": a name goes on after "St."
            continue
        break
    stop_at = stop.end() if abbreviation else stop.start()
    while text[stop_at - 1].isspace() or text[stop_at - 1] == ",":
        stop_at -= 1  # '“...,” said Ana Ruiz, the mayor, “...”': the comma before the next fragment
    if stop_at <= m.start(1) or (low in ("who", "whose") and find_cues(text, m.start(1), stop_at)):
        return sp
    return sp[0], stop_at


_INITIALISM = re.compile(r"(?<![\w.])(?:[A-Za-z]\.){2,}$")  # "U.S.", "C.I.A."
_NAME_ABBREVIATIONS = words("abbreviations", "name")  # "St.", "Sen.": a name comes after them
_NEXT_WORD = re.compile(r" [A-Za-z]")  # a word after an initialism goes on the phrase ("the U.S. Senate")
_END = re.compile(r"")
_SENTENCE_END_AFTER = re.compile(r"[\"”’']?(?:$|\s*\n|\s+[\"“‘']?[A-Z])")
