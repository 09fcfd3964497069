"""The polarity a sentence expresses toward one mention in it: favor, against or neutral.

    >>> s = "Critics slammed Smith for the deal."
    >>> stance_polarity(s, s.index("Smith"), s.index("Smith") + len("Smith"))
    'against'

A small multinomial logistic regression over target-aware features, trained on NewsMTSC
(political news sentences labelled with their sentiment toward one named mention; positive ->
favor, negative -> against, neutral -> neutral) by `annotate.polarity_train`, which writes the
weights to data/polarity_model.tsv. No pretrained weights, no network: the features are

- the words of the sentence, of the mention's clause and of a window left and right of it;
- the mention itself and the words right next to it (its role: "X criticised", "criticised
  X", "X was accused");
- lexicon scores from VADER's word list (vaderSentiment, MIT) summed over the sentence, the
  mention's clause and a window weighted by distance, with negation ("not a good deal") turned
  around and the clause after a contrast word ("..., but") outweighing the one before it;
- evaluative-verb frames from data/polarity_words.txt: the mention as the object of
  criticism or praise, the subject of a passive one ("Y was accused of"), the agent after
  "by", and quoted words of negative valence near it (called Y a "liar").

The model and the lexicon are read once, on the first call. A call takes well under a
millisecond.
"""

from __future__ import annotations

import importlib.util
import math
import re
from functools import lru_cache
from pathlib import Path

LABELS = ("against", "neutral", "favor")
DATA = Path(__file__).resolve().parent / "data"
MODEL_FILE = DATA / "polarity_model.tsv"
WORDS_FILE = DATA / "polarity_words.txt"

WINDOW = 5  # words either side of the mention that count as its near context
NEGATION_SCOPE = 3  # words after a negator whose evaluation is turned around

_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
_CLAUSE_PUNCT = frozenset(",;:()—–-[]")


def stance_polarity(sentence: str, start: int, end: int) -> str:
    """'favor', 'against' or 'neutral': the polarity `sentence` expresses toward the mention
    `sentence[start:end]`."""
    scores = polarity_scores(sentence, start, end)
    return max(LABELS, key=lambda label: scores[label])


def polarity_scores(sentence: str, start: int, end: int) -> dict[str, float]:
    """The probability of each polarity toward `sentence[start:end]` ({'favor': 0.7, ...})."""
    if not 0 <= start < end <= len(sentence):
        raise ValueError(f"mention [{start}:{end}] is not inside a sentence of {len(sentence)} characters")
    weights, bias = _model()
    logits = list(bias)
    for name, value in features(sentence, start, end).items():
        w = weights.get(name)
        if w is not None:
            logits[0] += w[0] * value
            logits[1] += w[1] * value
            logits[2] += w[2] * value
    top = max(logits)
    exps = [math.exp(x - top) for x in logits]
    total = sum(exps)
    return {label: e / total for label, e in zip(LABELS, exps, strict=True)}


def lexicon_score(sentence: str, start: int, end: int) -> float:
    """The target-aware lexicon score alone (no learned weights): VADER valences of the words
    in the mention's clause and near it, negation turned around, 'but' clauses weighted, plus
    the evaluative-verb frames. > 0 leans favor, < 0 against. The rule baseline."""
    a = _analyse(sentence, start, end)
    return a["lex_clause"] + 0.5 * a["lex_near"] + 2.0 * (a["frame_favor"] - a["frame_against"])


# -- features ---------------------------------------------------------------------------------


def features(sentence: str, start: int, end: int) -> dict[str, float]:
    """Named feature values of one (sentence, mention): what the model weighs."""
    return _analyse(sentence, start, end)["features"]


def _tokens(sentence: str) -> list[tuple[str, int, int]]:
    """(normalised word, start, end) for each word or punctuation mark."""
    out = []
    for m in _TOKEN.finditer(sentence):
        word = m.group().lower().replace("’", "'")
        if word.endswith("'s") and len(word) > 2:
            word = word[:-2]
        out.append((word, m.start(), m.end()))
    return out


def _analyse(sentence: str, start: int, end: int) -> dict:
    words = _words()
    lexicon = _lexicon()
    toks = _tokens(sentence)
    n = len(toks)
    inside = [i for i, (_, s, e) in enumerate(toks) if s < end and e > start]
    if not inside:  # a mention inside one token's span (should not happen with real offsets)
        inside = [min(range(n), key=lambda i: abs(toks[i][1] - start))] if n else []
    m0, m1 = (inside[0], inside[-1]) if inside else (0, -1)
    tok = [t[0] for t in toks]

    # clauses: split at clause punctuation and contrast words; remember which follow a contrast
    clause_of = [0] * n
    after_contrast: set[int] = set()
    c = 0
    for i, w in enumerate(tok):
        if w in _CLAUSE_PUNCT or (w in words["contrast"] and i > 0):
            c += 1
            if w in words["contrast"]:
                after_contrast.add(c)
        clause_of[i] = c
    mclause = clause_of[m0] if inside else -1
    contrast_in_sentence = bool(after_contrast)

    # negation scope and quotation marks
    negated = [False] * n
    quoted = [False] * n
    scope = 0
    in_quote = False
    for i, w in enumerate(tok):
        if w in words["quote"] or w == '"':
            in_quote = not in_quote
            continue
        quoted[i] = in_quote
        if w in _CLAUSE_PUNCT or w in ".!?":
            scope = 0
        elif w in words["negator"] or w.endswith("n't"):
            scope = NEGATION_SCOPE
            continue
        elif scope:
            negated[i] = True
            scope -= 1

    f: dict[str, float] = {"bias:1": 1.0}
    lex_sent = lex_clause = lex_near = 0.0
    pos_sent = neg_sent = pos_clause = neg_clause = pos_near = neg_near = 0.0
    quoted_neg = quoted_neg_near = 0.0
    for i, w in enumerate(tok):
        if m0 <= i <= m1:
            continue
        prefix = "not_" if negated[i] else ""
        f["w:" + prefix + w] = 1.0
        same_clause = clause_of[i] == mclause
        if same_clause:
            f["c:" + prefix + w] = 1.0
        dist = (m0 - i) if i < m0 else (i - m1)
        if dist <= WINDOW:
            side = "L" if i < m0 else "R"
            f[f"{side}:{prefix}{w}"] = 1.0
        if i + 1 < n and not (m0 <= i + 1 <= m1):
            f[f"b:{w}_{tok[i + 1]}"] = 1.0
        v = lexicon.get(w)
        if v is None:
            continue
        if negated[i]:
            v = -0.74 * v  # VADER's own damping of a negated word
        if contrast_in_sentence:
            v *= 1.5 if clause_of[i] in after_contrast or clause_of[i] == max(clause_of) else 0.5
        lex_sent += v
        if v > 0:
            pos_sent += v
        else:
            neg_sent -= v
        if same_clause:
            lex_clause += v
            if v > 0:
                pos_clause += v
            else:
                neg_clause -= v
        near = v / (1.0 + dist / 3.0)
        lex_near += near
        if near > 0:
            pos_near += near
        else:
            neg_near -= near
        if quoted[i] and v < 0:
            quoted_neg -= v
            if dist <= 8:
                quoted_neg_near -= v

    # the mention itself, and the words right beside it (its grammatical role)
    if inside:
        mention_words = [w for w in tok[m0:m1 + 1] if w.isalnum()]
        for w in mention_words:
            f["m:" + w] = 1.0
        left1 = tok[m0 - 1] if m0 > 0 else "<s>"
        left2 = tok[m0 - 2] if m0 > 1 else "<s>"
        right1 = tok[m1 + 1] if m1 + 1 < n else "</s>"
        right2 = tok[m1 + 2] if m1 + 2 < n else "</s>"
        f["L1:" + left1] = 1.0
        f["L2:" + left2 + "_" + left1] = 1.0
        f["R1:" + right1] = 1.0
        f["R2:" + right1 + "_" + right2] = 1.0
        if m0 == 0 or (m0 == 1 and tok[0] in words["quote"]):
            f["role:first"] = 1.0
        if mclause in after_contrast:
            f["role:after_contrast"] = 1.0
        elif contrast_in_sentence:
            f["role:before_contrast"] = 1.0
        if any(negated[m0:m1 + 1]):
            f["role:negated"] = 1.0

    frames = _frames(tok, m0, m1, clause_of, mclause, negated, words) if inside else {}
    f.update(frames)
    for name, value in (
        ("lex:sent", lex_sent), ("lex:clause", lex_clause), ("lex:near", lex_near),
        ("lex:sent_pos", pos_sent), ("lex:sent_neg", neg_sent),
        ("lex:clause_pos", pos_clause), ("lex:clause_neg", neg_clause),
        ("lex:near_pos", pos_near), ("lex:near_neg", neg_near),
        ("lex:quoted_neg", quoted_neg), ("lex:quoted_neg_near", quoted_neg_near),
    ):
        if value:
            f[name] = _squash(value)
    frame_against = frames.get("frame:object_against", 0.0) + frames.get("frame:passive_against", 0.0)
    frame_favor = frames.get("frame:object_favor", 0.0) + frames.get("frame:passive_favor", 0.0)
    return {
        "features": f,
        "lex_clause": lex_clause,
        "lex_near": lex_near,
        "frame_against": frame_against,
        "frame_favor": frame_favor,
    }


def _frames(tok, m0, m1, clause_of, mclause, negated, words) -> dict[str, float]:
    """The mention's role toward an evaluative verb of data/polarity_words.txt, as features:
    frame:object_against  "critics slammed X", "attacks on X"   (X is evaluated)
    frame:passive_against "X was accused of", "X is criticised"  (X is evaluated)
    frame:subject_against "X criticised Y"                        (X evaluates)
    frame:agent_against   "was criticised by X"                   (X evaluates)
    and the same with _favor. A negated verb counts -1 ("did not praise X")."""
    out: dict[str, float] = {}
    n = len(tok)
    verbs = words["verbs"]

    def add(role: str, i: int, negated_verb: bool) -> None:
        name = f"frame:{role}_{verbs[tok[i]]}"
        out[name] = out.get(name, 0.0) + (-1.0 if negated_verb else 1.0)

    # object: within 3 words left of the mention, same clause ("slammed the X")
    for i in range(max(0, m0 - 3), m0):
        if tok[i] in verbs and clause_of[i] == mclause:
            role = "agent" if tok[m0 - 1] == "by" else "object"
            add(role, i, negated[i])
    # passive subject or active subject: after the mention, skipping auxiliaries and adverbs
    j = m1 + 1
    skip = {"has", "have", "had", "also", "repeatedly", "publicly", "not", "never", "openly",
            "again", "sharply", "strongly", "reportedly", "would", "will", "did", "does", "to"}
    neg = False
    while j < n and (tok[j] in skip or tok[j].endswith("n't")):
        neg = neg or tok[j] in ("not", "never") or tok[j].endswith("n't")
        j += 1
    if j < n and tok[j] in words["copula"]:
        k = j
        while k < n and (tok[k] in words["copula"] or tok[k] in skip or tok[k].endswith("n't")):
            neg = neg or tok[k] in ("not", "never") or tok[k].endswith("n't")
            k += 1
        if k < n and tok[k] in verbs:
            add("passive", k, neg)
    elif j < n and tok[j] in verbs:
        add("subject", j, neg)
    return out


def _squash(x: float) -> float:
    """Signed log scale, so one very charged word does not swamp the rest."""
    return math.copysign(math.log1p(abs(x)), x)


# -- data -------------------------------------------------------------------------------------


def _inflections(base: str) -> set[str]:
    forms = {base, base + "s", base + "es", base + "ed", base + "ing", base + "d"}
    if base.endswith("e"):
        forms |= {base[:-1] + "ing"}
    if base.endswith("y"):
        forms |= {base[:-1] + "ied", base[:-1] + "ies"}
    if len(base) > 2 and base[-1] not in "aeiouwxy" and base[-2] in "aeiou" and base[-3] not in "aeiou":
        forms |= {base + base[-1] + "ed", base + base[-1] + "ing"}
    return forms


@lru_cache(maxsize=1)
def _words() -> dict:
    classes: dict[str, set[str]] = {}
    verbs: dict[str, str] = {}
    for line in WORDS_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cls, word = line.split("\t")
        classes.setdefault(cls, set()).add(word)
        if cls in ("against", "favor"):
            for form in _inflections(word):
                verbs.setdefault(form, cls)
    classes["copula"] = {w.replace("’", "'") for w in classes["copula"]}
    return {**classes, "verbs": verbs}


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, float]:
    """VADER's word valences (-4..4), from the vaderSentiment package's own lexicon file."""
    spec = importlib.util.find_spec("vaderSentiment")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("annotate.polarity needs the vaderSentiment package (pip install vaderSentiment)")
    path = Path(next(iter(spec.submodule_search_locations))) / "vader_lexicon.txt"
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].replace("'", "").replace("-", "").isalpha():
            out[parts[0].lower()] = float(parts[1])
    return out


@lru_cache(maxsize=1)
def _model() -> tuple[dict[str, tuple[float, float, float]], tuple[float, float, float]]:
    """Weights per feature (against, neutral, favor) and the bias, read once."""
    weights: dict[str, tuple[float, float, float]] = {}
    for line in MODEL_FILE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        name, a, b, c = line.split("\t")
        weights[name] = (float(a), float(b), float(c))
    bias = weights.pop("bias:1", (0.0, 0.0, 0.0))
    return weights, bias
