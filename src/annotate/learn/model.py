"""The learned quote stage: a linear-chain CRF (CRFsuite) over the rule stage's output.

`train_model(sources, out_dir)` reads gold datasets / brat corpora, runs the rule stage on each
text, tags every token B/I/O against the gold Quote spans and trains a CRF (L-BFGS with
elastic-net regularisation) on features of the token, its neighbours and the rule quotes
(features.py). MODEL_DIR gets `model.crfsuite` and the model card `model.json`.

`load_model(dir).refine(text, quotes)` re-tags a text given the rule quotes: the CRF's Viterbi
path gives the quote spans; each keeps the speaker, type and cue of the rule quote it overlaps
most (a span no rule quote overlaps gets no speaker: the task marks it unattributed) and gets
a score from the CRF's marginals. A direct rule quote the CRF leaves out entirely is kept.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import os
import random
import time
from collections.abc import Callable
from pathlib import Path

from ..errors import UsageError
from ..redact import printable
from .data import Doc, read_sources
from .features import FEATURE_SET, features, token_span, tokenize

MODEL_FILE = "model.crfsuite"
CARD_FILE = "model.json"
CARD_FORMAT = "annotate-learned-model/1"
# When the model's spans replace, add to or drop the rule quotes (see Model.refine).
THRESHOLDS = {"adjust": 0.8, "add": 0.8, "drop": 0.9}  # tuned on pool docs 200-259, a 200-doc model
PARAMS = {"c1": 1.0, "c2": 0.01, "max_iterations": 120, "feature.possible_transitions": True}
_QUOTE_CHARS = "\"“”‘’'«»„‚‹›「」『』"
_TRIM = " \t\n\"“”‘’',."


def _import_crfsuite():
    try:
        import pycrfsuite
    except ImportError:  # pragma: no cover - the dependency is declared
        raise UsageError("the learned stage needs python-crfsuite: pip install 'annotate[learn]'") from None
    return pycrfsuite


def _rules(text: str) -> list[dict]:
    from ..converters.quotes import find_quotes

    return find_quotes(text)


def gold_labels(starts: list[int], ends: list[int], quotes: list[tuple[int, int]]) -> list[str]:
    """B/I/O of each token against the (non-overlapping, sorted) gold spans: a token is inside
    a span when it overlaps it."""
    n = len(starts)
    labels = ["O"] * n
    i = 0
    for qs, qe in quotes:
        i, j = token_span(starts, ends, i, qs, qe)
        if j > i:
            labels[i] = "B"
            for k in range(i + 1, j):
                labels[k] = "I"
        i = j
    return labels


def spans_of(labels: list[str]) -> list[tuple[int, int]]:
    """(first, last + 1) token indices of each B I* run (an I after O starts a span)."""
    out: list[tuple[int, int]] = []
    start = None
    for i, y in enumerate(labels):
        if y == "B" or (y == "I" and start is None):
            if start is not None:
                out.append((start, i))
            start = i
        elif y == "O" and start is not None:
            out.append((start, i))
            start = None
    if start is not None:
        out.append((start, len(labels)))
    return out


def quote_type(text: str, s: int, e: int) -> str:
    """direct (all in quote marks), mixed (some quoted words) or indirect."""
    inner = text[s:e].rstrip(".,")
    if len(inner) >= 3 and inner[0] in _QUOTE_CHARS and inner[-1] in _QUOTE_CHARS:
        if not any(c in _QUOTE_CHARS and c not in "’'" for c in inner[1:-1]):
            return "direct"
    marks = sum(1 for c in inner if c in "\"“”«»„‹›「」『』")
    return "mixed" if marks >= 2 else "indirect"


class Model:
    """A trained learned stage: `refine(text, quotes) -> quotes`; `version` names it."""

    def __init__(self, path: Path, data: bytes, card: dict):
        self.path = path
        self.card = card
        self.sha256 = hashlib.sha256(data).hexdigest()
        self.version = f"annotate-learned-{self.sha256[:12]}"
        self.thresholds = dict(THRESHOLDS, **(card.get("thresholds") or {}))
        pycrfsuite = _import_crfsuite()
        self._data = data  # the tagger reads the model from this buffer: keep it alive
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open_inmemory(self._data)

    def __reduce__(self):
        """Pickled as its directory: a worker process loads it once (load_model caches)."""
        return (load_model, (str(self.path),))

    def tag(self, text: str, quotes: list[dict]) -> tuple[list[int], list[int], list[str]]:
        starts, ends, words = tokenize(text)
        if not words:
            return starts, ends, []
        self._tagger.set(features(text, starts, ends, words, quotes))
        return starts, ends, self._tagger.tag()

    def _certainty(self, labels: list[str], a: int, b: int) -> float:
        """Mean marginal of the path's labels at a span's edges, just outside them and a few inside."""
        marginal = self._tagger.marginal
        probe = sorted({a, b - 1, *range(a, b, max(1, (b - a) // 4))})
        probs = [marginal(labels[t], t) for t in probe]
        if a > 0:
            probs.append(marginal(labels[a - 1], a - 1))
        if b < len(labels):
            probs.append(marginal(labels[b], b))
        return sum(probs) / len(probs)

    def _outside(self, starts: list[int], ends: list[int], s: int, e: int) -> float:
        """Mean marginal of O over a few tokens of text[s:e]: how sure the model is it is no quote."""
        a = bisect.bisect_right(ends, s)
        b = bisect.bisect_left(starts, e)
        if b <= a:
            return 0.0
        probe = sorted({a, b - 1, *range(a, b, max(1, (b - a) // 4))})
        return sum(self._tagger.marginal("O", t) for t in probe) / len(probe)

    def refine(self, text: str, quotes: list[dict]) -> list[dict]:
        """The rule quotes of `text` re-tagged by the model (same dict format, text order).

        A model span that overlaps rule quotes replaces them when its certainty is at least
        `adjust` and it leaves every direct rule quote as it is (their marks are reliable); one that overlaps none is added when at least `add`; a rule quote no accepted
        span overlaps stays unless the model is `drop` sure it is no quote (never a direct one)."""
        starts, ends, labels = self.tag(text, quotes)
        if not labels:
            return []
        th = self.thresholds
        by_start = sorted(quotes, key=lambda q: q["start"])
        group = max((q.get("group", 0) for q in quotes), default=0)
        out: list[dict] = []
        for a, b in spans_of(labels):
            s, e = starts[a], ends[b - 1]
            if not text[s:e].strip(_TRIM):
                continue
            score = round(self._certainty(labels, a, b), 3)
            best, overlap = None, 0
            for q in by_start:
                if q["start"] >= e:
                    break
                ov = min(e, q["end"]) - max(s, q["start"])
                if ov > overlap:
                    best, overlap = q, ov
            if best is not None:
                if score < th["adjust"] or any(
                        q["quote_type"] == "direct" and q["start"] < e and s < q["end"]
                        and (q["start"], q["end"]) != (s, e) for q in by_start):
                    continue  # not sure enough, or it would move a direct quote's marks: the rules stand
                q = dict(best, start=s, end=e, score=score)
                if (s, e) != (best["start"], best["end"]):
                    q["quote_type"] = quote_type(text, s, e)
                if q.get("speaker") and q["speaker"][0] < e and s < q["speaker"][1]:
                    q["speaker"] = None  # the span took in its speaker: leave it to the annotator
            else:
                if score < th["add"]:
                    continue
                group += 1
                q = {"start": s, "end": e, "quote_type": quote_type(text, s, e), "speaker": None,
                     "score": score, "group": group, "antecedent": None, "cue": "learned"}
            out.append(q)
        accepted = [(q["start"], q["end"]) for q in out]
        for q in quotes:
            if any(cs < q["end"] and q["start"] < ce for cs, ce in accepted):
                continue
            no_quote = self._outside(starts, ends, q["start"], q["end"])
            if q["quote_type"] != "direct" and no_quote >= th["drop"]:
                continue
            out.append(dict(q, score=round(1 - no_quote, 3)))
        out.sort(key=lambda q: (q["start"], -q["end"]))
        kept: list[dict] = []
        for q in out:
            if not kept or q["start"] >= kept[-1]["end"]:
                kept.append(q)
        return kept


@functools.lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int, size: int) -> Model:
    p = Path(path)
    card_path = p / CARD_FILE
    try:
        card = json.loads(card_path.read_text(encoding="utf-8")) if card_path.is_file() else {}
    except (OSError, ValueError) as exc:
        raise UsageError(f"model {printable(path)}: unreadable {CARD_FILE} ({exc})") from None
    try:
        data = (p / MODEL_FILE).read_bytes()
    except OSError as exc:
        raise UsageError(f"model {printable(path)}: cannot read {MODEL_FILE} ({exc.strerror or exc})") from None
    try:
        return Model(p.resolve(), data, card)
    except (ValueError, OSError) as exc:
        raise UsageError(f"model {printable(path)}: {MODEL_FILE} is not a CRFsuite model ({exc})") from None


def load_model(path: str | os.PathLike) -> Model:
    """The model in directory `path` (written by `annotate train`), loaded once per process."""
    p = Path(path)
    f = p / MODEL_FILE
    if not f.is_file():
        raise UsageError(f"model {printable(str(path))}: no {MODEL_FILE} in it (train one with `annotate train`)")
    st = f.stat()
    return _load(str(p.resolve()), st.st_mtime_ns, st.st_size)


# --- training ------------------------------------------------------------------------------


def is_dev(doc_id: str, seed: int, fraction: float) -> bool:
    """Deterministic dev assignment by a hash of (seed, doc id)."""
    if fraction <= 0:
        return False
    h = hashlib.sha256(f"{seed}\x00{doc_id}".encode()).digest()
    return int.from_bytes(h[:8], "big") / 2 ** 64 < fraction


def sequence(doc: Doc) -> tuple[list[list[str]], list[str], list[dict]]:
    """(features, gold labels, rule quotes) of one document."""
    quotes = _rules(doc.text)
    starts, ends, words = tokenize(doc.text)
    return features(doc.text, starts, ends, words, quotes), gold_labels(starts, ends, doc.quotes), quotes


def fit(docs: list[Doc], model_path: Path, seed: int = 0, params: dict | None = None,
        progress: Callable[[str, int, int], None] | None = None) -> dict:
    """Train a CRF on `docs` into `model_path`; returns size/time figures."""
    pycrfsuite = _import_crfsuite()
    params = {**PARAMS, **(params or {})}
    total_iter = int(params["max_iterations"])

    class Trainer(pycrfsuite.Trainer):
        def on_iteration(self, log, info):
            if progress:
                progress("train", int(info.get("num", 0)), total_iter)

    trainer = Trainer(verbose=False)
    trainer.select("lbfgs", "crf1d")
    trainer.set_params(params)
    order = list(range(len(docs)))
    random.Random(seed).shuffle(order)  # the data order is part of the model: fixed by the seed
    tokens = 0
    t0 = time.perf_counter()
    for k, i in enumerate(order, 1):
        xseq, yseq, _ = sequence(docs[i])
        if xseq:
            trainer.append(xseq, yseq)
            tokens += len(yseq)
        if progress:
            progress("features", k, len(order))
    featurize_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    tmp = model_path.with_name(model_path.name + ".tmp")
    trainer.train(str(tmp))
    os.replace(tmp, model_path)
    return {"tokens": tokens, "featurize_seconds": round(featurize_s, 1),
            "train_seconds": round(time.perf_counter() - t0, 1), "iterations": total_iter, "params": params}


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in _TRIM:
        s += 1
    while e > s and text[e - 1] in _TRIM:
        e -= 1
    return s, e


def score_spans(text: str, gold: list[tuple[int, int]], pred: list[tuple[int, int]]) -> dict:
    """Counts for overlap (1-1, largest overlap first) and exact (trimmed) matching."""
    g_exact = {_trim(text, *g) for g in gold}
    exact = sum(1 for p in {_trim(text, *p) for p in pred} if p in g_exact)
    pairs = sorted(((min(pe, ge) - max(ps, gs), i, j) for i, (ps, pe) in enumerate(pred)
                    for j, (gs, ge) in enumerate(gold) if ps < ge and gs < pe), reverse=True)
    used_p, used_g, overlap = set(), set(), 0
    for _, i, j in pairs:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            overlap += 1
    return {"gold": len(gold), "pred": len(pred), "exact": exact, "overlap": overlap}


def prf(tp: int, pred: int, gold: int) -> list[float]:
    p = tp / pred if pred else 0.0
    r = tp / gold if gold else 0.0
    return [round(p, 4), round(r, 4), round(2 * p * r / (p + r), 4) if p + r else 0.0]


def evaluate(model: Model, docs: list[Doc]) -> dict:
    """Overlap and exact quote P/R/F1 of the rules and of the model on `docs` (the texts as given)."""
    tallies = {"rules": {"gold": 0, "pred": 0, "exact": 0, "overlap": 0},
               "learned": {"gold": 0, "pred": 0, "exact": 0, "overlap": 0}}
    for doc in docs:
        rules = _rules(doc.text)
        learned = model.refine(doc.text, rules)
        for name, qs in (("rules", rules), ("learned", learned)):
            c = score_spans(doc.text, doc.quotes, [(q["start"], q["end"]) for q in qs])
            for k, v in c.items():
                tallies[name][k] += v
    return {name: {"quote_overlap_prf": prf(t["overlap"], t["pred"], t["gold"]),
                   "quote_exact_prf": prf(t["exact"], t["pred"], t["gold"]),
                   "gold_quotes": t["gold"], "pred_quotes": t["pred"]} for name, t in tallies.items()}


def train_model(sources: list[str], out_dir: str | os.PathLike, seed: int = 0, dev_fraction: float = 0.1,
                params: dict | None = None,
                progress: Callable[[str, int, int], None] | None = None) -> dict:
    """`annotate train`: read SOURCEs, hold out a dev split, train, write MODEL_DIR; the card."""
    from ..converters import CONVERTER_VERSION

    if not 0 <= dev_fraction < 1:
        raise UsageError(f"--dev-fraction must be at least 0 and below 1, not {dev_fraction}")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UsageError(f"model directory {printable(str(out_dir))} is a file")
    docs, infos = read_sources([str(s) for s in sources])
    seen: set[str] = set()
    unique: list[Doc] = []
    for d in docs:  # the same document twice (two sources) trains once
        key = hashlib.sha256(d.text.encode("utf-8")).hexdigest()
        if key not in seen:
            seen.add(key)
            unique.append(d)
    dev = [d for d in unique if is_dev(d.doc_id, seed, dev_fraction)]
    train = [d for d in unique if not is_dev(d.doc_id, seed, dev_fraction)]
    if not train:
        raise UsageError("no training documents left after holding out the dev split (lower --dev-fraction)")
    out.mkdir(parents=True, exist_ok=True)
    model_path = out / MODEL_FILE
    t0 = time.perf_counter()
    stats = fit(train, model_path, seed=seed, params=params, progress=progress)
    total_s = time.perf_counter() - t0
    data = model_path.read_bytes()
    t0 = time.perf_counter()
    model = load_model(out)
    load_s = time.perf_counter() - t0
    figures = evaluate(model, dev) if dev else None
    card = {
        "format": CARD_FORMAT,
        "model_version": model.version,
        "model_file": MODEL_FILE,
        "model_sha256": hashlib.sha256(data).hexdigest(),
        "model_bytes": len(data),
        "kind": "linear-chain CRF (CRFsuite, L-BFGS) tagging B/I/O quote tokens, stacked on the rule stage",
        "feature_set": FEATURE_SET,
        "converter_version": CONVERTER_VERSION,
        "seed": seed,
        "dev_fraction": dev_fraction,
        "sources": [{"path": i.path, "kind": i.kind, "docs": i.docs, "quotes": i.quotes,
                     "nested_quotes_dropped": i.dropped_nested, "sha256": i.sha256} for i in infos],
        "train_docs": len(train),
        "dev_docs": len(dev),
        "duplicate_docs_skipped": len(docs) - len(unique),
        "train_tokens": stats["tokens"],
        "params": stats["params"],
        "train_seconds": round(total_s, 1),
        "load_seconds": round(load_s, 3),
        "dev_figures": figures,
        "dev_note": ("figures on the held-out dev split (documents chosen by a hash of seed and id), "
                     "texts as given, this package's own span scorer: overlap = 1-1 matching of "
                     "quotes sharing a character, exact = equal after trimming quote marks, spaces, , and ."),
    }
    tmp = out / (CARD_FILE + ".tmp")
    tmp.write_text(json.dumps(card, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, out / CARD_FILE)
    return card
