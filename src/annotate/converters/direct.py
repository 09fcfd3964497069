"""Direct quotes: stretches between quote marks, attributed from the words next to them.

'"...," Peskov said', 'Peskov said: "..."', '"...," said Peskov', or carried over from the previous
fragment (interrupted and multi-paragraph quotes). Titles of works and scare quotes are left out.
"""

from __future__ import annotations

import bisect
import re

from .clauses import _words, clause_subject, sentence_subject
from .cues import (
    _CUE_WORD,
    _ED_THAT,
    CUE_WORD_CHARS,
    DIRECT_PARTICIPLES,
    DIRECT_RE,
    DIRECT_WORDS,
    SPEECH_RE,
    SPEECH_WORDS,
    find_cues,
    verb_forms,
    word_alternation,
)
from .frames import SCORES
from .indirect import _earlier_cue_source
from .lexicon import listed, pattern, words
from .speakers import appositive_after, speaker_after, speaker_before
from .text import trim

QUOTE_MARK = re.compile(r"''|[\"“”„«»‘’‚‹›「」『』]")
# The marks direct_spans reads: QUOTE_MARK less a ’ before a lowercase letter (the apostrophe of
# "Trump’s", "don’t": most marks in news), which changes nothing there (a ’ closes only before
# a non-letter). It opens with a character class, which the regex engine scans for quickly.
_MARK = re.compile(r"[\"“”„«»‘’‚‹›「」『』'](?:(?<=')'|(?<![’'])|(?<=’)(?![a-z]))")
OPENERS = "“„«‹「『"
CLOSERS = "”»›」』"
# What closes a quotation opened by each mark, where that is not simply any closer: German and
# Russian „…“ (or Polish „…”), guillemets either way round («…», »…«, ‹…›, ›…‹), CJK 「…」/『…』.
_CLOSED_BY = {"„": "“”", "«": "»", "»": "«", "‹": "›", "›": "‹", "「": "」", "『": "』"}
_COLON_END = re.compile(r":\s*$")
_STRAIGHT_RUN = re.compile('"+')
_PAIR_RUNS = True  # direct_spans pairs off runs of straight marks at once (tests compare it with False)


def direct_spans(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """Quoted stretches in one paragraph as (start, end, closed); marks included.

    Curly marks nest; straight marks (and the '' of some archives) open or close by
    position; an unclosed quote runs to the end of the paragraph (the news convention for
    quotes that go on in the next one). Besides English “…” and "…", the pairs „…“ „…”
    «…» »…« ‹…› 「…」 『…』 and single ‘…’ ‚…‘ are quotations. Single marks open only at a word
    start outside any other quotation and close only before a non-letter, since ‘ ’ and ‚ are
    also apostrophes and commas. Only the quote marks are visited, found by regex.
    """
    spans: list[tuple[int, int, bool]] = []
    stack: list[str] = []
    open_at = -1
    skip = start  # marks before this were read with a run of straight marks
    for m in _MARK.finditer(text, start, end):
        i = m.start()
        if i < skip:
            continue
        c = m.group(0)
        if c == '"' and not stack and _PAIR_RUNS and text.startswith('""', i, end):
            # A run of straight marks outside any quotation pairs off ("" "" ...), each pair an
            # empty quotation, as the steps below find it a mark at a time (one mark opens, the
            # next closes: it follows a non-space); an odd last mark is read as usual.
            pairs = (_STRAIGHT_RUN.match(text, i, end).end() - i) // 2
            spans.extend([(a, a + 2, True) for a in range(i, i + 2 * pairs, 2)])
            skip = i + 2 * pairs
            open_at = skip - 2
            continue
        j = m.end()
        prev = text[i - 1] if i > start else " "
        nxt = text[j] if j < end else " "
        if c == "''":
            c = '"'
        top = stack[-1] if stack else ""
        if top in _CLOSED_BY and c in _CLOSED_BY[top]:
            stack.pop()  # „…“, »…«, ‹…›, 「…」: the mark that closes this opener
            if not stack:
                spans.append((open_at, j, True))
        elif c in OPENERS:
            if not stack:
                open_at = i
            stack.append(c)
        elif c in CLOSERS:
            if stack and (c in "”»" or top in "‹›"):
                stack.pop()
                if not stack:
                    spans.append((open_at, j, True))
            elif not stack and c in "”»›" and (i == start or not text[i - 1].isalnum()) and nxt not in ",.;:!?":
                # A closing mark where an opening one belongs: "”This is ...”", or German »…« / ›…‹.
                open_at = i
                stack.append(c if c in "»›" else "“")
        elif c == '"':
            closing = bool(stack) and (not prev.isspace() or nxt.isspace() or nxt in ",.;:)")
            if stack and (closing or stack[-1] == '"'):
                stack.pop()
                if not stack:
                    spans.append((open_at, j, True))
            else:
                if not stack:
                    open_at = i
                stack.append(c)
        elif c in "‘‚" and stack == ["‚"] and not nxt.isalpha():
            stack.pop()  # ‚…‘ (German single quotes)
            spans.append((open_at, j, True))
        elif c in "‘‚":
            if stack or not (prev.isspace() or prev in "(—–-") or not nxt.isalnum():
                continue
            open_at = i
            stack.append(c)
        elif c == "’":
            if stack in (["‘"], ["‚"]) and not nxt.isalpha() and not _plural_possessive(text, i, end):
                stack.pop()
                spans.append((open_at, j, True))
    if stack and open_at >= 0 and end - open_at > 1:
        spans.append((open_at, end, False))
    if text.find("'", start, end) >= 0:
        spans = _with_single_straight(text, start, end, spans)
    return spans


# A closing single mark after a quotation's last word: , . ? ! then the mark, then no letter.
_SINGLE_CLOSE = re.compile(r"[,.?!]’(?![A-Za-z])")


def _plural_possessive(text: str, i: int, end: int) -> bool:
    """The ’ at `i` is the apostrophe of a plural possessive inside a single-quoted quotation
    ("‘The clubs’ owners are wrong,’ said ..."): after an s, before a lower-case word, with the
    quotation's own closing mark (after , . ? or !) still to come in the paragraph."""
    return text[i - 1:i] == "s" and text[i + 1:i + 2] == " " and text[i + 2:i + 3].islower() \
        and _SINGLE_CLOSE.search(text, i + 2, end) is not None


# A quotation in straight single marks, as British headlines and some wires write them: "'We will
# strike again,' says union leader", "Union leader: 'We will strike again'". The mark is also an
# apostrophe, so only a sure reading counts: it opens at a word start and closes after , . ? or !
# (or at the end of the paragraph), with no other ' inside except between two letters ("don't")
# or after the s of a plural possessive before a lower-case word ("the clubs' owners").
# (The look-behind comes after the opening mark, and tests the character before it: the same test,
# but the pattern opens with a literal, which the regex engine finds quickly; a pattern that opens
# with a look-behind is tried at every position.)
_SINGLE_STRAIGHT = re.compile(r"'(?<![\w']')(?=[A-Za-z0-9])(?:[^'\"\n]|(?<=\w)'(?=\w)|(?<=s)'(?= [a-z])){8,400}?"
                              r"(?:[,.?!]'(?![\w'])|'(?=[ \t]*$))", re.MULTILINE)


def _with_single_straight(text: str, start: int, end: int,
                          spans: list[tuple[int, int, bool]]) -> list[tuple[int, int, bool]]:
    """`spans` and the straight single quotations of text[start:end] outside them, in order."""
    found = [(m.start(), m.end(), True) for m in _SINGLE_STRAIGHT.finditer(text, start, end)
             if not any(a < m.end() and m.start() < b for a, b, _ in spans)]
    return sorted(spans + found) if found else spans


# A quotation mark that is no apostrophe: '' or one of the double and angle marks. Written to open
# with a character class (the regex engine scans for its first character quickly; a pattern that
# opens with an alternation is tried at every position): a ' matches only with a second one.
_REAL_QUOTE = re.compile(r"[\"“”„«»‹›「」『』'](?:(?<=')'|(?<!'))")
_AFTER_QUOTE = re.compile(r"\s*[,.!?]?\s*(?:[—–-]+\s*)?")
_QUOTED_AS = re.compile(r"(?:the\s+\w+\s+)?quoted\s+")
_RECIPIENT_CUES = {f for lemma in listed("recipient_verbs", "direct") for f in verb_forms(lemma)[1:3]}


# '"...," Ruiz went on': continuing speech after a quote.
_WENT_ON = re.compile(r"\b(?:went|goes)\s+on(?=\s*[,.:;]|\s+to\s+(?:say|add|note|explain|argue)\b)")


# What follows a cue that introduces the next quote rather than closing the one before.
_NEXT_QUOTE_FRAME = re.compile(r"(?:\s+(?:back|in|out|up|on|again|later|also))?\s*(?::|,\s*(?:''|[\"“]))")


# Words after a quote that open another clause, whose cue is not the quote's.
_NEW_CLAUSE = re.compile(pattern("clause_words", "new-clause") + r"\s", re.IGNORECASE)


def _attribute_direct(text: str, qs: int, qe: int, ps: int, pe: int) -> tuple[int, int] | None:
    """Speaker of a direct quote from the words right after or right before it."""
    m = _AFTER_QUOTE.match(text, qe, pe)
    pos = m.end() if m else qe
    window_end = min(pe, pos + 160)
    # '"...," said Peskov' / '"...," Peskov said' / '"...," the Kremlin spokesman told reporters'
    cue = DIRECT_RE.match(text, pos, window_end)
    if cue:
        sp = speaker_after(text, cue.end() + 1, window_end)
        if sp:
            return appositive_after(text, sp, pe)
    quoted = _QUOTED_AS.match(text, pos, window_end)
    if quoted:
        sp = speaker_after(text, quoted.end(), window_end)
        if sp:
            return sp
    cue = DIRECT_RE.search(text, pos, window_end) or _WENT_ON.search(text, pos, min(window_end, pos + 60))
    if cue and _NEW_CLAUSE.match(text, pos):
        cue = None  # '"a giveaway," while the White House insists ...': another clause's cue
    if cue and text[max(pos, cue.start() - 4):cue.start()] == " to ":
        cue = None  # "I had prepared a statement to read": an infinitive, not the quote's verb
    if cue and text[qe - 2:qe - 1] in ".?!" and _NEXT_QUOTE_FRAME.match(text, cue.end(), window_end):
        cue = None  # '“Why now?” Mills then writes back, “You look cute.”': it frames the next quote
    if cue and cue.group(0).lower() not in SPEECH_WORDS and text[qs:qe].rstrip("\"”’'»").endswith("."):
        cue = None  # '“We will build the wall.” Supporters cheered.': a new sentence, a manner verb
    if cue and not _REAL_QUOTE.search(text, pos, cue.start()):
        sp = speaker_before(text, cue.start(), pos)
        if sp and (sp[0] <= pos + 2 or (sp[0] <= pos + 60 and not _REAL_QUOTE.search(text, pos, sp[0])
                                         and not re.search(r"[.!?;]", text[pos:sp[0]])
                                         and not _CLAUSE_AFTER.search(text, pos, sp[0]))):
            return sp
    # Before: 'Peskov said: "...' / 'Peskov said, "...' / 'Peskov: "...' / 'X, saying, "...'
    floor = max(ps, qs - 200)
    before = text[floor:qs]
    if not before.strip():
        return None
    m = _cue_before_quote(before)
    if m:
        cue_at = floor + m.start(1)
        sp = speaker_before(text, cue_at, floor)
        if sp is None and m.group(1) not in _RECIPIENT_CUES and not m.group(1).endswith("ing") \
                and not text.startswith(" that ", floor + m.end(1)):  # "warned that conservatives “...”"
            sp = speaker_after(text, floor + m.end(1) + 1, qs)
            if sp is not None and _FINITE_NEXT.match(text, sp[1], qs):
                sp = None  # 'said his boss was “always kind”': the subject of what was said, not the speaker
        if sp is None and m.group(1).endswith("ing") and _SAID_THEN.search(before, 0, m.start(1)):
            # '"...," he said, adding, "..."': the participle's subject is the last cue's source
            sp = _earlier_cue_source(text, max(ps, floor), cue_at)
        if sp is None:
            sp = sentence_subject(text, cue_at, ps)
        if sp:
            return sp
    m = _COLON_END.search(before)
    if m:
        sp = speaker_before(text, floor + m.start(), floor)
        put = _PUT_IT.search(text, max(floor, floor + m.start() - 12), floor + m.start()) if sp else None
        if put is not None and sp[0] >= put.start(1):
            sp = speaker_before(text, put.start(), floor)  # "as Tom Ridge put it: ''...''": the idiom is the cue
        if sp is not None and _VERB_BEFORE.search(text, max(ps, sp[0] - 30), sp[0]):
            # "Sarah Silverman heckles Sanders supporters: “...”": the phrase before the colon is
            # the object of a verb; the sentence's subject speaks
            subject = sentence_subject(text, sp[0], ps)
            if subject is not None and subject[1] < sp[0]:
                sp = subject
        sp = sp or sentence_subject(text, floor + m.start(), ps)
        if sp:
            return sp
    return None


# A coordinated clause opening before a speaker: 'chanted “Fire Becker” during the game, and a
# radio host said ...': the host speaks in a clause of his own, not the quote's.
_CLAUSE_AFTER = re.compile(r"\w[^\w“”\"]*,\s+(?:" + pattern("clause_words", "new-clause") + r"|as)\s")


# A verb of saying closing its clause right before a participle: '"...," he said, adding, "..."'.
_SAID_THEN = re.compile(r"\b(?:said|says|wrote|writes|told\s+[\w.]+)\s*,\s*$")


# "put it" ("as Ridge put it:", "Ruiz puts it this way:"): "it" is no speaker.
_PUT_IT = re.compile(r"\s(?:put|puts|putting)\s+(it)(?:\s+this\s+way|\s+bluntly|\s+simply)?\s*$")


# A verb in the third person right before a noun phrase ("heckles", "slammed"): its object follows.
_VERB_BEFORE = re.compile(r"(?<![\w’'-])[a-z]{3,}(?:[^s’'\W]s|ed)\s+$")


_FINITE_NEXT = re.compile(r"\s+" + pattern("finite_verbs") + r"\b")
_CUE_BEFORE_QUOTE = re.compile(r"\b(" + word_alternation(DIRECT_WORDS | DIRECT_PARTICIPLES
                                                       | {"chanting", "calling", "posting", "reading"}) + r")\b"
                               r"([^.!?“”\"]{0,110}?)[:,]?\s*$")


def _cue_before_quote(before: str) -> re.Match | None:
    """'Peskov said: ' at the end of the text before a quote (cheap pre-checks first)."""
    lo = max(0, len(before) - 130)
    # (the six marks each looked for in turn, no generator: this runs for most quotations)
    start = max(before.rfind(".", lo), before.rfind("!", lo), before.rfind("?", lo),
                before.rfind("“", lo), before.rfind("”", lo), before.rfind('"', lo)) + 1
    start = max(start, lo)
    if _BEFORE_QUOTE_WORDS.isdisjoint(_LOWER.findall(before, start)):
        return None
    m = _CUE_BEFORE_QUOTE.search(before, start)
    while m:  # the cue nearest the quote: 'Asked if he thought ..., Devine responded: "...'
        later = _CUE_BEFORE_QUOTE.search(before, m.end(1))
        if later is None:
            return m
        m = later
    return None


_LOWER = re.compile(r"[a-z]+")
_BEFORE_QUOTE_WORDS = DIRECT_WORDS | DIRECT_PARTICIPLES | {"saying", "adding", "writing", "noting", "asking", "telling", "shouting",
                                      "chanting", "declaring", "insisting", "arguing", "warning", "tweeting",
                                      "explaining", "calling", "yelling", "replying", "responding", "posting",
                                      "reading", "screaming"}


_FRAME_WORDS = re.compile(r"\b" + pattern("frame_words") + r"\b")


# A paragraph that stops right after a cue ("Peskov replied that" + quote in the next line).
_FRAME_END = re.compile(r"\b(?:" + SPEECH_RE.pattern[2:-2] + r"|saying|adding)\s+that$|\b(?:" + SPEECH_RE.pattern[2:-2] + r"),$")


def _colon_frame_speaker(text: str, ps: int, pe: int) -> tuple[int, int] | None:
    """Speaker of a paragraph ending 'X said:' or 'X replied that' (its quote is the next one)."""
    if pe <= ps or text[pe - 1] not in ":t,":
        return None
    tail = text[max(ps, pe - 200):pe]
    if not tail.endswith(":") and not _FRAME_END.search(tail, max(0, len(tail) - 40)):
        return None
    base = pe - len(tail)
    found = find_cues(tail, 0, len(tail))
    m = found[-1] if found else None
    if m and not tail[m.end():-1].count("."):
        sp = speaker_before(text, base + m.start(), max(ps, base))
        if sp:
            return sp
    if _FRAME_WORDS.search(tail):
        return sentence_subject(text, pe - 1, ps)
    return None


# Short quoted words that end a sentence of their own ("Feel the Bern!", "unhinged.") are speech.
_SPOKEN_END = re.compile(r"[.!?,…](?:''|[\"”’»“‘«‹›」』])$")


_TITLE_BEFORE = re.compile(r"(?:[’']s|\bon|\bin|\bof|\bcalled|\btitled|\bnamed|\bshow|\bprogram|\bbook|\bfilm|"
                           r"\bmovie|\bseries|\bsong|\bcolumn|\bop-ed|\barticle)\s+$")


# Before a title of a work whatever its speaker: "on NBC's", "the documentary", "his book,".
_WORK_BEFORE = re.compile(r"(?:[’']s|\bon|\bin|\bshow|\bprogram|\bbook|\bfilm|\bmovie|\bseries|\bsong|\bcolumn|"
                          r"\bop-ed|\barticle|\bpodcast|\bdocumentary|\bnovel|\bmemoir|\bad|\bmagazine|\balbum|"
                          r"\bplay|\bmusical|\bsitcom|\bdrama|\bthriller|\bepisode|\bessay|\bpoem|\bspecial)[,:]?\s+$")


# Small words a title leaves in lower case ("Face the Nation", "Secret Lives of the Super Rich").
_TITLE_SMALL = words("title_small_words")
_TITLE_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_\w’'-]*")  # A-Za-z0-9_ besides \w: the same, faster


def _is_title(text: str, qs: int, qe: int, before: re.Pattern = _TITLE_BEFORE) -> bool:
    """Title-cased words ("Face the Nation.") after "on NBC's", "the book", ...: a title, not speech."""
    # Word by word, stopping at the first that is no title word (most quotations: the second
    # word); at most 11 are read (a longer quotation is no title), then the context before it.
    n = 0
    for m in _TITLE_WORD.finditer(text, qs, qe):
        w = m.group()
        if not (w[0].isupper() or (n and w in _TITLE_SMALL)):
            return False
        n += 1
        if n > 10:
            return False
    return n > 0 and bool(before.search(text, max(0, qs - 30), qs))


_CUE_CHAR = re.compile(f"[{CUE_WORD_CHARS}]")


def _last_cue(text: str, ps: int, pe: int, lo: int, qs: int, para: list) -> re.Match | None:
    """The last of find_cues(text, lo, qs), for ps <= lo <= qs <= pe, read off one scan of the
    paragraph that all its quotes share (`para`, filled on first use): a paragraph of thousands
    of quotations is scanned once, not 300 characters a quotation.

    A cue word found in the paragraph ends where it would in the window, except the word that
    touches `qs` (its lookahead sees the quote mark in one, the window's end in the other):
    that word is scanned in the window as find_cues does. Windows with an "-ed that" verb (the
    cues besides the lexicon's) are left to find_cues itself.
    """
    if text.find(" that ", lo, qs) >= 0 and _ED_THAT.search(text, lo, qs):
        found = find_cues(text, lo, qs)
        return found[-1] if found else None
    word = qs
    while word > lo and _CUE_CHAR.match(text, word - 1):
        word -= 1
    tail = list(_CUE_WORD.finditer(text, word, qs))
    if tail:
        return tail[-1]
    if not para:
        para.append(list(_CUE_WORD.finditer(text, ps, pe)))
        para.append([m.end() for m in para[0]])
    matches, ends = para
    k = bisect.bisect_right(ends, word) - 1
    return matches[k] if k >= 0 and matches[k].start() >= lo else None


def _nearby_subject(text: str, ps: int, pe: int, qs: int, para: list) -> tuple[int, int] | None:
    """The source of the last cue before an unattributed quote in the same paragraph."""
    m = _last_cue(text, ps, pe, max(ps, qs - 300), qs, para)
    if m is None:
        return None
    return speaker_before(text, m.start(), ps) or clause_subject(text, m.start(), ps)


def find_direct(text: str, ps: int, pe: int, prev: dict | None, group: int) -> tuple[list[dict], int]:
    """Direct quote fragments of one paragraph, attributed; `prev` is the last fragment before."""
    out: list[dict] = []
    para_cues: list = []  # the paragraph's cue words, scanned when a quote first needs them
    for qs, qe, closed in direct_spans(text, ps, pe):
        qe = trim(text, qs, qe, " \t")[1]
        if qe - qs < 3:
            continue
        sp = _attribute_direct(text, qs, qe, ps, pe)
        same_para = prev is not None and prev["para_start"] == ps
        continuing = prev is not None and (
            (not prev["closed"] and not same_para and text[prev["para_end"]:qs].count("\n") <= 2
             and not text[prev["para_end"]:qs].strip())
            or (same_para and qs - prev["end"] < 200 and prev["speaker"] is not None)
            or prev.get("frame_end") == qs
            or (qs == ps and prev["speaker"] is not None and not text[prev["para_end"]:ps].strip()
                and (prev["start"] <= prev["para_start"] + 1 or prev["end"] >= prev["para_end"] - 1) and sp is None)
        )
        if _is_title(text, qs, qe, _WORK_BEFORE) and (prev is None or prev["closed"]):
            continue  # "said on NBC's “Meet the Press.”", "his book, ''An American Son.''"
        if sp is None and _words(text, qs, qe) < 4:
            if not _SPOKEN_END.search(text, qs, qe) or _is_title(text, qs, qe):
                continue  # a scare quote, a title or a headline: left to the cue finder (mixed quotes)
            sp = sentence_subject(text, qs, ps) if qs > ps else None
        if continuing and prev["speaker"] is None and sp is not None and not prev["closed"]:
            g, score = prev["group"], SCORES["direct-speaker-at-end"]  # the speaker comes at the end
        elif continuing and (sp is None or sp == prev["speaker"] or (
                prev["speaker"] is not None and sp[0] == prev["speaker"][0] and sp[1] < prev["speaker"][1])):
            # '“A,” said Ana Ruiz, the mayor, “B.”': "Ana Ruiz" read before B is the start of A's speaker
            g, sp, score = prev["group"], prev["speaker"], SCORES["direct-continued"]
        else:
            group += 1
            g, score = group, SCORES["direct" if sp else "direct-unattributed"]
            if sp is None and qs > ps:
                sp = _nearby_subject(text, ps, pe, qs, para_cues)  # "He promised to stay. “We are in till the end!”"
                score = SCORES["direct-nearby"] if sp else score
        q = dict(start=qs, end=qe, quote_type="direct", speaker=sp, score=score, group=g,
                 closed=closed, para_start=ps, para_end=pe)
        out.append(q)
        prev = q
    return out, group
