"""Mentions of stance targets in a text: the people, countries, organisations and issue
phrases it names, each mapped to its full canonical form.

    target_mentions(text) -> [(start, end, canonical target)]

How names are found (general rules, no list of the corpus's names):

- a *capitalised chain* ("RNC Chairman Reince Priebus", "Ku Klux Klan", "Bank of America") is
  cut at titles and honorifics ("Chairman", "Retired Lt. Gen.", "Attorney General"), at
  possessives and at dates; a leading function word or a sentence-initial word that is not a
  name ("But", "Hammering") goes, so only the name is left;
- a chain is a *person* (two to four name words, none of them a common word of the text), an
  *organisation* (an acronym, or a chain ending in an organisation word: "Party", "Agency",
  "Klan", "Times"), a *named issue* ("Iran Sanctions Act") or a country from the gazetteer
  ("Moscow", "the Kremlin" -> Russia); anything else (places, headline words) is no target;
- every shorter form of a name ("Trump", "Mr. Trump", "Hillary", "Wasserman Schultz") is a
  mention of the full form with the first name most used in the article ("Donald Trump",
  "Debbie Wasserman Schultz"), never a target of its own; an acronym is the organisation or
  named law it abbreviates ("ISA": "Iran Sanctions Act");
- *issue phrases* are noun phrases around an entity: "dialogue with the US", "the war in
  Ukraine", "US-Russia relations", "the Iran nuclear deal", "Obama administration".
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .cues import word_alternation

# Canonical target -> surface forms. Countries and bodies that news quotes take sides on;
# capitals stand for their governments ("Moscow says ...").
ALIASES: dict[str, tuple[str, ...]] = {
    "United States": ("United States", "U.S.", "US", "USA", "U.S.A.", "America", "Washington"),
    "Russia": ("Russia", "Moscow", "Kremlin", "Russian Federation"),
    "Ukraine": ("Ukraine", "Kyiv", "Kiev"),
    "China": ("China", "Beijing"),
    "European Union": ("European Union", "EU", "E.U.", "Brussels"),
    "United Kingdom": ("United Kingdom", "Britain", "Great Britain", "UK", "U.K.", "London"),
    "NATO": ("NATO", "Nato"),
    "United Nations": ("United Nations", "UN", "U.N."),
    "Israel": ("Israel",), "Iran": ("Iran", "Tehran"), "Syria": ("Syria", "Damascus"),
    "Germany": ("Germany", "Berlin"), "France": ("France", "Paris"), "Japan": ("Japan", "Tokyo"),
    "India": ("India", "New Delhi"), "Mexico": ("Mexico",), "Canada": ("Canada", "Ottawa"),
    "North Korea": ("North Korea", "Pyongyang"), "South Korea": ("South Korea", "Seoul"),
    "Turkey": ("Turkey", "Ankara"), "Saudi Arabia": ("Saudi Arabia", "Riyadh"),
    "Palestine": ("Palestine", "Palestinians"), "Taiwan": ("Taiwan", "Taipei"),
    "Congress": ("Congress",), "Republican Party": ("Republicans", "GOP", "G.O.P.", "Republican Party", "Republican party"),
    "Democratic Party": ("Democrats", "Democratic Party", "Democratic party"), "White House": ("White House",),
    "Supreme Court": ("Supreme Court",), "Hamas": ("Hamas",), "Hezbollah": ("Hezbollah",),
    "Islamic State": ("Islamic State", "ISIS", "ISIL", "Daesh"), "Taliban": ("Taliban",),
}
# Other countries: each is its own only surface.
COUNTRIES = """Afghanistan Albania Algeria Angola Argentina Armenia Australia Austria Azerbaijan Bahrain
Bangladesh Belarus Belgium Bolivia Bosnia Brazil Bulgaria Cambodia Cameroon Chile Colombia Congo Croatia
Cuba Cyprus Czechia Denmark Ecuador Egypt Estonia Ethiopia Finland Georgia Ghana Greece Guatemala Haiti
Honduras Hungary Iceland Indonesia Iraq Ireland Italy Jamaica Jordan Kazakhstan Kenya Kosovo Kuwait
Latvia Lebanon Libya Lithuania Malaysia Mali Moldova Mongolia Morocco Myanmar Nepal Netherlands Nicaragua
Niger Nigeria Norway Oman Pakistan Panama Paraguay Peru Philippines Poland Portugal Qatar Romania Rwanda
Senegal Serbia Singapore Slovakia Slovenia Somalia Spain Sudan Sweden Switzerland Tajikistan Tanzania
Thailand Tunisia Turkmenistan Uganda Uruguay Uzbekistan Venezuela Vietnam Yemen Zambia Zimbabwe""".split()
for _c in COUNTRIES:
    ALIASES.setdefault(_c, (_c,))
for _c in ("New Zealand", "South Africa", "Sri Lanka", "Czech Republic", "United Arab Emirates",
           "Costa Rica", "Dominican Republic", "El Salvador", "Ivory Coast"):
    ALIASES.setdefault(_c, (_c,))
SURFACE = {s: canon for canon, forms in ALIASES.items() for s in forms}

# Titles, ranks and roles: never part of a name; they cut a chain ("RNC Chairman Reince Priebus").
TITLES = set("""
President President-elect Vice Prime Minister Chancellor Secretary Senator Sen. Representative Rep.
Congressman Congresswoman Governor Gov. Mayor Chairman Chairwoman Chair Director Spokesman
Spokeswoman Spokesperson Press Ambassador General Gen. Lt. Lieutenant Colonel Col. Sgt. Sergeant
Captain Capt. Major Maj. Admiral Adm. Commander Cmdr. Retired Ret. Former Acting Deputy Assistant
Chief Executive Officer CEO Founder Co-founder Judge Justice Attorney Mr. Mrs. Ms. Dr. Prof. Professor
Rev. Reverend Pope King Queen Prince Princess Sheikh Speaker Leader Majority Minority Whip Candidate
Nominee Author Host Anchor Commissioner Superintendent Sheriff Agent Analyst Editor Columnist
Correspondent Reporter Chairperson Treasurer Counsel Adviser Advisor Aide Strategist Pastor Bishop
Cardinal Rabbi Imam Dean Coach Lord Lady Sir Dame Ayatollah Premier Emir Sultan Councilman
Councilwoman Councillor Delegate Trooper Officer Private Corporal Cpl. Pvt. Hon. Atty. Supt. Pres.
Sec. Insp. Inspector Detective Det. Marshal Commandant Gov Sen Rep Mr Mrs Ms Dr Lt Gen Col Sgt
Capt Maj Adm Rev Hon Sgt Jr. Sr. Jr Sr II III IV Exclusive Breaking Watch Update Updated Opinion Editorial Analysis
""".split())
# Capitalised words that start sentences or headlines but never a name.
FUNCTION_WORDS = set("""
The A An But And Or Nor In On At For From With By To Of Off Up This That These Those It Its He She
They We I You His Her Their Our My Your When While If As After Before Although Though Since
Because Among Under Over Now Then Like Unlike Every Each Both All Some Many Most Much More Few
Meanwhile However Also Yet So Still Even Only Just What Why How Who Whom Whose Where Which There
Here Dear Yes No Not Never Please Thank Thanks Despite During Until Upon Into Onto Through
Without Within Across Against Between Beyond Near Per Via Whether Instead Indeed Perhaps Maybe
Once Twice Already Again Later Earlier Today Tonight Tomorrow Yesterday Last Next First Second
Third Another Other Such Same Own Any None Nothing Everything Something Anything Everyone Someone
Anyone Nobody Everybody Somebody Let Do Does Did Is Are Was Were Be Been Has Have Had Will Would
Can Could Should Must May Might Shall Asked Told Said Says According Read See Click Photo Image
Video Getty AP Reuters AFP EPA Mr Mrs Ms Oh Well Sure Okay OK Hey Wow Abstract Full Text Moreover
Furthermore Nevertheless Nonetheless Additionally Finally Ultimately Overall Regardless Otherwise
Therefore Thus Hence Besides Again Sometimes Often Clearly Obviously Certainly Apparently
""".split())
MONTHS_DAYS = set("""
January February March April May June July August September October November December Jan Feb
Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Monday Tuesday Wednesday Thursday Friday Saturday Sunday
Jan. Feb. Mar. Apr. Jun. Jul. Aug. Sep. Sept. Oct. Nov. Dec.
""".split())
# Adjectives of nationality, party and creed: before a person they are a description
# ("Republican Donald Trump"), not part of the name.
MODIFIERS = set("""
Russian American Ukrainian Chinese British French German European Israeli Iranian Syrian Iraqi
Afghan Saudi Turkish Japanese Korean Indian Pakistani Mexican Canadian Palestinian Egyptian Polish
Italian Spanish Greek Dutch Swedish Norwegian Danish Finnish Belarusian Georgian Cuban Venezuelan
Brazilian Australian Irish Scottish Welsh English Republican Democratic Democrat Conservative Liberal
Labour Tory Progressive Independent Libertarian Muslim Christian Jewish Catholic Evangelical
Sunni Shia Shiite Western Eastern Northern Southern Soviet Federal National State Senior Junior Veteran
Longtime Top New Young Old Late Then Current Incoming Outgoing Fellow Rival Presidential
""".split())
# Last words of organisation names.
ORG_WORDS = set("""
Party Committee Association Council Agency Department Ministry University College Institute
Foundation Commission Court Congress Senate Parliament Assembly Duma Cabinet Caucus Times News Post
Journal Network Networks Corp Corp. Corporation Inc Inc. Company Co. Bank Office Service Services
Administration Campaign Coalition Union League Center Centre Board Bureau Authority Group Fund
Organization Organisation Alliance Movement Front Forces Army Navy Guard Police Klan Federation
Society Club Church Project Airlines Airways Airport Media Press Studios Broadcasting Magazine Review
Monitor Tribune Herald Gazette Telegraph Guardian Channel Radio TV Reserve Conference Academy School
Hospital Trust Partners Holdings Industries Systems Labs Records Books Institution Watch Action
Brigade Brigades Command Corps Secretariat Directorate Tribunal Exchange Insider Examiner Observer
Daily Weekly Today Fund Foundation Initiative Network Council Forum Companies Motors Group Times
Republicans Democrats Mosque Synagogue Cathedral Station Laboratory Lab Team Squad Institute Legion
""".split())
# Last words of named issues: laws, agreements, plans ("Iran Sanctions Act", "Paris Agreement").
ISSUE_WORDS = set("""
Act Agreement Accord Accords Treaty Deal Plan Bill Amendment Doctrine Protocol Statement
Resolution Declaration Care Reform Pact Charter Program Programme
""".split())
# Last words of places: a chain ending so is no target ("Great Barrier Reef", "Terre Haute County").
PLACE_WORDS = set("""
Street St. Avenue Ave. Road Rd. Boulevard Blvd. Lane Drive County City Town Village River Lake
Mountain Mountains Mount Mt. Island Islands Beach Valley Bay Reef Park Square Ocean Sea Desert Canyon
Falls Heights Coast Peninsula Region Province District Strait Gulf Harbor Harbour Hills Hill Springs
Plaza Bridge Hall Tower Building Stadium Arena Center Hotel Airport Capitol Avenue Range Basin Forest
""".split()) - {"Center", "Airport"}
US_STATES = set("""
Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Hawaii Idaho
Illinois Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan Minnesota
Mississippi Missouri Montana Nebraska Nevada Ohio Oklahoma Oregon Pennsylvania Tennessee Texas Utah
Vermont Virginia Wisconsin Wyoming Carolina Dakota Hampshire Jersey Mexico York Island Columbia
""".split())
# Particles inside a person's name ("Bill de Blasio", "Ludwig van Beethoven").
_PARTICLES = {"de", "van", "von", "der", "da", "bin", "al", "la", "le", "du", "del"}

# One capitalised token: a word ("Peskov", "O'Malley", "McCain", "Wasserman-Schultz"), an
# acronym ("NATO", "G.O.P."), an initial ("J."), a title abbreviation ("Gen.", "Lt.").
_ABBR_WORDS = """Mr Mrs Ms Dr Sen Rep Gov Gen Lt Col Sgt Capt Maj Adm Cmdr Rev Hon Atty Pres Sec Supt
Jr Sr St Mt Ft Prof Ret Cpl Pvt Det Insp Corp Inc Co""".split()
_ABBR = r"(?:" + word_alternation(_ABBR_WORDS) + r")\."
_NAME_REST = r"[a-z]+(?:[A-Z][a-z]+)*(?:-[A-Z]?[a-z]+)*"  # a name after its capital
_TOKEN = (r"(?:" + _ABBR + r"|(?:[A-Z]\.){2,}|[A-Z]\.(?=\s[A-Z])|(?:Mc|Mac|O['’]|D['’])?[A-Z]" + _NAME_REST
          + r"|[A-Z]{2,}[a-z]?)")


def _first_token(not_after: str) -> str:
    """(?<![not_after])_TOKEN, written so that every branch opens with its capital letter and
    the check follows it (as _first_letter_alternation below): a pattern that opens with a
    look-around, even (?=[A-Z]), gives the regex engine no first character to skip to, so it
    tries every position of the text; one that opens with letters lets it skip to capitals.
    Each capital's branch lists what _TOKEN tries after that capital, in _TOKEN's order."""
    abbr_rests: dict[str, list[str]] = defaultdict(list)
    for w in _ABBR_WORDS:
        abbr_rests[w[0]].append(w[1:])
    branches = []
    for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        tails = [r"(?:" + word_alternation(abbr_rests[c]) + r")\."] if c in abbr_rests else []
        tails += [r"\.(?:[A-Z]\.)+", r"\.(?=\s[A-Z])"]  # (?:[A-Z]\.){2,} and [A-Z]\.(?=\s[A-Z])
        if c == "M":
            tails += ["c[A-Z]" + _NAME_REST, "ac[A-Z]" + _NAME_REST]  # "McCain", "MacArthur"
        elif c in "OD":
            tails.append("['’][A-Z]" + _NAME_REST)  # "O'Malley", "D’Amato"
        tails += [_NAME_REST, "[A-Z]+[a-z]?"]  # "Peskov"; "NATO", "GOPs"
        branches.append(f"{c}(?<![{not_after}].)(?:" + "|".join(tails) + ")")
    return "(?:" + "|".join(branches) + ")"


# A space inside a name: any white space but a line break (a name never runs on into the next
# line: a credit "Getty Images" above a caption "Image caption, ...", a header "Forum" above
# "Politics & Current Affairs").
_GAP = r"[^\S\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]"
_CHAIN = re.compile(
    _first_token(r"\w.’'@#/-") + r"(?:['’]s?)?(?:(?:" + _GAP + "|" + _GAP
    + r"(?:of|for|of the|de|van|von|der|da|bin|al|la|le|du|del)" + _GAP + r")"
    + _TOKEN + r"(?:['’]s?)?)*(?![\w@])"
)
_PIECE = re.compile(r"\s+(?:(?:of the|of|for|de|van|von|der|da|bin|al|la|le|du|del)\s+)?")
_CONNECTOR_WORDS = frozenset("of the for de van von der da bin al la le du del".split())  # _PIECE's words
_POSSESSIVE = ("'s", "’s", "'", "’")
_POSSESSIVE_LAST = frozenset("s'’")  # the last characters of _POSSESSIVE's endings
_LOWER_WORD = re.compile(r"(?<![\w.])[a-z]+(?![a-z])")
_OPENERS = set(".!?:;…\"“‘([—–-\n")


def _opens_sentence(text: str, pos: int) -> bool:
    """True when text[pos] starts a sentence, line or quotation (its capital says nothing)."""
    k = pos - 1
    while k >= 0 and k > pos - 4 and text[k] in " \t":
        k -= 1
    return k < 0 or text[k] in _OPENERS


# --- names ---------------------------------------------------------------------------------

class _LowerWords:
    """`word in lower`: does `word` stand in the text as a whole lower-case word ("step" in "a
    step forward")? Looked up with str.find for the first few dozen words (an article has a few
    dozen names), then one scan of the whole text answers the rest (a text of thousands)."""

    LIMIT = 64

    def __init__(self, text: str):
        self.text = text
        self.seen: dict[str, bool] = {}
        self.all: set[str] | None = None

    def __contains__(self, low: str) -> bool:
        if low not in self.seen:
            if self.all is not None or len(self.seen) >= self.LIMIT:
                if self.all is None:
                    self.all = _lower_words(self.text)
                self.seen[low] = low in self.all
            else:
                self.seen[low] = self._find(low)
        return self.seen[low]

    def _find(self, low: str) -> bool:
        text = self.text
        if not (low.isascii() and low.isalpha() and low.islower()):
            return False
        at = text.find(low)
        while at >= 0:
            before = text[at - 1] if at else " "
            after = text[at + len(low)] if at + len(low) < len(text) else " "
            if not (before.isalnum() or before in "_.") and not ("a" <= after <= "z"):
                return True
            at = text.find(low, at + 1)
        return False


_NOT_LOWER = re.compile(r"[^a-z]")


def _lower_words(text: str, chunk: int = 1 << 16) -> set[str]:
    """set(_LOWER_WORD.findall(text)), read 64K characters at a time: a huge text's words are
    never all in one list (a 5 MB line held a million of them, 50 MB of strings at once). Each piece
    ends before a character that is no lower-case letter, so no word is cut; the look-behind
    sees the text before a piece."""
    if len(text) <= chunk:
        return set(_LOWER_WORD.findall(text))
    out: set[str] = set()
    pos = 0
    while pos < len(text):
        stop = _NOT_LOWER.search(text, min(len(text), pos + chunk))
        end = stop.start() if stop else len(text)
        out.update(_LOWER_WORD.findall(text, pos, end))
        pos = end
    return out


def _headline_case_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of short lines written in Title Case (headlines: "Carly Fiorina Endorses Ted
    Cruz"), where capitals do not mark names."""
    out = []
    pos = 0
    for line in text.split("\n"):
        if len(line) < 14 or len(line) > 150:  # a paragraph, or too short for three words of four letters: no headline
            pos += len(line) + 1
            continue
        upper, lower = _word_cases(line)
        if lower <= 1 and (upper >= 4 or (upper >= 3 and lower == 0)):
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


_LINE_OPENERS = "\"“‘'("


def _word_cases(line: str) -> tuple[int, int]:
    """(capitalised, other) words of four letters or more in a line, opening quotes and brackets
    stripped; the count of others stops at two, which no headline has (most short lines are
    prose: a caption, a byline)."""
    upper = lower = 0
    for w in line.split():
        if len(w) < 4:  # stripping can only shorten it
            continue
        c = w[0]
        if c in _LINE_OPENERS:
            w = w.lstrip(_LINE_OPENERS)
            if len(w) < 4:
                continue
            c = w[0]
        if c.isalpha():
            if c.isupper():
                upper += 1
            else:
                lower += 1
                if lower == 2:
                    break
    return upper, lower


def _token_words(chain: str, start: int) -> list[tuple[int, int, str, str]]:
    """(start, end, word, connector-before) of each token of a chain."""
    if " " not in chain and "\n" not in chain and "\t" not in chain:
        return [(start, start + len(chain), chain, "")]
    words = chain.split(" ")
    if words == chain.split() and _CONNECTOR_WORDS.isdisjoint(words):
        # most chains: words one space apart with no 'of' or 'de' among them, which is what
        # _PIECE finds between them (without its regex and match objects)
        out = []
        pos = start
        for word in words:
            out.append((pos, pos + len(word), word, ""))
            pos += len(word) + 1
        return out
    out = []
    pos = 0
    connector = ""
    for m in _PIECE.finditer(chain + " "):
        word = chain[pos:m.start()]
        if word:
            out.append((start + pos, start + m.start(), word, connector))
        connector = m.group(0).strip()
        pos = m.end()
    return out


def _strip_possessive(word: str) -> tuple[str, bool]:
    if word[-1:] not in _POSSESSIVE_LAST:  # most words: no possessive ending can match
        return word, False
    for p in _POSSESSIVE:
        if word.endswith(p) and len(word) > len(p) + 1:
            return word[: -len(p)], True
    return word, False


# A name segment, as a plain tuple (tens of thousands in a long article: a tuple is made in C,
# a class's instance through its __init__):
#     (start, end, words, after a title, sentence-initial, in a Title Case line, connected)
# "connected": joined by 'of'/'for' ("Department of Justice"), an organisation's name.
_Segment = tuple
_START, _END, _WORDS, _AFTER_TITLE, _INITIAL, _HEADLINE, _CONNECTED = range(7)  # its fields, where read one by one


def _segments(text: str, headline: list[tuple[int, int]]) -> list[_Segment]:
    """Name segments: capitalised chains cut at titles, possessives, dates and function words."""
    out: list[_Segment] = []
    append, pieces_of, opens_sentence = out.append, _chain_pieces, _opens_sentence
    hl = iter(headline)
    cur = next(hl, None)
    skip = _SKIP_ALONE
    for m in _CHAIN.finditer(text):
        chain = m.group()
        if chain in skip:  # most chains are one sentence-initial "The", "But", "He"
            continue
        pieces = pieces_of(chain)
        if not pieces:
            continue
        start = m.start()
        while cur is not None and cur[1] < start:
            cur = next(hl, None)
        in_headline = cur is not None and cur[0] <= start <= cur[1]
        if len(pieces) == 1:  # most chains: one name
            s, e, words, after_title, initial, connected = pieces[0]
            append((start + s, start + e, words, after_title, initial and opens_sentence(text, start),
                    in_headline, connected))
            continue
        opens = pieces[0][4] and opens_sentence(text, start)  # asked only when a piece opens the chain
        for s, e, words, after_title, initial, connected in pieces:
            append((start + s, start + e, words, after_title, initial and opens, in_headline, connected))
    return out


@functools.lru_cache(maxsize=1 << 16)
def _chain_pieces(chain: str) -> tuple[tuple[int, int, tuple[str, ...], bool, bool, bool], ...]:
    """The segments of one chain, offsets relative to its start: (start, end, words, after a
    title, sentence-initial when the chain opens a sentence, joined by 'of'/'for'). Chains
    repeat ("Trump", "Mr. Trump"), so each is cut once."""
    if " " not in chain and "\n" not in chain and "\t" not in chain:  # one word: what the loop below does to it
        word = _strip_possessive(chain)[0]
        if word in TITLES or word.rstrip(".") in TITLES or word in MONTHS_DAYS or word in FUNCTION_WORDS:
            return ()
        return ((0, len(word), (word,), False, True, False),)
    plain = _plain_chain_piece(chain)
    if plain is not None:
        return plain
    toks = _token_words(chain, 0)
    pieces: list[tuple[list[tuple[int, int, str]], bool, bool]] = [([], False, True)]
    connected: set[int] = set()  # pieces joined by 'of'/'for': organisation names
    for s, e, word, connector in toks:
        word, possessive = _strip_possessive(word)
        e = s + len(word)
        seg = pieces[-1][0]
        joined = False  # "Department of Justice": the name goes on after 'of'
        if connector and seg and connector not in _PARTICLES:
            if not _keeps_connector(seg[-1][2], connector):
                pieces.append(([], False, False))
            else:
                connected.add(id(seg))
                joined = True
        if (word in TITLES or word.rstrip(".") in TITLES or word in MONTHS_DAYS) and not joined:
            pieces.append(([], word not in MONTHS_DAYS, False))
            continue
        seg, after_title, initial = pieces[-1]
        if not seg and (word in FUNCTION_WORDS or connector):
            pieces[-1] = (seg, after_title, initial and word in FUNCTION_WORDS)
            continue
        seg.append((s, e, word))
        if possessive:
            pieces.append(([], False, False))
    return tuple((seg[0][0], seg[-1][1], tuple(w for _, _, w in seg), after_title, initial, id(seg) in connected)
                 for seg, after_title, initial in pieces if seg)


# Words at which _chain_pieces cuts a chain or reads it word by word: titles, dates and the
# connectors of _PIECE ("of", "de").
_CUT_WORDS = frozenset(TITLES | MONTHS_DAYS | _CONNECTOR_WORDS)


def _plain_chain_piece(chain: str) -> tuple | None:
    """_chain_pieces of most chains of two words or more, without its loop over the words: words
    one space apart, none a title, a date, a connector or a possessive, are one piece, less any
    function words that open it ("The Rachel Maddow Show"); () when they are all function words.
    None for any other chain."""
    words = chain.split(" ")
    if "'" in chain or "’" in chain or words != chain.split() or not _CUT_WORDS.isdisjoint(words) \
            or ("." in chain and not TITLES.isdisjoint(w.rstrip(".") for w in words)):
        return None
    start = 0
    for i, word in enumerate(words):
        if word not in FUNCTION_WORDS:
            return ((start, len(chain), tuple(words[i:]), False, True, False),)
        start += len(word) + 1
    return ()


def _keeps_connector(word: str, connector: str) -> bool:
    """"Department of Justice", "Young Americans for Freedom": the word before 'of'/'for' heads
    an organisation name; "Trump of New York", "Hayes of the Weekly Standard" are two names."""
    return word in ORG_WORDS or word in ISSUE_WORDS or (connector == "for" and word.endswith("s") and len(word) > 3
                                                        and word[:-1] not in SURFACE)


# Time zones written after a clock time (a live blog's "17.20 CET"): capitals, but no organisation.
_TIME_ZONES = frozenset("GMT BST UTC CET CEST EET EEST WET WEST EST EDT CST CDT MST MDT PST PDT AKST AKDT HST "
                        "AEST AEDT ACST AWST NZST NZDT JST KST IST".split())


def _is_acronym(word: str) -> bool:
    letters = word.replace(".", "")
    return len(letters) >= 2 and letters.isupper() and letters.isalpha()


def _classify(words: tuple[str, ...], lower: _LowerWords, after_title: bool) -> str | None:
    """'person' | 'org' | 'issue' | None (not a target: a place, a headline phrase, junk)."""
    kind = _classify_words(words)
    if kind is not _PERSON_UNLESS_LOWER:
        return kind
    if not after_title:
        for w in words:  # (a loop: no generator to make, as any() would need)
            if len(w) > 2 and w.lower() in lower:
                return None  # "Great Barrier", "Step Forward": words the text also uses in lower case
    return "person"


_PERSON_UNLESS_LOWER = "person unless lower"  # _classify_words: the text decides


@functools.lru_cache(maxsize=1 << 16)
def _classify_words(words: tuple[str, ...]) -> str | None:
    """_classify on the words alone (cached across articles: names recur), or
    _PERSON_UNLESS_LOWER when it depends on the text's lower-case words."""
    last = words[-1]
    if last in MODIFIERS and len(words) > 1:
        return None  # "Alabama Democratic": a description, not a name
    if last in PLACE_WORDS or (len(words) == 1 and words[0] in US_STATES):
        return None
    if last in ORG_WORDS and len(words) >= 2:
        return "org"
    if last in ISSUE_WORDS and len(words) >= 2:
        return "issue"
    if len(words) == 1:
        if _is_acronym(last):
            return None if last in _TIME_ZONES else "org"  # "17.20 CET": a clock's zone, no body
        return "name"  # a single name word: a surname, a first name or a one-word body
    if any(_is_acronym(w) and len(w.replace(".", "")) > 1 for w in words):
        return None
    if len(words) > 4:
        return None
    if all(w in US_STATES or w in {"New", "North", "South", "West", "East"} for w in words):
        return None
    return _PERSON_UNLESS_LOWER


@functools.lru_cache(maxsize=1 << 16)
def _classify_word(word: str) -> str | None:
    """_classify of a one-word segment (it needs no context: cached across articles)."""
    return _classify((word,), _NO_WORDS, False)


_NO_WORDS: frozenset[str] = frozenset()


def _leading_cut(words: tuple[str, ...], sentence_initial: bool, connected: bool, lower: _LowerWords,
                 capital_elsewhere: set[str]) -> tuple[int, tuple[str, ...]] | None:
    """A name segment's words with a sentence-initial word that is not a name ("Hammering
    Hillary") and modifiers before a person ("Republican Donald Trump") dropped: (characters cut
    from the start, words left), or None when nothing is left."""
    start = 0
    if sentence_initial and words:
        w = words[0]
        if len(words) > 1 and w not in capital_elsewhere \
                and ((len(w) >= 7 and w.endswith(("ing", "ed", "ly"))) or w.lower() in lower):
            start += len(w) + 1
            words = words[1:]
    rest = _cut_descriptions(words, connected)
    return None if rest is None else (start + rest[0], rest[1])


@functools.lru_cache(maxsize=1 << 16)
def _cut_descriptions(words: tuple[str, ...], connected: bool) -> tuple[int, tuple[str, ...]] | None:
    """The rest of _leading_cut, on the words alone (cached across articles: names recur):
    modifiers and epithets, then a country, before a name."""
    start = 0
    while len(words) > 1 and (words[0] in MODIFIERS or words[0].lower() in _epithets()) \
            and words[-1] not in _ORG_OR_ISSUE and not connected:
        start += len(words[0]) + 1
        words = words[1:]
    # A country before a name or role ("Russia President Vladimir Putin", "US Republican ...").
    for n in (3, 2, 1):
        head = " ".join(words[:n])
        if len(words) > n and head in SURFACE and words[-1] not in _ORG_OR_ISSUE:
            start += len(head) + 1
            words = words[n:]
            break
    if not words:
        return None
    return start, words


@functools.cache
def _epithets() -> frozenset[str]:
    """Single evaluative words of the stance lexicons (lexicons/favor.txt, against.txt): before a
    name they are an epithet, not part of it ("Crooked Hillary Clinton" is Hillary Clinton)."""
    out = set()
    for name in ("favor.txt", "against.txt"):
        with open(_LEXICONS / name, encoding="utf-8") as f:
            out.update(w for w in (line.strip() for line in f) if w and not w.startswith("#") and " " not in w)
    return frozenset(out)


_LEXICONS = Path(__file__).parent / "lexicons"


class _computed_once:  # a decorator, named like functools.cached_property
    """functools.cached_property without the lock Python 3.11 takes on each first read (a
    microsecond: an article corpus has thousands of names; Python 3.12 dropped the lock): the
    value goes into the instance's __dict__, which later reads find first."""

    def __init__(self, func):
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __get__(self, obj, cls=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)
        return value


@dataclass(eq=False)
class _Name:  # compared by identity: two chains with the same forms are still two names
    kind: str
    forms: defaultdict = field(default_factory=lambda: defaultdict(int))  # form -> count (not a Counter: cheaper to make)
    key: list = field(default_factory=list)  # the words of its longest form, which founded it

    @_computed_once
    def canonical(self) -> str:  # asked once its forms are all in
        if len(self.forms) == 1:  # most names: the one form is the best
            best = next(iter(self.forms))
            return _without_initial(best) if self.kind == "person" else best
        full = [f for f in self.forms if len(f.split()) >= 2] or list(self.forms)
        if self.kind == "person" and self.key:
            # a person's name opens with the first name ("Debbie Wasserman Schultz", however
            # often the text says "Wasserman Schultz")
            full = [f for f in full if f.split()[0] == self.key[0]] or full
        best = max(full, key=lambda f: (self.forms[f], len(f.split()), len(f), f))
        return _without_initial(best) if self.kind == "person" else best


_MIDDLE_INITIAL = re.compile(r"(?<=\S) [A-Z]\.(?= \S)")


@functools.cache
def _initialed_names() -> frozenset[str]:
    """People known by their middle initial (lexicons/initialed_names.txt)."""
    with open(_LEXICONS / "initialed_names.txt", encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if line.strip() and not line.startswith("#"))


def _without_initial(name: str) -> str:
    """"Donald J. Trump" -> "Donald Trump": a person's target is written as annotators write
    it, without the middle initial some newspapers add, unless the person is known by it
    ("George W. Bush"; lexicons/initialed_names.txt). A name that opens with an initial keeps
    them all ("J. Edgar Hoover", "C. V. Starr")."""
    if ". " not in name or name in _initialed_names() or name[1:2] == ".":
        return name
    return _MIDDLE_INITIAL.sub("", name)


_CONNECTORS = ("of", "for", "and")


def _initials(name: str, connectors: bool = False) -> str:
    """"Iran Sanctions Act" -> "ISA"; with `connectors`, "of", "for" and "and" count too:
    "Department of Justice" -> "DOJ", "Organizing for Action" -> "OFA"."""
    return "".join(w[0].upper() for w in name.split() if w[0].isupper() or (connectors and w in _CONNECTORS))


def entity_mentions(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, canonical target, kind) for every mention of a person, organisation,
    country or named issue, each mapped to its full form."""
    lower = _LowerWords(text)
    headline = _headline_case_lines(text)
    raw = _segments(text, headline)
    capital_elsewhere: set[str] = set()  # words capitalised mid-sentence, or inside a chain
    for _s, _e, words, _t, initial, in_headline, _c in raw:
        if not in_headline:
            if len(words) == 1:
                if not initial:
                    capital_elsewhere.add(words[0])
            else:
                capital_elsewhere.update(words[1:] if initial else words)

    names: list[_Name] = []
    by_full: dict[str, _Name] = {}
    # (segment, form, kind): the form is its text with spaces tidied ("Bill de Blasio"; a
    # no-break space inside a name, "Donald\xa0Trump", is a space)
    kinds: list[tuple[_Segment, str, str | None]] = []  # each segment with its leading words cut
    cuts: dict[tuple, tuple | None] = {}  # a name recurs: strip and classify each form once
    classified: dict[tuple, str | None] = {}
    # Full names (two words or more) found in body text, each with its count, and the kind of
    # each form that is a person, an organisation or an issue (the last segment's, if they differ).
    fulls: dict[str, int] = {}
    kind_of: dict[str, str] = {}
    for seg in raw:
        start, end, words, after_title, initial, in_headline, connected = seg
        if len(words) > 1:
            key = (words, initial, connected)
            cut = cuts.get(key, ())
            if cut == ():
                cut = cuts[key] = _leading_cut(words, initial, connected, lower, capital_elsewhere)
            if cut is None:
                continue
            words = cut[1]
            if cut[0] or initial:  # else nothing was cut: the segment stands as it is
                start += cut[0]
                seg = (start, end, words, after_title, False, in_headline, connected)
        one = len(words) == 1
        form = words[0] if one and words[0].isascii() else _tidy(text[start:end])
        if in_headline:
            kind = None
        elif connected:
            kind = "org"
        elif one:
            kind = _classify_word(words[0])
        elif form in SURFACE:
            kind = None  # "United States", "White House": the gazetteer's; any kind would go nowhere (_home_of)
        else:
            key = (words, after_title)
            kind = classified.get(key, "?")
            if kind == "?":
                kind = classified[key] = _classify(words, lower, after_title)
        kinds.append((seg, form, kind))
        if kind == "person" or kind == "org" or kind == "issue":
            kind_of[form] = kind
            if not one:
                fulls[form] = fulls.get(form, 0) + 1
    # Full names longest first, so that shorter forms join the chain of a longer one
    # ("Hillary Clinton" -> "Hillary Rodham Clinton").
    # People by (first word, last word) of their longest form: a shorter form looks only at
    # the chains it could join, so this stays linear in the number of names.
    people: dict[tuple[str, str], list[_Name]] = defaultdict(list)
    for form in sorted(fulls, key=lambda f: (-len(f.split()), -fulls[f], f)):
        if form in SURFACE:
            continue
        words = form.split()
        home = None
        if kind_of[form] == "person":
            others = people.get((words[0], words[-1]))
            if others:  # (most names: no longer one opens and ends with their words)
                short = {w for w in words if len(w) <= 2}
                home = next((other for other in others if set(words) <= set(other.key) | short), None)
        if home is None:
            home = _Name(kind_of[form], key=words)
            names.append(home)
            if home.kind == "person":
                people[(words[0], words[-1])].append(home)
                if len(words) >= 3:  # "Wasserman Schultz" is Debbie Wasserman Schultz
                    people[(words[1], words[-1])].append(home)
        home.forms[form] += fulls[form]
        by_full[form] = home
    # Single words: a surname or first name of a person, an acronym of an organisation.
    by_last: dict[str, _Name] = {}
    by_first: dict[str, list[_Name]] = defaultdict(list)
    by_initials: dict[str, _Name] = {}
    by_surname: dict[str, list[_Name]] = defaultdict(list)  # every person of a surname, most named first
    surname_only: dict[str, _Name] = {}  # "Mr. Obama" where only a woman of that name is named in full
    for n in sorted(names, key=lambda n: -sum(n.forms.values())):
        words = n.canonical.split()
        if n.kind == "person":
            for f in n.forms:
                last = f.split()[-1]
                by_last.setdefault(last, n)
                if n not in by_surname[last]:
                    by_surname[last].append(n)
            by_first[words[0]].append(n)
        elif n.kind in ("org", "issue") and len(words) >= 2:  # "ISA" for the Iran Sanctions Act
            by_initials.setdefault(_initials(n.canonical), n)
            by_initials.setdefault(_initials(n.canonical, connectors=True), n)
    singles: dict[str, _Name] = {}
    listable = _listable_single_words(kinds)
    out: list[tuple[int, int, str, str]] = []
    assigned: list[tuple[_Segment, _Name]] = []
    homes: dict[tuple, tuple] = {}  # (form, kind, one word, headline) -> where its segments go
    for seg, form, kind in kinds:
        words, in_headline = seg[_WORDS], seg[_HEADLINE]
        one = len(words) == 1
        key = (form, kind, one, in_headline)
        where = homes.get(key)
        if where is None:
            where = homes[key] = _home_of(form, kind, words, in_headline, lower, by_full, by_last, by_first,
                                          by_initials, singles, listable)
        if where[0] == "home":
            if where[2]:
                where[1].forms[where[2]] += 1
            home = where[1]
            if one and home.kind == "person" and text.find("M", max(0, seg[_START] - 5), seg[_START]) >= 0:
                # (_by_honorific's own first test, asked here: most names have no "Mr", "Mrs", "Ms" before them)
                home = _by_honorific(text, seg[_START], home, by_surname[words[0]], surname_only)
            assigned.append((seg, home))
        elif where[0] == "headline":
            # a Title Case line: find known names inside it ("Carly Fiorina Endorses Ted Cruz")
            _headline_names(seg, by_full, by_last, out)
    places = _places(text, assigned)
    single_ids = {id(n) for n in singles.values()}
    # a lone capitalised word that only ever opens a sentence is a common word ("Majorities
    # across ..."); a one-word name is written capitalised mid-sentence too
    mid_sentence = {id(home) for seg, home in assigned if id(home) in single_ids and not seg[_INITIAL]}
    for seg, home in assigned:
        key = id(home)
        if key in places:
            continue
        if key in single_ids and (sum(home.forms.values()) < 2 or (home.kind == "name" and key not in mid_sentence)):
            continue  # a lone word ("COVID", "Ohio") seen once: too little to call it a target
        kind = "org" if home.kind == "name" else home.kind
        out.append((seg[_START], seg[_END], home.canonical, kind))
    out += [(m.start(), m.end(), SURFACE[m.group()], "country") for m in _GAZETTEER.finditer(text)]
    out.sort()
    return _drop_nested_sorted(out)


_HONORIFIC = re.compile(r"\b(?:(Mr)|Mrs|Ms)\.?\s$")


def _by_honorific(text: str, start: int, home: _Name, same_surname: list[_Name],
                  surname_only: dict[str, _Name]) -> _Name:
    """"Mrs. Clinton" is the Clinton whose first name is a woman's when the article names a
    man of that surname too ("Bill Clinton"), "Mr. Obama" the man: the surname alone would go
    to the one named most. When no one of that gender and surname is named in full, the
    surname alone is the name ("Mr. Obama" in an article naming only "Michelle Obama": "Obama").
    First names: lexicons/quotes/female_words.txt, male_words.txt."""
    if text.find("M", max(0, start - 5), start) < 0:  # no "Mr", "Mrs", "Ms" before it: most names
        return home
    m = _HONORIFIC.search(text, max(0, start - 5), start)
    if m is None:
        return home
    want = "m" if m.group(1) else "f"
    if _first_name_gender(home.canonical) in (want, None):
        return home
    found = next((n for n in same_surname if _first_name_gender(n.canonical) == want),
                 next((n for n in same_surname if _first_name_gender(n.canonical) is None), None))
    if found is None:
        surname = home.canonical.split()[-1]
        found = surname_only.get(surname)
        if found is None:
            found = surname_only[surname] = _Name("person", key=[surname])
            found.forms[surname] = 1
    return found


@functools.cache
def _gendered_first_names() -> dict[str, str]:
    out = {}
    for gender, name in (("f", "female_words.txt"), ("m", "male_words.txt")):
        with open(_LEXICONS / "quotes" / name, encoding="utf-8") as f:
            for line in f:
                word = line.strip().lower()
                if word and not word.startswith("#"):
                    out.setdefault(word, gender)
    return out


def _first_name_gender(name: str) -> str | None:
    return _gendered_first_names().get(name.split()[0].lower())


def _home_of(form, kind, words, in_headline, lower, by_full, by_last, by_first, by_initials, singles,
             listable) -> tuple:
    """Where a segment's mention goes (`words`: its words; `in_headline`: in a Title Case line):
    ("home", name, word counted as a form of a one-word name or None), ("headline",) for a
    Title Case chain to search for known names, or ("none",). A lone word that is not
    `listable` (_listable_single_words) goes nowhere: it would not be listed anyway."""
    if form in SURFACE:
        return ("none",)
    home = by_full.get(form)
    if home is None and len(words) == 1:
        w = words[0]
        home = by_last.get(w)
        if home is None and len(by_first.get(w, ())) == 1:
            home = by_first[w][0]
        if home is None and w.isupper() and _is_acronym(w):  # (isupper: most words are no acronym, and no call)
            home = by_initials.get(w.replace(".", ""))
        if home is None and kind in ("org", "name"):
            if kind == "name" and (w in _NOT_ALONE or w.endswith(("ans", "ians", "ese", "ish"))
                                   or w not in listable or w.lower() in lower):
                return ("none",)
            return ("home", singles.setdefault(w, _Name("org" if kind == "org" else "name")), w)
    elif home is None and in_headline and len(words) >= 2:
        return ("headline",)
    return ("home", home, None) if home is not None else ("none",)


def _listable_single_words(kinds: list[tuple[_Segment, str, str | None]]) -> set[str]:
    """The lone words ("name" segments: "COVID", "Ohio") that entity_mentions can list as targets
    of their own: a lone word is dropped unless it is named twice, once mid-sentence (its last
    step), and a word also seen as a one-word organisation shares its home. For the others
    _home_of need not ask whether the text also writes them in lower case (a scan of the text
    each: a third of those asked)."""
    count: dict[str, int] = {}
    mid_sentence: set[str] = set()
    orgs: set[str] = set()
    for seg, _form, kind in kinds:
        if kind == "name":
            w = seg[_WORDS][0]
            count[w] = count.get(w, 0) + 1
            if not seg[_INITIAL]:
                mid_sentence.add(w)
        elif kind == "org" and len(seg[_WORDS]) == 1:
            orgs.add(seg[_WORDS][0])
    return {w for w in mid_sentence if count[w] >= 2} | orgs


_PLACE_PREPS = ("in", "at", "from", "near", "outside", "across", "around", "throughout", "to", "of")
_PLACE_BEFORE = re.compile(r"(?:\b(?:" + "|".join(_PLACE_PREPS) + r")|,)\s+(?:the\s+)?$")
_PLACE_TAILS = (*_PLACE_PREPS, ",", "the")  # what a text ends with where _PLACE_BEFORE matches (spaces stripped)
# (word_alternation: a trie of the names, not a list the regex engine tries one by one)
_PLACE_AFTER = re.compile(r",\s+(?:" + word_alternation(US_STATES | set(COUNTRIES)) + r")\b")


def _places(text: str, assigned: list[tuple[_Segment, _Name]]) -> set[int]:
    """Ids of names used as places: most mentions after 'in', 'at', 'from', ... or followed by
    ', <state or country>' ("in Des Moines", "Park Ridge, Illinois"). Organisations are exempt."""
    totals: dict[int, int] = {}  # name id -> its mentions
    votes: dict[int, int] = {}  # name id -> 2 a mention followed by a state, 1 one after 'in', 'at', ...
    for seg, home in assigned:
        kind = home.kind
        if kind == "org" or kind == "issue":
            continue
        start, end = seg[_START], seg[_END]
        key = id(home)
        totals[key] = totals.get(key, 0) + 1
        if text.startswith(",", end) and _PLACE_AFTER.match(text, end):
            votes[key] = votes.get(key, 0) + 2
        elif text[start - 1:start].isspace() \
                and text[max(0, start - 12):start].rstrip().endswith(_PLACE_TAILS) \
                and _PLACE_BEFORE.search(text, max(0, start - 12), start):
            votes[key] = votes.get(key, 0) + 1
    return {key for key, place in votes.items() if place * 2 > totals[key]}


def _headline_names(seg: _Segment, by_full: dict, by_last: dict, out: list) -> None:
    """Known names inside a Title Case chain, longest first from each position."""
    words = seg[_WORDS]
    pos = seg[_START]
    offsets = []
    for w in words:
        offsets.append(pos)
        pos += len(w) + 1
    i = 0
    while i < len(words):
        for j in range(min(len(words), i + 4), i, -1):
            form = " ".join(words[i:j])
            home = by_full.get(form) if j - i >= 2 else by_last.get(form)
            if home is not None:
                out.append((offsets[i], offsets[i] + len(form), home.canonical, home.kind))
                i = j
                break
        else:
            i += 1


def _drop_nested(mentions: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """Keep the outer mention where two overlap ("Iran" inside "Iran Sanctions Act")."""
    out: list[tuple[int, int, str, str]] = []
    for m in sorted(mentions, key=lambda m: (m[0], -m[1])):
        if out and m[0] < out[-1][1]:
            continue
        out.append(m)
    return out


def _drop_nested_sorted(mentions: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """_drop_nested of mentions already sorted, without sorting them again by (start, -end) (a
    key function called for each): of those that start together the first of the longest is
    the outer one, in place of any shorter one kept before it."""
    out: list[tuple[int, int, str, str]] = []
    for m in mentions:
        if out and m[0] == out[-1][0]:
            if m[1] > out[-1][1]:
                out[-1] = m
        elif not out or m[0] >= out[-1][1]:
            out.append(m)
    return out


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _first_letter_alternation(words: Iterable[str], not_after: str) -> str:
    """word_alternation(words) preceded by (?<![not_after]), written so that every branch opens
    with its capital letter and the check follows it: a pattern that opens with letters lets the
    regex engine skip to them (one that opens with a look-around tries every position)."""
    rests: dict[str, list[str]] = defaultdict(list)
    for w in words:
        rests[w[0]].append(w[1:])
    assert all(c.isascii() and c.isupper() for c in rests) and all(all(r) for r in rests.values())
    return "(?:" + "|".join(f"{re.escape(c)}(?<![{not_after}].)(?:{word_alternation(rests[c])})" for c in sorted(rests)) + ")"


# A country's surface form: "(?=[A-Z])(?<![\w.’'-])(?:<the forms>)", in the faster spelling above.
_GAZETTEER = re.compile(_first_letter_alternation(SURFACE, r"\w.’'-") + r"(?=\.?(?![\w.&’'-]|['’]s\b)|['’]s\b)")

# --- issue phrases -------------------------------------------------------------------------

ISSUE_HEADS = """dialogue talks negotiations relations ties war wars conflict deal agreement accord treaty
sanctions ban policy policies plan proposal reform law bill legislation program programme strategy
surveillance invasion occupation aid tariffs trade cooperation partnership peace ceasefire summit
investigation probe lawsuit recount strikes airstrikes attacks support administration campaign
government regime presidency nomination election elections withdrawal intervention blockade
embargo alliance""".split()
_ISSUE_HEAD_SET = set(ISSUE_HEADS)
# Heads that follow an entity as a compound ("Obama administration", "Iran deal").
_COMPOUND_HEADS = set(ISSUE_HEADS) - {"support", "attacks", "strikes", "aid", "trade", "peace"}
_PERSON_HEADS = {"administration", "campaign", "presidency", "nomination"}
_GOVERNMENT_HEADS = {"administration", "government", "regime", "presidency", "election", "elections", "campaign"}
_PREP_WORDS = ("with", "in", "on", "against", "between", "over", "toward", "towards", "to", "for", "of")
_PREP = "(?:" + "|".join(_PREP_WORDS) + ")"
_PREP_BEFORE = re.compile(r"\b" + _PREP + r"\s+(?:the\s+)?$")
_PREP_TAILS = (*_PREP_WORDS, "the")  # what a text ends with where _PREP_BEFORE matches (spaces stripped)
_DASH_GAP = re.compile(r"\s*[-–—/]\s*")
# An issue head and its preposition right before an entity: "dialogue with [the US]".
_HEAD_BEFORE = re.compile(r"\b(?P<the>the\s+)?(?P<head>" + "|".join(ISSUE_HEADS) + r")\s+(?P<prep>" + _PREP
                          + r")\s+(?:the\s+)?$")
_COMPOUND_RE = re.compile(r"\s*(?:(?:[-–—/]|\s+and\s+)\s*)?")
# The modifiers and heads as tries (word_alternation), which prefer the longer of two words
# sharing a prefix as the longest-first lists they replace did.
_MODIFIER_RE = re.compile(r"\s+(?:(?P<mod>" + word_alternation("""nuclear trade peace immigration foreign military
                          economic security energy climate tax health gun border sanctions free bilateral""".split())
                          + r")\s+)?(?P<head>" + word_alternation(_COMPOUND_HEADS) + r")\b")


def issue_mentions(text: str, entities: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, tuple]]:
    """(start, end, surface, key) of issue phrases around entity mentions: "dialogue with the
    US", "the war in Ukraine", "US–Russia relations", "the Iran nuclear deal". The key
    (head, entities) makes "dialogue with Washington" and "dialogue with the US" one issue."""
    at_start = {m[0]: m for m in entities}
    out = []
    for ent in entities:
        if ent[3] not in ("country", "org", "person"):
            continue
        if not text[ent[0] - 1:ent[0]].isspace():  # a preposition before it needs a space after it
            continue
        before = text[max(0, ent[0] - 14):ent[0]]
        if not before.rstrip().endswith(_PREP_TAILS) or not _head_word_before(text, ent[0]) \
                or not _PREP_BEFORE.search(text, max(0, ent[0] - 14), ent[0]):
            continue  # most: no preposition, or no issue head before it
        m = _HEAD_BEFORE.search(text, max(0, ent[0] - 40), ent[0])
        if m is None:
            continue
        if m.group("head") in ("support", "attacks", "strikes", "aid", "campaign", "administration", "government",
                               "regime", "presidency", "nomination", "election", "elections") \
                and m.group("prep") not in ("for", "on", "against", "of"):
            continue
        start = m.start() if m.group("the") else m.start("head")
        end = ent[1]
        names = [ent[2]]
        # "relations between Russia and the United States"
        nxt = re.match(r"\s+and\s+(?:the\s+)?", text[end:end + 12])
        if nxt and m.group("prep") == "between" and at_start.get(end + nxt.end()):
            second = at_start[end + nxt.end()]
            names.append(second[2])
            end = second[1]
        if _MODIFIES_NEXT.match(text, end):
            continue  # "war in Ukraine policy": the phrase goes on
        out.append((start, end, text[start:end], (m.group("head"), frozenset(names))))
    # Compounds: "US–Russia relations", "Iran nuclear deal", "Obama administration".
    ents = [e for e in entities if e[3] in ("country", "org", "person")]
    last = len(ents) - 1
    for i, ent in enumerate(ents):
        start, end = ent[0], ent[1]
        names = [ent[2]]
        if i < last:
            nxt = ents[i + 1]
            if nxt[0] - end <= 5 and _DASH_GAP.fullmatch(text, end, nxt[0]):  # (no slice of a long gap)
                names.append(nxt[2])
                end = nxt[1]
        m = _MODIFIER_RE.match(text, end)  # (it opens with a space: never at "Iran's deal")
        if m is None or (len(names) == 1 and ent[3] == "person" and m.group("head") not in _PERSON_HEADS):
            continue
        if len(names) == 1 and ent[3] != "person" and m.group("head") in _GOVERNMENT_HEADS:
            continue  # "the US administration" is the United States itself
        if _MODIFIES_NEXT.match(text, m.end()):
            continue
        the = text[max(0, start - 4):start]
        s = start - 4 if the.lower() == "the " else start
        if len(names) > 1:
            head = m.group("head")
            key = (head, frozenset(names))
        else:
            key = ((m.group("mod") + " " if m.group("mod") else "") + m.group("head"), frozenset(names))
        out.append((s, m.end(), text[s:m.end()], key))
    out.sort()
    return out


_HEAD_TAILS = tuple(ISSUE_HEADS)


def _head_word_before(text: str, pos: int) -> bool:
    """Whether _HEAD_BEFORE can match before `pos`, cheaply: its match ends '<head> <prep>
    [the] ', so the second or third last word of its 40-character window ends with an issue
    head. (The regex opens with a word boundary: it tries every position of the window.)"""
    words = text[max(0, pos - 40):pos].split()
    for w in words[-3:-1]:  # (a loop: no generator to make, as any() would need)
        if w.endswith(_HEAD_TAILS):
            return True
    return False


_MODIFIES_NEXT = re.compile(r"\s+(?:policy|policies|deal|plan|program|talks|officials?|leaders?|forces?|troops)\b")


# --- the pipeline --------------------------------------------------------------------------

def _fixed_mentions(text: str, fixed: Sequence[str]) -> list[tuple[int, int, str, str]]:
    out = []
    for name in fixed:
        if not name:
            continue
        for m in re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text, re.IGNORECASE):
            out.append((m.start(), m.end(), name, "fixed"))
    return out


def _all_mentions(text: str, fixed: Sequence[str] = ()) -> tuple[list, dict]:
    entities = entity_mentions(text)
    if fixed:
        entities = _drop_nested(sorted(_fixed_mentions(text, fixed) + entities, key=lambda m: (m[0], m[3] != "fixed")))
    issues = issue_mentions(text, entities)
    surfaces: dict[tuple, dict[str, int]] = defaultdict(dict)  # (a dict: cheaper to make than a Counter)
    for _s, _e, surface, key in issues:
        counts = surfaces[key]
        surface = _tidy(surface)
        counts[surface] = counts.get(surface, 0) + 1
    canon = {key: max(c, key=lambda s: (c[s], -len(s))) for key, c in surfaces.items()}
    kinds = {m[2]: m[3] for m in entities}
    mentions = [(s, e, t) for s, e, t, _k in entities]
    mentions += [(s, e, canon[key]) for s, e, _surface, key in issues]
    kinds.update({v: "issue" for v in canon.values()})
    mentions.sort()
    return mentions, kinds


def _tidy(surface: str) -> str:
    return " ".join(surface.split())


def target_mentions(text: str, fixed: Sequence[str] = ()) -> list[tuple[int, int, str]]:
    """(start, end, canonical target) for every mention of an entity target (person,
    organisation, country: "Trump" -> "Donald Trump", "Moscow" -> "Russia") and of an issue
    target ("dialogue with Washington" -> "dialogue with the US"), sorted by start. Issue
    phrases contain entity mentions: both are listed. `fixed` targets are found verbatim."""
    return _all_mentions(text, fixed)[0]


_DEPARTMENTS = set("Defense Defence State Justice Treasury Interior Commerce Energy Education Labor Health Homeland".split())
_NOT_ALONE = _DEPARTMENTS | TITLES | MODIFIERS | FUNCTION_WORDS | ORG_WORDS | ISSUE_WORDS | PLACE_WORDS | US_STATES | MONTHS_DAYS
_SKIP_ALONE = FUNCTION_WORDS | MONTHS_DAYS | TITLES
_ORG_OR_ISSUE = ORG_WORDS | ISSUE_WORDS
