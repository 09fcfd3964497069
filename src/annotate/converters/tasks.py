"""Quotes, speakers and stances -> one Label Studio task (SPEC section 3).

The result list is written as JSON twice: compact with ASCII escapes in build order for
`task_hash`, and with sorted keys and real UTF-8 in the line `annotate convert` writes
(`task_json`, which is `io.dumps`). The json module spends ~5 µs on each of the few hundred
small dicts of a task, so `build_task` writes both strings itself, from the same values and
with one template per item shape, byte for byte what json.dumps writes (tests/test_convert_speed.py).
"""

from __future__ import annotations

import contextlib
import json
from collections import OrderedDict
from json.encoder import encode_basestring, encode_basestring_ascii

from ..io import dumps, sha256_text
from ..labeling import LABEL_FROM, TEXT_TO, UNATTRIBUTED, region_id
from .cues import SPEECH_LEMMAS, cue_lemma
from .speakers import find_antecedent

TARGETS_SEPARATOR = "; "


def task_hash(text: str, predictions: list[dict]) -> str:
    """Hash of (text, predictions): re-pushing the same input is recognised as a no-op.

    The text enters through its own SHA-256 (cheaper than serialising it again), the
    predictions as compact JSON in the order they are written (the converter writes every
    dict in one fixed order, so the same input always gives the same hash).
    """
    blob = json.dumps(predictions, separators=(",", ":"))
    return sha256_text(sha256_text(text) + "\n" + blob)


def _is_speech(quote: dict) -> bool:
    """A quote whose speaker said or evaluated something (not one who merely planned or declined)."""
    cue = quote.get("cue", "direct")
    if cue in ("direct", "according to"):
        return True
    lemma = cue.split("/")[0]
    return lemma in SPEECH_LEMMAS or "object" in cue_lemma(lemma)[1]


def build_result(text: str, quotes: list[dict], stances: list[dict]) -> list[dict]:
    """The prediction's result list: regions first, then choices, then relations."""
    return _build_result(text, quotes, stances)[0]


def _build_result(text: str, quotes: list[dict], stances: list[dict]) -> tuple[list[dict], str | None, str | None]:
    """The result list and its JSON, as json.dumps writes it in build order with ASCII escapes
    (for task_hash) and with sorted keys and real UTF-8 (io.dumps); None for both when a value
    is not of a type the templates write (then the json module writes the list)."""
    speakers: dict[tuple[int, int], float] = {}
    for q in quotes:
        if q.get("speaker"):
            sp = tuple(q["speaker"])
            speakers[sp] = max(speakers.get(sp, 0.0), q["score"])
    named = sorted(speakers)
    # Pronouns prefer the last person who *spoke* (a direct quote or a speech cue) over the
    # last person who merely declined, planned or wanted something.
    speech = sorted({tuple(q["speaker"]) for q in quotes if q.get("speaker") and _is_speech(q)})
    links: dict[tuple[int, int], tuple[int, int]] = {}
    genders: dict[str, str] = {}
    for sp in named:
        ante = (find_antecedent(text, sp, speech, fallback=False, cache=genders)
                or find_antecedent(text, sp, named, cache=genders))
        if ante and ante != sp:
            links[sp] = ante
            speakers.setdefault(ante, 0.5 * speakers[sp])
    # Regions as (start, end, id, label, score, [(choice, value)]), relations as (from, to, type).
    regions = [(s, e, region_id("Speaker", s, e), "Speaker", score, ()) for (s, e), score in sorted(speakers.items())]
    relations: list[tuple[str, str, str]] = []
    with_choices = []
    for q in quotes:
        rid = region_id("Quote", q["start"], q["end"])
        choices = [("quote_type", q["quote_type"])]
        if q.get("speaker"):
            relations.append((rid, region_id("Speaker", *q["speaker"]), "said_by"))
        else:  # no speaker in the text: say so, as the config lets an annotator do
            choices.append(("attribution", UNATTRIBUTED))
        with_choices.append((q["start"], q["end"], rid, "Quote", q["score"], choices))
    for sp, ante in sorted(links.items()):
        relations.append((region_id("Speaker", *sp), region_id("Speaker", *ante), "refers_to"))
    for st in stances:
        with_choices.append((st["start"], st["end"], region_id("Stance", st["start"], st["end"]), "Stance", st["score"],
                             [("polarity", st["polarity"]), ("target", st["target"])]))
    regions += with_choices
    regions.sort(key=lambda r: (r[0], r[1], r[2]))  # stable: a region listed twice keeps its order
    return _result_items(text, regions, with_choices, relations)


def _result_items(text: str, regions: list[tuple], with_choices: list[tuple],
                  relations: list[tuple[str, str, str]]) -> tuple[list[dict], str | None, str | None]:
    """The items (labels in offset order, then each region's choices, then relations), as
    labeling.Region.labels_item / choice_items and Relation.to_result make them, and their JSON
    written by one template per shape: in the dicts' key order with ASCII escapes, and with
    sorted keys in real UTF-8. Region ids ("q12-40") and the names of labels and choices need no
    escapes; the span texts are encoded once a region."""
    items: list[dict] = []
    ascii_out: list[str] = []  # json.dumps(item, separators=(",", ":"))
    line_out: list[str] = []  # io.dumps(item)
    ok = True
    enc_a, enc_u = encode_basestring_ascii, encode_basestring
    spans: dict[int, tuple[str, str, str]] = {}  # id(region) -> its text as is, in ASCII JSON, in UTF-8 JSON
    for region in regions:
        s, e, rid, label, score, _choices = region
        t = text[s:e]
        ta, tu = enc_a(t), enc_u(t)
        spans[id(region)] = t, ta, tu
        item = {"id": rid, "from_name": LABEL_FROM, "to_name": TEXT_TO, "type": "labels",
                "value": {"start": s, "end": e, "text": t, "labels": [label]}}
        if score is not None:
            item["score"] = score = round(score, 3)
        items.append(item)
        if type(s) is not int or type(e) is not int or (score is not None and _number(score) is None):
            ok = False  # not ints, or a score json does not write as repr() (nan, inf, a bool...)
            continue
        if score is None:
            ascii_out.append(f'{{"id":"{rid}",{_ASCII_HEAD}"labels","value":{{"start":{s},"end":{e},"text":{ta},'
                             f'"labels":["{label}"]}}}}')
            line_out.append(f'{{{_LINE_FROM},"id":"{rid}",{_LINE_TO}"type":"labels",'
                            f'"value":{{"end":{e},"labels":["{label}"],"start":{s},"text":{tu}}}}}')
        else:
            ascii_out.append(f'{{"id":"{rid}",{_ASCII_HEAD}"labels","value":{{"start":{s},"end":{e},"text":{ta},'
                             f'"labels":["{label}"]}},"score":{score!r}}}')
            line_out.append(f'{{{_LINE_FROM},"id":"{rid}","score":{score!r},{_LINE_TO}"type":"labels",'
                            f'"value":{{"end":{e},"labels":["{label}"],"start":{s},"text":{tu}}}}}')
    for region in with_choices:
        s, e, rid, _label, _score, choices = region
        t, ta, tu = spans[id(region)]
        for name, choice in choices:
            items.append({"id": rid, "from_name": name, "to_name": TEXT_TO, "type": "choices",
                          "value": {"start": s, "end": e, "text": t, "choices": [choice]}})
            if type(choice) is not str:
                ok = False
                continue
            ascii_out.append(f'{{"id":"{rid}","from_name":"{name}",{_ASCII_TO}"type":"choices",'
                             f'"value":{{"start":{s},"end":{e},"text":{ta},"choices":[{enc_a(choice)}]}}}}')
            line_out.append(f'{{"from_name":"{name}","id":"{rid}",{_LINE_TO}"type":"choices",'
                            f'"value":{{"choices":[{enc_u(choice)}],"end":{e},"start":{s},"text":{tu}}}}}')
    for src, dst, kind in relations:
        items.append({"from_id": src, "to_id": dst, "type": "relation", "direction": "right", "labels": [kind]})
        ascii_out.append(f'{{"from_id":"{src}","to_id":"{dst}","type":"relation","direction":"right","labels":["{kind}"]}}')
        line_out.append(f'{{"direction":"right","from_id":"{src}","labels":["{kind}"],"to_id":"{dst}","type":"relation"}}')
    if not ok:
        return items, None, None
    return items, "[" + ",".join(ascii_out) + "]", "[" + ",".join(line_out) + "]"


# Constant pieces of the templates. What they write between plain quotes is a name of ours or
# a region id (a prefix and two ints): nothing json would escape.
_ASCII_HEAD = f'"from_name":{encode_basestring_ascii(LABEL_FROM)},"to_name":{encode_basestring_ascii(TEXT_TO)},"type":'
_ASCII_TO = f'"to_name":{encode_basestring_ascii(TEXT_TO)},'
_LINE_FROM = f'"from_name":{encode_basestring(LABEL_FROM)}'
_LINE_TO = f'"to_name":{encode_basestring(TEXT_TO)},'


def _number(x) -> str | None:
    """A score as json.dumps writes it; None for anything but a finite float or an int."""
    if (type(x) is float and x - x == 0.0) or type(x) is int:  # x - x: not inf, not nan
        return repr(x)
    return None


def build_task(doc: dict, model_version: str, converter_version: str) -> dict:
    """One Label Studio task from a converted document dict."""
    text = doc["text"]
    result, result_ascii, result_line = _build_result(text, doc["quotes"], doc["stances"])
    scores = [r["score"] for r in result if "score" in r]
    score = round(sum(scores) / len(scores), 3) if scores else 0.0
    predictions = [{
        "model_version": model_version,
        "score": score,
        "result": result,
    }]
    data = {
        "text": text,
        "doc_id": doc["doc_id"],
        "title": doc.get("title", ""),
        "source": doc.get("source", ""),
        "published": doc.get("published", ""),
        "targets": [{"value": t} for t in doc["targets"]],
        # the same list as one readable string: a data manager column beside the choice list
        "targets_text": TARGETS_SEPARATOR.join(doc["targets"]),
    }
    text_sha256 = sha256_text(text)
    raw = doc.get("raw", text)
    if result_ascii is not None and _number(score) is not None and type(model_version) is str:
        blob = (f'[{{"model_version":{encode_basestring_ascii(model_version)},"score":{_number(score)},'
                f'"result":{result_ascii}}}]')
        _remember(result, result_line)
    else:
        blob = json.dumps(predictions, separators=(",", ":"))
    meta = {
        "source_file": doc.get("source_file", ""),
        "raw_sha256": text_sha256 if raw is text else sha256_text(raw),
        "text_sha256": text_sha256,
        "task_hash": sha256_text(text_sha256 + "\n" + blob),  # task_hash(text, predictions)
        "converter_version": converter_version,
    }
    return {"data": data, "meta": meta, "predictions": predictions}


# Result list -> its io.dumps JSON, for the few tasks last built (by identity: each entry keeps
# its list alive, so the id is not reused). task_json takes an entry out when it writes the task.
_RESULT_LINES: OrderedDict[int, tuple[list, str]] = OrderedDict()
_REMEMBERED = 16


def _remember(result: list, line: str) -> None:
    _RESULT_LINES[id(result)] = (result, line)
    while len(_RESULT_LINES) > _REMEMBERED:
        with contextlib.suppress(KeyError):
            _RESULT_LINES.popitem(last=False)


def task_json(task) -> str:
    """`io.dumps(task)`, byte for byte: the line `annotate convert` writes. The result list of
    a task that build_task has just built is not serialised again: its JSON, written beside it,
    is used (edit a built task's result items only after writing it, or on a copy)."""
    preds = task.get("predictions") if type(task) is dict else None
    if type(preds) is list and len(preds) == 1 and type(preds[0]) is dict:
        result = preds[0].get("result")
        memo = _RESULT_LINES.pop(id(result), None)
        if memo is not None and memo[0] is result and all(type(k) is str for k in task) \
                and all(type(k) is str for k in preds[0]):
            pred = "[{" + ",".join(encode_basestring(k) + ":" + (memo[1] if k == "result" else dumps(v))
                                   for k, v in sorted(preds[0].items())) + "}]"
            return "{" + ",".join(encode_basestring(k) + ":" + (pred if k == "predictions" else dumps(v))
                                  for k, v in sorted(task.items())) + "}"
    return dumps(task)
