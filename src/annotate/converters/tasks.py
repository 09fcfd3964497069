"""Quotes, speakers and stances -> one Label Studio task (SPEC section 3).

`build_task` gives the task as a dict; `build_line` gives the same task as the JSONL line
`annotate convert` writes (what `io.dumps(build_task(...))` gives, byte for byte), written
straight from the regions: no result dicts, and the predictions are serialised once for the
line and once, as they stream, into `task_hash`.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from json.encoder import encode_basestring, encode_basestring_ascii
from operator import itemgetter
from typing import NamedTuple

from ..io import dumps, sha256_text
from ..labeling import ID_PREFIX, LABEL_FROM, TEXT_TO, UNATTRIBUTED, Region, Relation
from .antecedents import speaker_links
from .letters import fold_letters

TARGETS_SEPARATOR = "; "


class TaskCounts(NamedTuple):
    """What a task holds, for `annotate convert`'s summary: regions by label, quotes by type."""

    quotes: int
    speakers: int
    stances: int
    by_type: dict[str, int]


def task_hash(text: str, predictions: list[dict]) -> str:
    """Hash of (text, predictions): re-pushing the same input is recognised as a no-op.

    The text enters through its own SHA-256 (cheaper than serialising it again), the
    predictions as compact JSON in the order they are written (the converter writes every
    dict in one fixed order, so the same input always gives the same hash). No cycle check:
    the predictions are built fresh for each task, and the check (a dict of every container
    visited) is ~15% of this call for nothing; the bytes are the same.
    """
    return _task_hash(sha256_text(text), predictions)


def _task_hash(text_sha: str, predictions: list[dict]) -> str:
    """task_hash from the text's SHA-256 (which the task carries anyway)."""
    blob = json.dumps(predictions, separators=(",", ":"), check_circular=False)
    return sha256_text(text_sha + "\n" + blob)


class _Plan(NamedTuple):
    """A prediction's regions and relations in the order its result lists them, as plain tuples
    (a few thousand in a long article: a tuple is made in C, a Region through its __init__).
    A region is (start, end, id, label, score, choices): `choices` the (control name, value)
    pairs of a labeling.Region's `choices`, in their order; a relation is (from id, to id, type)."""

    labeled: list[tuple]  # every region, in the order of their `labels` items
    with_choices: list[tuple]  # quotes then stances: the order of the `choices` items
    relations: list[tuple[str, str, str]]  # said_by in quote order, then refers_to


def _plan(text: str, quotes: list[dict], stances: list[dict], links: dict | None = None) -> _Plan:
    """Speakers (with the antecedents pronouns refer to: `links`, antecedents.speaker_links,
    read here when not given), quotes and stances as regions."""
    speakers: dict[tuple[int, int], float] = {}
    for q in quotes:
        if q.get("speaker"):
            sp = tuple(q["speaker"])
            speakers[sp] = max(speakers.get(sp, 0.0), q["score"])
    if links is None:
        links = speaker_links(fold_letters(text), quotes)
    for sp, ante in links.items():
        speakers.setdefault(ante, 0.5 * speakers[sp])
    # (region ids as labeling.region_id writes them)
    sp_prefix, q_prefix, st_prefix = ID_PREFIX["Speaker"], ID_PREFIX["Quote"], ID_PREFIX["Stance"]
    relations: list[tuple[str, str, str]] = []
    speaker_ids: dict[tuple[int, int], str] = {}  # each speaker's region id, made once for its relations too
    labeled = []
    for (s, e), score in sorted(speakers.items()):
        rid = speaker_ids[(s, e)] = f"{sp_prefix}{s}-{e}"
        labeled.append((s, e, rid, "Speaker", score, ()))
    with_choices = []
    for q in quotes:
        s, e = q["start"], q["end"]
        rid = f"{q_prefix}{s}-{e}"
        if q.get("speaker"):
            relations.append((rid, speaker_ids[tuple(q["speaker"])], "said_by"))
            choices = (("quote_type", q["quote_type"]),)
        else:  # no speaker in the text: say so, as the config lets an annotator do
            choices = (("quote_type", q["quote_type"]), ("attribution", UNATTRIBUTED))
        with_choices.append((s, e, rid, "Quote", q["score"], choices))
    for sp, ante in sorted(links.items()):
        relations.append((speaker_ids[sp], speaker_ids[ante], "refers_to"))
    for st in stances:
        s, e = st["start"], st["end"]
        with_choices.append((s, e, f"{st_prefix}{s}-{e}", "Stance", st["score"],
                             (("polarity", st["polarity"]), ("target", st["target"]))))
    labeled += with_choices
    labeled.sort(key=_BY_PLACE)  # (start, end, id), as the regions' order is defined
    return _Plan(labeled, with_choices, relations)


_BY_PLACE = itemgetter(0, 1, 2)


def _region(r: tuple) -> Region:
    """The labeling.Region of a _Plan region."""
    start, end, rid, label, score, choices = r
    return Region(rid, label, start, end, score, dict(choices))


def build_result(text: str, quotes: list[dict], stances: list[dict], links: dict | None = None) -> list[dict]:
    """The prediction's result list: regions first, then choices, then relations."""
    plan = _plan(text, quotes, stances, links)
    labels = [_region(r).labels_item(text) for r in plan.labeled]
    choices = [item for r in plan.with_choices for item in _region(r).choice_items(text)]
    return labels + choices + [Relation(*r).to_result() for r in plan.relations]


def _mean_score(scores: list) -> float:
    return round(sum(scores) / len(scores), 3) if scores else 0.0


def _data(doc: dict, text: str) -> dict:
    return {
        "text": text,
        "doc_id": doc["doc_id"],
        "title": doc.get("title", ""),
        "source": doc.get("source", ""),
        "published": doc.get("published", ""),
        "targets": [{"value": t} for t in doc["targets"]],
        # the same list as one readable string: a data manager column beside the choice list
        "targets_text": TARGETS_SEPARATOR.join(doc["targets"]),
    }


def _hashes(doc: dict, text: str) -> tuple[str, str]:
    """(raw_sha256, text_sha256): the text is hashed once when it is the raw text too."""
    text_sha = sha256_text(text)
    raw = doc.get("raw", text)
    return (text_sha if raw is text or raw == text else sha256_text(raw)), text_sha


def build_task(doc: dict, model_version: str, converter_version: str) -> dict:
    """One Label Studio task from a converted document dict."""
    text = doc["text"]
    result = build_result(text, doc["quotes"], doc["stances"], doc.get("links"))
    scores = [r["score"] for r in result if "score" in r]
    predictions = [{
        "model_version": model_version,
        "score": _mean_score(scores),
        "result": result,
    }]
    raw_sha, text_sha = _hashes(doc, text)
    meta = {
        "source_file": doc.get("source_file", ""),
        "raw_sha256": raw_sha,
        "text_sha256": text_sha,
        "task_hash": _task_hash(text_sha, predictions),
        "converter_version": converter_version,
    }
    return {"data": _data(doc, text), "meta": meta, "predictions": predictions}


# --- the task as its JSONL line -------------------------------------------------------------
#
# `build_line` writes what `dumps(build_task(...))` writes: keys sorted, non-ASCII as is, no
# spaces. `task_hash` reads the same predictions with the keys in the order build_task puts
# them (Region.labels_item, Region.choice_items, Relation.to_result) and non-ASCII escaped;
# both are written here from one walk over the regions. Strings go through json's own
# escapers, numbers through json's own rules, so the bytes are json's (tests/test_build_line.py
# compares the two on the seeds, the adversarial texts and odd characters; the 840 articles
# of polnear-train gave the same file both ways when this was written).


def _number(x) -> str:
    """A number as json writes it (repr for finite floats and ints; NaN/Infinity/bools by json)."""
    if type(x) is float and math.isfinite(x):
        return float.__repr__(x)
    if type(x) is int:
        return int.__repr__(x)
    return json.dumps(x)


_LABEL_FROM_U, _LABEL_FROM_A = encode_basestring(LABEL_FROM), encode_basestring_ascii(LABEL_FROM)
_TEXT_TO_U, _TEXT_TO_A = encode_basestring(TEXT_TO), encode_basestring_ascii(TEXT_TO)


def _json_pair(s: str) -> tuple[str, str]:
    """A string as JSON, non-ASCII as is and non-ASCII escaped (one escape when they agree)."""
    u = encode_basestring(s)
    return u, (u if s.isascii() and "\x7f" not in s else encode_basestring_ascii(s))


_CHUNK = 1 << 16


class _Vocabulary(dict):
    """A word's two JSON forms (_json_pair), made the first time it is looked up: a found word
    costs one dict look-up in C, no call."""

    def __missing__(self, word: str) -> tuple[str, str]:
        got = self[word] = _json_pair(word)
        return got


def _result_json(text: str, plan: _Plan, digest) -> list[str]:
    """The result items as the line writes them (keys sorted, non-ASCII as is), in chunks of
    a few hundred items joined by commas; task_hash's spelling of each (keys in build_task's
    order, non-ASCII escaped) goes into `digest` as it is made."""
    chunks: list[str] = []
    line: list[str] = []
    hashed: list[str] = []
    sep = b""
    size = 0  # characters of region text in `line`

    def flush() -> None:  # a few hundred items (or 64K characters) at a time: a huge text's result
        nonlocal sep, size  # is never one string
        size = 0
        if hashed:
            digest.update(sep + ",".join(hashed).encode("ascii"))
            hashed.clear()
            sep = b","
            chunks.append(",".join(line))
            line.clear()

    vocab = _Vocabulary()  # labels, choice names and values, relation types: a few dozen
    # a few distinct scores (the calibrated ones) for thousands of regions: each written once
    scores: dict[float, str] = {None: ""}
    spans: dict[str, tuple[str, str]] = {}  # region id -> its text as JSON: a quote's or stance's, written twice
    lf_u, lf_a = _json_pair(LABEL_FROM)
    tt_u, tt_a = _json_pair(TEXT_TO)
    # (the score look-up is written out: a helper's call per item costs more than the item)
    for start, end, rid, label, score, _choices in plan.labeled:
        s = str(start) if type(start) is int else _number(start)
        e = str(end) if type(end) is int else _number(end)
        rid_j = f'"{rid}"'  # (a region id is letters, digits and hyphens: nothing to escape)
        tu, ta = spans[rid] = _json_pair(text[start:end])
        lab = vocab[label]
        sc = scores.get(score) if type(score) is float or score is None else None
        if sc is None:  # an int score is written as an int: not cached beside its float
            sc = ',"score":' + _number(round(score, 3))
            if type(score) is float:
                scores[score] = sc
        line.append(f'{{"from_name":{lf_u},"id":{rid_j}{sc},"to_name":{tt_u},"type":"labels",'
                    f'"value":{{"end":{e},"labels":[{lab[0]}],"start":{s},"text":{tu}}}}}')
        hashed.append(f'{{"id":{rid_j},"from_name":{lf_a},"to_name":{tt_a},"type":"labels",'
                      f'"value":{{"start":{s},"end":{e},"text":{ta},"labels":[{lab[1]}]}}{sc}}}')
        size += len(tu)
        if len(hashed) >= 512 or size >= _CHUNK:
            flush()
    for start, end, rid, _label, _score, choices in plan.with_choices:
        s = str(start) if type(start) is int else _number(start)
        e = str(end) if type(end) is int else _number(end)
        rid_j = f'"{rid}"'
        tu, ta = spans.get(rid) or _json_pair(text[start:end])
        for name, value in choices:
            name_j, value_j = vocab[name], vocab[value]
            line.append(f'{{"from_name":{name_j[0]},"id":{rid_j},"to_name":{tt_u},"type":"choices",'
                        f'"value":{{"choices":[{value_j[0]}],"end":{e},"start":{s},"text":{tu}}}}}')
            hashed.append(f'{{"id":{rid_j},"from_name":{name_j[1]},"to_name":{tt_a},"type":"choices",'
                          f'"value":{{"start":{s},"end":{e},"text":{ta},"choices":[{value_j[1]}]}}}}')
            size += len(tu)
        if len(hashed) >= 512 or size >= _CHUNK:
            flush()
    for from_id, to_id, rel_type in plan.relations:
        kind = vocab[rel_type]
        line.append(f'{{"direction":"right","from_id":"{from_id}","labels":[{kind[0]}],"to_id":"{to_id}","type":"relation"}}')
        hashed.append(f'{{"from_id":"{from_id}","to_id":"{to_id}","type":"relation","direction":"right","labels":[{kind[1]}]}}')
    flush()
    return chunks


def build_line(doc: dict, model_version: str, converter_version: str) -> tuple[str, TaskCounts]:
    """`io.dumps(build_task(doc, ...))` and the task's counts, without building the task."""
    parts, counts = build_line_parts(doc, model_version, converter_version)
    return "".join(parts), counts


def build_line_parts(doc: dict, model_version: str, converter_version: str,
                     score: float | None = None) -> tuple[list[str], TaskCounts]:
    """`build_line` as pieces that make the line when joined: written one after the other, a
    huge article's line is never one string (nor encoded as one). `score` is the prediction's
    score when given (a learned model's: converters.learned_score), else the mean of the regions'."""
    text = doc["text"]
    plan = _plan(text, doc["quotes"], doc["stances"], doc.get("links"))
    raw_sha, text_sha = _hashes(doc, text)
    if score is None:
        score = _mean_score([round(r[4], 3) for r in plan.labeled if r[4] is not None])
    score = _number(score)
    mv_u, mv_a = _json_pair(model_version)
    digest = hashlib.sha256(f'{text_sha}\n[{{"model_version":{mv_a},"score":{score},"result":['.encode("ascii"))
    result = _result_json(text, plan, digest)
    digest.update(b"]}]")
    meta = {
        "source_file": doc.get("source_file", ""),
        "raw_sha256": raw_sha,
        "text_sha256": text_sha,
        "task_hash": digest.hexdigest(),
        "converter_version": converter_version,
    }
    parts = ['{"data":', dumps(_data(doc, text)), ',"meta":', dumps(meta), ',"predictions":[{"model_version":', mv_u,
             ',"result":[']
    for i, chunk in enumerate(result):
        parts += (",", chunk) if i else (chunk,)
    parts.append(f'],"score":{score}}}]}}')
    counts = TaskCounts(len(doc["quotes"]), len(plan.labeled) - len(plan.with_choices), len(doc["stances"]),
                        dict(Counter(q["quote_type"] for q in doc["quotes"])))
    return parts, counts
