"""Validation: a Label Studio export task before records are built, and a gold record after.

Every problem is an `Error(code, path, message)`: `code` is stable (the table `CODES` below,
used in summaries and tests), `path` a JSON pointer into the thing checked — paths starting
with /data or /annotations point into the Label Studio task, /spans, /relations, /quotes, ...
into the gold record, `line:N` / `item:N` into the input file — and `message` says what is
wrong for a human.

- `validate_task(task)`: the task's shape (data.text, annotations list, ...).
- `validate_annotation(task, annotation, path)`: the result items of one annotation.
- `validate_record(record, expected_text_sha256=None, targets=None)`: the JSON Schema
  (labeling_config/gold.schema.json, Draft 2020-12 with format checking) plus the semantic
  rules of SPEC section 6.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import json
import math
import unicodedata
from dataclasses import dataclass

from jsonschema import Draft202012Validator, FormatChecker

from .io import LEAD_TIME_MAX, is_iso_time, sha256_text
from .labeling import (
    LABEL_FROM,
    LABELS,
    POLARITIES,
    QUOTE_TYPES,
    RELATION_ENDS,
    RELATIONS,
    TEXT_TO,
    UNATTRIBUTED,
    contract,
    derive_quotes,
    is_int,
)

CODES = {
    # reading the input file
    "empty_file": "the file holds no tasks or records",
    "invalid_json": "the file (or a line of it) is not valid JSON",
    "truncated_json": "the file ends in the middle of a JSON value",
    "too_deep": "a JSON value nested deeper than the reader accepts (a hand-made or hostile file)",
    "too_large": "one task of the export is larger than the reader holds in memory (64 MB of JSON)",
    "top_level_type": "the file is not a JSON array of tasks / JSONL of objects",
    "not_an_object": "an item of the file is not a JSON object",
    "unknown_item": "an item is neither a Label Studio task nor a gold record",
    "duplicate_record": "a second record with the same id (data.doc_id) in one dataset",
    # the Label Studio task (before a record is built)
    "missing_data": "the task has no data object",
    "missing_text": "the task has no non-empty data.text string",
    "malformed_targets": "data.targets is not a list of {value: string}",
    "malformed_annotation": "an annotation or its result is not the expected object/list",
    "malformed_result": "a result item lacks its id, offsets, labels, choices or relation ends",
    "multiple_labels": "a region carries more than one label",
    "multiple_choices": "a single-choice per-region control has several values",
    "unknown_control": "a result item comes from a control the labeling config does not have",
    "orphan_choice": "a per-region choice whose region id matches no labeled region",
    "untyped_relation": "a relation without a said_by/refers_to label",
    "malformed_field": "a field the record keeps (data.doc_id, a task, project or annotation id, completed_by, "
                       "lead_time) is of the wrong type, e.g. a number written as text",
    # the gold record
    "schema": "the record does not match gold.schema.json",
    "text_hash_mismatch": "text_sha256 is not the hash of text, or not what was pushed",
    "duplicate_id": "two spans share a region id",
    "unknown_label": "a span label other than Speaker, Quote, Stance",
    "offset_out_of_range": "start/end outside the text or start > end",
    "empty_span": "a span with no (or only whitespace) text",
    "text_mismatch": "a span's text is not the text at its offsets",
    "missing_quote_type": "a Quote without quote_type",
    "unknown_choice": "a quote_type or polarity value the config does not offer",
    "misplaced_choice": "a choice on the wrong kind of span (e.g. polarity on a Quote)",
    "stance_missing_polarity": "a Stance without polarity",
    "stance_missing_target": "a Stance without target",
    "unknown_target": "a Stance target that is not one of the task's targets",
    "stance_outside_quote": "a Stance that lies inside no Quote",
    "unknown_relation": "a relation type other than said_by, refers_to",
    "dangling_relation": "a relation end that is no span of the record",
    "relation_label": "a relation between the wrong labels (said_by: Quote->Speaker; refers_to: Speaker->Speaker)",
    "self_relation": "a relation from a span to itself",
    "duplicate_relation": "the same relation twice",
    "ambiguous_reference": "a Speaker that refers_to more than one Speaker",
    "reference_cycle": "refers_to links that loop",
    "quote_without_speaker": "a Quote with no said_by relation (and not marked unattributed)",
    "quote_many_speakers": "a Quote with more than one said_by relation",
    "unattributed_with_speaker": "a Quote marked unattributed that also has a said_by",
    "quotes_mismatch": "the derived quotes list does not follow from spans and relations",
    "non_finite_number": "NaN or Infinity somewhere in the record (not JSON: most readers refuse it)",
    # a task we send (push, the ML backend)
    "malformed_meta": "the task's meta is not an object",
    "malformed_prediction": "a prediction is not an object, or its model_version / score / result is malformed",
}
# Task-level problems after which no record can be built.
FATAL_CODES = frozenset({"not_an_object", "missing_data", "missing_text", "malformed_annotation"})


@dataclass(frozen=True)
class Error:
    """One validation failure: a stable code, a JSON pointer and a human message."""

    code: str
    path: str
    message: str

    def as_dict(self) -> dict:
        return {"code": self.code, "path": self.path, "message": self.message}



def _squash(text: str) -> str:
    """Text without any whitespace: Label Studio collapses runs of it in value.text."""
    return "".join(text.split())


def _same_text(shown: str, actual: str) -> bool:
    """An annotation's value.text says the text at its offsets: equal once whitespace runs are
    set aside (Label Studio collapses them) and both are in Unicode NFC (a hand-made or
    converted export may write "é" decomposed; the offsets, not value.text, are kept)."""
    a, b = _squash(shown), _squash(actual)
    return a == b or unicodedata.normalize("NFC", a) == unicodedata.normalize("NFC", b)


@functools.lru_cache(maxsize=4)
def _normalized(form: str, text: str) -> str:
    return unicodedata.normalize(form, text)


# --- the Label Studio task -------------------------------------------------------------------


def validate_task(task) -> list[Error]:
    """Shape checks on one Label Studio export task (before choosing an annotation)."""
    if not isinstance(task, dict):
        return [Error("not_an_object", "", f"a task must be a JSON object, got {type(task).__name__}")]
    errors = []
    data = task.get("data")
    if not isinstance(data, dict):
        return [Error("missing_data", "/data", "the task has no data object" + json_min_hint(task))]
    if not isinstance(data.get("text"), str) or not data["text"]:
        errors.append(Error("missing_text", "/data/text", "data.text must be a non-empty string"))
    targets = data.get("targets", [])
    if not isinstance(targets, list) or not all(
            isinstance(t, dict) and isinstance(t.get("value"), str) for t in targets):
        errors.append(Error("malformed_targets", "/data/targets", "data.targets must be a list of {\"value\": string}"))
    annotations = task.get("annotations")
    if annotations is None:
        annotations = []
    if not isinstance(annotations, list):
        errors.append(Error("malformed_annotation", "/annotations", "annotations must be a list"))
        return errors
    for i, a in enumerate(annotations):
        if not isinstance(a, dict):
            errors.append(Error("malformed_annotation", f"/annotations/{i}", "an annotation must be an object"))
        else:
            if not isinstance(a.get("result", []), list):
                errors.append(Error("malformed_annotation", f"/annotations/{i}/result", "result must be a list"))
            for flag in ("was_cancelled", "ground_truth"):
                value = a.get(flag)
                if value is not None and not isinstance(value, bool):
                    errors.append(Error("malformed_annotation", f"/annotations/{i}/{flag}",
                                        f"{flag} must be true or false (JSON booleans), got {value!r}"))
    return errors


def _json(value, width: int = 60) -> str:
    """A wrong value as JSON for a message, cut to `width` characters."""
    try:
        text = json.dumps(value, allow_nan=True)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= width else text[:width - 1] + "…"


def _id_or_null(value) -> bool:
    return value is None or is_int(value)


def record_field_errors(task: dict, annotation: dict, submitted: list[dict]) -> list[Error]:
    """The fields a gold record keeps from the task and its annotations, in Label Studio's types.

    Provenance holds integers (task, project, annotation ids; completed_by an id or a user
    object) and a lead time in seconds; the record id is data.doc_id (a string, or an integer
    taken as its text). A value of another type (a number written as text, a list) would reach
    gold.jsonl as null or be dropped without a word, so it is a `malformed_field` instead; so is
    an unreadable created_at/updated_at on another annotation, which would make it the oldest
    and pass it over. `annotation` is the chosen one, `submitted` every non-cancelled annotation
    (their ids and annotators are listed in provenance too)."""
    errors: list[Error] = []
    data = task.get("data") if isinstance(task.get("data"), dict) else {}
    doc_id = data.get("doc_id")
    if doc_id is not None and not isinstance(doc_id, str) and not is_int(doc_id):
        errors.append(Error("malformed_field", "/data/doc_id",
                            f"data.doc_id must be a string (the record's id), got {_json(doc_id)}"))
    for name in ("id", "project"):
        if not _id_or_null(task.get(name)):
            errors.append(Error("malformed_field", f"/{name}",
                                f"the task's {name} must be an integer, got {_json(task.get(name))}"))
    listed = task.get("annotations") if isinstance(task.get("annotations"), list) else []
    for i, a in enumerate(listed):
        if not any(a is s for s in submitted):
            continue
        where = f"/annotations/{i}"
        if not _id_or_null(a.get("id")):
            errors.append(Error("malformed_field", f"{where}/id",
                                f"an annotation id must be an integer, got {_json(a.get('id'))}"))
        who = a.get("completed_by")
        if isinstance(who, dict):
            bad = not _id_or_null(who.get("id")) or not isinstance(who.get("email", ""), str | None)
        else:
            bad = not _id_or_null(who)
        if bad:
            errors.append(Error("malformed_field", f"{where}/completed_by",
                                f"completed_by must be a user id (an integer) or a user object, got {_json(who)}"))
        for stamp in ("created_at", "updated_at") if a is not annotation else ():  # the chosen one's: schema
            if a.get(stamp) is not None and not is_iso_time(a[stamp]):  # a time gold.choose_annotation can order by
                errors.append(Error("malformed_field", f"{where}/{stamp}",
                                    f"{stamp} must be an ISO 8601 date and time, got {_json(a[stamp])}: which "
                                    "annotation is the most recent cannot be told"))
        lead = a.get("lead_time")
        if a is annotation and lead is not None and (isinstance(lead, bool) or not isinstance(lead, int | float)
                                                     or (isinstance(lead, int) and abs(lead) > LEAD_TIME_MAX)):
            errors.append(Error("malformed_field", f"{where}/lead_time",
                                f"lead_time must be a number of seconds (or null), got {_json(lead)[:60]}"))
    return errors


def json_min_hint(item: dict) -> str:
    """"" or a hint for an item that looks like Label Studio's JSON_MIN / CSV rows (the text at
    the top level instead of under data)."""
    if "data" not in item and isinstance(item.get("text"), str):
        return ("; it looks like a JSON_MIN (or CSV) export, with the text at the top level, which "
                "drops relations and per-region choices: export the project as full JSON")
    return ""


def validate_annotation(task: dict, annotation: dict, path: str = "") -> list[Error]:
    """Checks on the result items of one annotation of a (shape-valid) task.

    Tolerates Label Studio's whitespace collapsing in value.text; any other difference from
    the text at the offsets is a text_mismatch. (The meaning of the regions — relations,
    speakers, stances — is checked on the record built from it, or all at once by
    `check_result`.)
    """
    return _result_item_errors(annotation.get("result") or [], task["data"]["text"], f"{path}/result")


def _result_item_errors(result: list, text: str, path: str, *, prediction: bool = False) -> list[Error]:
    """Shape of each result item (`path` points at the result list): region ids, offsets,
    labels, choices, relation ends."""
    errors: list[Error] = []
    region_ids: set[str] = set()
    choice_items = []
    controls = _choice_controls()
    hints = 0
    chosen: dict = {}  # (region id, control) -> (where, its value)
    first_at: dict = {}  # region id -> (where, label, start, end) of its first labeled region
    for i, item in enumerate(result):
        where = f"{path}/{i}"
        if not isinstance(item, dict):
            errors.append(Error("malformed_result", where, "a result item must be an object"))
            continue
        get = item.get
        kind = get("type")
        if kind == "labels" or kind == "choices":
            rid = get("id")
            if not isinstance(rid, str) or not rid:
                errors.append(Error("malformed_result", f"{where}/id", f"a {kind} result needs a region id"))
                continue
            value = get("value")
            if not isinstance(value, dict):
                errors.append(Error("malformed_result", f"{where}/value", f"a {kind} result needs a value object"))
                continue
            if get("to_name", TEXT_TO) != TEXT_TO:
                errors.append(Error("unknown_control", f"{where}/to_name",
                                    f"{kind} on {get('to_name')!r}; the config's text object is {TEXT_TO!r}"))
        if kind == "labels":
            if get("from_name", LABEL_FROM) != LABEL_FROM:
                errors.append(Error("unknown_control", f"{where}/from_name",
                                    f"labels from {get('from_name')!r}; the config's Labels control is {LABEL_FROM!r}"))
            start, end, labels = value.get("start"), value.get("end"), value.get("labels")
            if not ((start.__class__ is int or is_int(start)) and (end.__class__ is int or is_int(end))):
                errors.append(Error("malformed_result", f"{where}/value", "a labeled region needs integer start and end"))
                continue
            if not _strings(labels):
                errors.append(Error("malformed_result", f"{where}/value/labels", "a labeled region needs a list of labels"))
                continue
            if len(labels) > 1:
                errors.append(Error("multiple_labels", f"{where}/value/labels", f"one label per region, got {labels}"))
            if rid in first_at:  # told at the first region, naming the other
                other, label, a, b = first_at[rid]
                errors.append(Error("duplicate_id", other,
                                    f"region id {rid!r} ({label} at {a}:{b}) is also the id of {where} "
                                    f"({labels[0]} at {start}:{end}): one id per region"))
            else:
                first_at[rid] = (where, labels[0], start, end)
            region_ids.add(rid)
            shown = value.get("text")
            if prediction and not isinstance(shown, str):
                errors.append(Error("malformed_result", f"{where}/value/text",
                                    "a predicted region needs value.text (the text at its offsets)"))
            if isinstance(shown, str) and 0 <= start <= end <= len(text):
                actual = text[start:end]
                # A prediction's value.text is ours: exact. Label Studio may collapse whitespace in
                # an annotation's.
                if shown != actual and (prediction or not _same_text(shown, actual)):
                    hints += 1
                    hint = _offset_hint(text, start, end, shown) if hints <= HINTS else ""
                    errors.append(Error("text_mismatch", f"{where}/value/text",
                                        f"value.text {_short(shown)} but the text at {start}:{end} is "
                                        f"{_short(actual)}{hint}"))
        elif kind == "choices":
            name = get("from_name")
            picked = value.get("choices")
            control = controls.get(name) if isinstance(name, str) else None
            if control is None:
                errors.append(Error("unknown_control", f"{where}/from_name", f"choices from unknown control {name!r}"))
            if not _strings(picked):
                errors.append(Error("malformed_result", f"{where}/value/choices", "a choices result needs a list of values"))
                continue
            if len(picked) > 1:
                errors.append(Error("multiple_choices", f"{where}/value/choices", f"{name} takes one value, got {picked}"))
            if control is not None and control.task_field is None and picked[0] not in control.values:
                errors.append(Error("unknown_choice", f"{where}/value/choices",
                                    f"{name} {picked[0]!r} is not one of {list(control.values)}"))
            choice_items.append((where, rid, name))
            if isinstance(name, str) and picked:
                said = chosen.setdefault((rid, name), (where, picked[0]))
                if said[1] != picked[0]:
                    errors.append(Error("multiple_choices", f"{where}/value/choices",
                                        f"{name} of region {rid!r} is {picked[0]!r} here but {said[1]!r} at "
                                        f"{said[0]}: keep one"))
        elif kind == "relation":
            if not (isinstance(get("from_id"), str) and isinstance(get("to_id"), str)):
                errors.append(Error("malformed_result", where, "a relation needs from_id and to_id"))
                continue
            labels = get("labels")
            if labels is not None and not (isinstance(labels, list) and all(isinstance(x, str) for x in labels)):
                errors.append(Error("malformed_result", f"{where}/labels", "relation labels must be a list of strings"))
            elif not labels:
                errors.append(Error("untyped_relation", where,
                                    f"relation {item['from_id']} -> {item['to_id']} has no said_by/refers_to label"))
        else:
            errors.append(Error("unknown_control", f"{where}/type", f"result type {kind!r} is not part of the labeling config"))
    for where, rid, name in choice_items:
        if rid not in region_ids:
            errors.append(Error("orphan_choice", f"{where}/id", f"{name} choice for region {rid!r}, which has no label"))
    return errors


HINTS = 5  # text_mismatch errors a result gets an offset-unit diagnosis on (each costs O(len(text)))


def _offset_hint(text: str, start: int, end: int, shown: str) -> str:
    """Why a region's offsets miss its value.text, when the usual suspects explain it: offsets
    in UTF-16 code units (Label Studio before 1.4 counted an emoji as two) or counting each
    "\r\n" as one character. "" when neither does."""
    def fits(a: int | None, b: int | None, within: str = text) -> bool:
        return a is not None and b is not None and 0 <= a <= b <= len(within) and _same_text(shown, within[a:b])

    if text.startswith("\ufeff") and fits(start + 1, end + 1):
        return (f"; data.text starts with a byte-order mark (U+FEFF) that the offsets do not count (the "
                f"text was saved again with one?): in data.text the region is {start + 1}:{end + 1}")
    for form in ("NFC", "NFD"):
        other = _normalized(form, text)
        if other != text and fits(start, end, other):
            return (f"; the offsets fit the text in Unicode normal form {form}, which data.text is not: "
                    f"the text was re-normalised after annotation (an editor or a script); put back the "
                    f"text that was pushed")

    if _utf16_len(text[:end]) != end:  # something beyond U+FFFF before the end
        a, b = _from_units(text, start, _utf16_len), _from_units(text, end, _utf16_len)
        if fits(a, b):
            return (f"; the offsets look like UTF-16 code units (an emoji or other character beyond "
                    f"U+FFFF comes before: old Label Studio counted those as two); in code points, "
                    f"as data.text needs, the region is {a}:{b}")
    if "\r\n" in text:
        def lf_len(prefix: str) -> int:
            return len(prefix) - prefix.count("\r\n")
        a, b = _from_units(text, start, lf_len), _from_units(text, end, lf_len)
        if fits(a, b):
            return (f"; the offsets count each \\r\\n line end as one character, data.text has "
                    f"\\r\\n: in data.text the region is {a}:{b}")
    return ""


def _from_units(text: str, units: int, measure) -> int | None:
    """The code point index whose prefix `measure`s `units`, or None (a few fixed-point steps)."""
    c = min(units, len(text))
    for _ in range(8):
        if not 0 <= c <= len(text):
            return None
        got = measure(text[:c])
        if got == units:
            return c
        c += units - got
    return None


def _utf16_len(prefix: str) -> int:
    return len(prefix.encode("utf-16-le")) // 2


def _strings(values) -> bool:
    """A non-empty list of strings (a region's labels, a choice's values); one string is the
    common case and is tested first."""
    if values.__class__ is list and len(values) == 1 and values[0].__class__ is str:
        return True
    return isinstance(values, list) and bool(values) and all(isinstance(x, str) for x in values)


@functools.cache
def _choice_controls() -> dict:
    """Per-region choice control name -> its RegionChoice (`contract().choice`, looked up once)."""
    controls: dict = {}
    for c in contract().choices:
        controls.setdefault(c.name, c)
    return controls


# --- the one checker ---------------------------------------------------------------------------


def check_result(result, text: str, targets: list[str], *, prediction: bool = False,
                 path: str = "") -> list[Error]:
    """Every problem of one Label Studio result list on `text`: THE checker of the contract.

    Called by push and the ML backend on predictions and by pull / validate on annotations, so
    what we pre-annotate and what we accept are checked by the same code. It checks each
    item's shape (region ids, offsets, labels, per-region choices of the config, relation
    ends) and then what the regions mean together (SPEC section 6: offsets inside the text, no
    empty span, choices on the right label, every Quote said_by exactly one Speaker or marked
    unattributed, stances inside a Quote with a polarity and one of `targets`, refers_to
    without loops, no duplicate region ids or relations). Paths point into the result list
    (`{path}/N`), so an error names the item to fix.

    `prediction=True` is the one difference between a prediction and an annotation: a
    prediction's `value.text` must be present and equal to the text at its offsets, while
    Label Studio may collapse whitespace in an annotation's.
    """
    if not isinstance(result, list):
        return [Error("malformed_annotation", path or "/", "result must be a list")]
    from .labeling import parse_regions

    spans, relations = parse_regions(result)
    for span in spans:
        if isinstance(span["start"], int) and isinstance(span["end"], int):
            span["text"] = text[span["start"]:span["end"]] if 0 <= span["start"] <= span["end"] <= len(text) else ""
    return _check_parsed(result, text, targets, spans, relations, prediction=prediction, path=path)


def check_record_result(result, record: dict, *, path: str = "") -> list[Error]:
    """`check_result(result, record["text"], record["targets"])` for the record built from
    `result` (gold.build_record): the record's spans and relations are that result parsed, so
    they are checked as they are instead of parsing the result a second time (pull's path).

    The record's span texts are the text at their offsets; where the offsets fall outside the
    text the region checks report offset_out_of_range and never read a span's text, so the
    errors are check_result's."""
    if not isinstance(result, list):
        return [Error("malformed_annotation", path or "/", "result must be a list")]
    return _check_parsed(result, record["text"], record["targets"], record["spans"], record["relations"],
                         prediction=False, path=path)


def _check_parsed(result: list, text: str, targets, spans: list, relations: list, *, prediction: bool,
                  path: str) -> list[Error]:
    """check_result on a result list and its parsed (spans, relations)."""
    errors = _result_item_errors(result, text, path, prediction=prediction)
    region = _region_errors({"spans": spans, "relations": relations}, text, list(targets))
    if region:
        where_span = _item_positions(result, path)
        said_twice = any(e.code == "duplicate_id" for e in errors)
        said = _said_index(errors)
        for e in region:
            if said_twice and e.code == "duplicate_id":  # said at the first item, naming the other
                continue
            moved = Error(e.code, _result_path(e.path, spans, relations, where_span, path), e.message)
            if (moved.code, moved.path) not in said:  # not already said for that item (or inside it)
                errors.append(moved)
                _note_said(said, moved)
    return errors


def _item_positions(result: list, path: str) -> dict:
    """('span', region id) and ('rel', from, to, type) -> the JSON pointer of its result item."""
    where: dict = {}
    for i, item in enumerate(result):
        if not isinstance(item, dict):
            continue
        if item.get("type") == "labels" and isinstance(item.get("id"), str):
            where.setdefault(("span", item["id"]), f"{path}/{i}")
        elif item.get("type") == "relation":
            src, dst = item.get("from_id"), item.get("to_id")
            if item.get("direction") == "left":
                src, dst = dst, src
            if not (isinstance(src, str) and isinstance(dst, str)):
                continue
            for label in item.get("labels") if isinstance(item.get("labels"), list) else []:
                if isinstance(label, str):
                    where.setdefault(("rel", src, dst, label), f"{path}/{i}")
                    if item.get("direction") == "bi":  # read either way round (labeling._turned)
                        where.setdefault(("rel", dst, src, label), f"{path}/{i}")
    return where


def _result_path(record_path: str, spans: list, relations: list, where: dict, path: str) -> str:
    """A record pointer (/spans/3/target, /relations/1) as the pointer of its result item."""
    parts = record_path.split("/")
    if len(parts) >= 3 and parts[1] in ("spans", "relations") and parts[2].isdigit():
        index = int(parts[2])
        if parts[1] == "spans" and index < len(spans):
            return where.get(("span", spans[index]["id"]), path or "/")
        if parts[1] == "relations" and index < len(relations):
            r = relations[index]
            return where.get(("rel", r["from"], r["to"], r["type"]), path or "/")
    return path or "/"


def _said_index(errors: list[Error]) -> set:
    """(code, pointer) for every error and every pointer above it: a region-level error at P is
    already said when an error of its code sits at P or inside it (one set lookup, so an
    annotation with thousands of errors is not checked pair by pair)."""
    said: set = set()
    for e in errors:
        _note_said(said, e)
    return said


def _note_said(said: set, error: Error) -> None:
    pointer = error.path
    said.add((error.code, pointer))
    cut = pointer.rfind("/")
    while cut >= 0:
        pointer = pointer[:cut]
        said.add((error.code, pointer))
        cut = pointer.rfind("/")


def check_prediction_task(task) -> list[Error]:
    """A task we are about to send (push) or answer with (the ML backend): its shape, and each
    prediction through `check_result(prediction=True)`. [] when it is fine."""
    if not isinstance(task, dict):
        return [Error("not_an_object", "", "a task must be a JSON object")]
    data = task.get("data")
    if not isinstance(data, dict):
        return [Error("missing_data", "/data", "the task has no data object")]
    text = data.get("text")
    if not isinstance(text, str) or not text:
        return [Error("missing_text", "/data/text", "data.text must be a non-empty string")]
    errors: list[Error] = []
    targets = data.get("targets")
    if targets is None:
        errors.append(Error("malformed_targets", "/data/targets",
                            "data.targets is missing (the config's $targets needs it; [] is fine)"))
        targets = []
    elif not isinstance(targets, list) or not all(isinstance(t, dict) and isinstance(t.get("value"), str)
                                                  for t in targets):
        errors.append(Error("malformed_targets", "/data/targets", 'data.targets must be a list of {"value": string}'))
        targets = []
    values = [t["value"] for t in targets]
    meta = task.get("meta")
    if meta is not None and not isinstance(meta, dict):
        errors.append(Error("malformed_meta", "/meta", "meta must be an object"))
    elif meta and meta.get("text_sha256") and meta["text_sha256"] != sha256_text(text):
        errors.append(Error("text_hash_mismatch", "/meta/text_sha256", "meta.text_sha256 is not the sha256 of data.text"))
    predictions = task.get("predictions", [])
    if not isinstance(predictions, list):
        return errors + [Error("malformed_prediction", "/predictions", "predictions must be a list")]
    for k, pred in enumerate(predictions):
        where = f"/predictions/{k}"
        if not isinstance(pred, dict):
            errors.append(Error("malformed_prediction", where, "a prediction must be an object"))
            continue
        if not isinstance(pred.get("model_version", ""), str):
            errors.append(Error("malformed_prediction", f"{where}/model_version", "model_version must be a string"))
        score = pred.get("score")
        if score is not None and not (isinstance(score, (int, float)) and not isinstance(score, bool)
                                      and 0 <= score <= 1):
            errors.append(Error("malformed_prediction", f"{where}/score", "score must be a number in 0..1"))
        errors += check_result(pred.get("result"), text, values, prediction=True, path=f"{where}/result")
    return errors


def _short(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


# --- the gold record -------------------------------------------------------------------------


@functools.cache
def _validator() -> Draft202012Validator:
    from .labeling import gold_schema

    checker = FormatChecker()

    # date-time without the optional rfc3339-validator dependency: RFC 3339 needs a zone.
    @checker.checks("date-time", raises=ValueError)
    def _date_time(value) -> bool:
        if not isinstance(value, str):
            return True
        if "T" not in value.upper() or not (value[-1] in "Zz" or value[-6] in "+-"):
            raise ValueError("not an RFC 3339 date-time with a time zone")
        dt.datetime.fromisoformat(value[:-1] + "+00:00" if value[-1] in "Zz" else value)
        return True

    schema = gold_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=checker)


@functools.cache
def _fast_validator():
    """jsonschema-rs on the same schema (about 200x faster), or None when it is not installed.

    Used only to answer "valid?" quickly; every error message comes from the Python
    Draft202012Validator above, so both must agree (tests check that they do).
    """
    try:
        import jsonschema_rs
    except ImportError:
        return None
    from .labeling import gold_schema

    return jsonschema_rs.Draft202012Validator(gold_schema(), validate_formats=True)


def schema_errors(record) -> list[Error]:
    """The record against gold.schema.json, one Error per failing keyword."""
    fast = _fast_validator()
    if fast is not None and fast.is_valid(record):
        return []
    out = []
    for e in _validator().iter_errors(record):
        path = "".join(f"/{p}" for p in e.absolute_path)
        out.append(Error("schema", path, e.message if len(e.message) < 300 else e.message[:300] + "…"))
    if not out and fast is not None:  # the two validators disagree: trust the stricter one
        for e in fast.iter_errors(record):
            path = "".join(f"/{p}" for p in e.instance_path)
            out.append(Error("schema", path, e.message[:300]))
    out.sort(key=lambda e: (e.path, e.message))
    return out


def _above(pointer: str) -> list[str]:
    """A JSON pointer and every pointer above it ("/spans/3" -> "/spans/3", "/spans", "")."""
    out = [pointer]
    cut = pointer.rfind("/")
    while cut >= 0:
        pointer = pointer[:cut]
        out.append(pointer)
        cut = pointer.rfind("/")
    return out


def _not_covered(schema: list[Error], semantic: list[Error]) -> list[Error]:
    """The schema errors at no place a semantic error names, nor above or below one (pointers
    compared segment-wise), by set lookups: a record with 20,000 spans and as many errors is not
    compared pair by pair."""
    if not schema:
        return schema
    named = {s.path for s in semantic if s.path}
    if not named:
        return schema
    named_and_above = {p for path in named for p in _above(path)}
    return [e for e in schema if e.path not in named_and_above and not any(p in named for p in _above(e.path))]


def validate_record(record, *, expected_text_sha256: str | None = None,
                    targets: list[str] | None = None, result_checked: bool = False) -> list[Error]:
    """Every problem of one gold record: schema plus semantic checks (SPEC section 6).

    `expected_text_sha256` is the hash pushed with the task (meta.text_sha256); `targets`
    defaults to the record's own `targets`. A schema error at (or around) a place a semantic
    check already named is left out, so each problem is reported once, under its own code.
    `result_checked=True` (pull, after `check_result` on the annotation the record was built
    from): what the regions mean was reported there, at the result items; only the record's
    own problems (text hash, schema) are added.
    """
    schema = schema_errors(record)
    nonfinite = _non_finite(record)
    if result_checked and not schema and not nonfinite and isinstance(record, dict):
        # Nothing for the region checks to cover, and their own errors were reported at the
        # result items: the text hash is all that is left to check (pull's every valid task).
        return _text_hash_errors(record, expected_text_sha256)
    semantic = _semantic_errors(record, expected_text_sha256, targets) if isinstance(record, dict) else []
    semantic = nonfinite + semantic
    keep = _not_covered(schema, semantic)
    if result_checked:
        semantic = [e for e in semantic if e.code in ("text_hash_mismatch", "non_finite_number")]
    return semantic + keep


_STRICT = json.JSONEncoder(allow_nan=False, check_circular=False)


def _non_finite(record) -> list[Error]:
    """NaN / Infinity in a record (Python's json reads and writes them; JSON has none).

    Such a value would reach gold.jsonl as a bare NaN that jq, JavaScript and strict readers
    refuse, so the record is rejected and the export named as the place to fix it. Only
    `meta` (its free-form `extra`) and `provenance` (lead time, prediction score) can hold a
    float: the schema allows no number anywhere else, so a NaN there is a schema error."""
    if not isinstance(record, dict):
        return []
    errors: list[Error] = []
    for key in ("meta", "provenance"):
        root = record.get(key)
        try:  # the common case at C speed: nothing to find
            _STRICT.encode(root)
            continue
        except (ValueError, TypeError):
            pass
        stack = [(f"/{key}", root)]
        while stack:
            path, node = stack.pop()
            if isinstance(node, dict):
                stack.extend((f"{path}/{k}", v) for k, v in node.items())
            elif isinstance(node, list):
                stack.extend((f"{path}/{i}", v) for i, v in enumerate(node))
            elif node.__class__ is float and not math.isfinite(node):
                errors.append(Error("non_finite_number", path,
                                    f"{path} is {node!r}, which is not JSON; put a number (or remove the "
                                    "field) in the export"))
    errors.sort(key=lambda e: e.path)
    return errors


def _semantic_errors(record: dict, expected_sha: str | None, targets: list[str] | None) -> list[Error]:
    text = record.get("text") if isinstance(record.get("text"), str) else None
    return _text_hash_errors(record, expected_sha) + _region_errors(record, text, targets)


def _text_hash_errors(record: dict, expected_sha: str | None) -> list[Error]:
    """text_sha256 is the hash of text, and of the text that was pushed (when known)."""
    text = record.get("text") if isinstance(record.get("text"), str) else None
    if text is None:
        return []
    actual = sha256_text(text)
    if record.get("text_sha256") != actual:
        return [Error("text_hash_mismatch", "/text_sha256", "text_sha256 is not the sha256 of text")]
    if expected_sha and expected_sha != actual:
        return [Error("text_hash_mismatch", "/text_sha256",
                      "the text differs from what was pushed (meta.text_sha256)" + _hash_hint(text, expected_sha))]
    return []


def _hash_hint(text: str, expected_sha: str) -> str:
    """How the text differs from what was pushed, when a usual change explains it: re-normalised
    Unicode, line ends turned into \r\n, a byte-order mark put in front. "" otherwise."""
    changes = (
        ("NFC", lambda: _normalized("NFC", text),
         "; it is the pushed text once put in Unicode NFC: the text was re-normalised after the push "
         "(decomposed, NFD, by an editor or a script)"),
        ("NFD", lambda: _normalized("NFD", text),
         "; it is the pushed text once put in Unicode NFD: the text was re-normalised (composed, NFC) "
         "after the push"),
        ("crlf", lambda: text.replace("\r\n", "\n") if "\r\n" in text else text,
         "; it is the pushed text with each \\r\\n line end read as \\n: the line ends were changed "
         "after the push"),
        ("bom", lambda: text[1:] if text.startswith("\ufeff") else text,
         "; it is the pushed text with a byte-order mark (U+FEFF) put in front"),
    )
    for _name, changed, hint in changes:
        other = changed()
        if other != text and sha256_text(other) == expected_sha:
            return hint
    return ""


def _region_errors(record: dict, text: str | None, targets: list[str] | None) -> list[Error]:
    """What the spans and relations of a record (or of a parsed result) mean: SPEC section 6."""
    errors: list[Error] = []
    if targets is None:
        targets = record.get("targets") if isinstance(record.get("targets"), list) else []
    spans = record.get("spans") if isinstance(record.get("spans"), list) else []
    relations = record.get("relations") if isinstance(record.get("relations"), list) else []

    by_id: dict[str, dict] = {}
    index_of: dict[str, int] = {}
    good_spans = True
    for i, s in enumerate(spans):
        if not isinstance(s, dict) or not isinstance(s.get("id"), str):
            good_spans = False
            continue
        errors += _span_errors(s, f"/spans/{i}", text, targets)
        if s["id"] in by_id:
            errors.append(Error("duplicate_id", f"/spans/{i}/id", f"region id {s['id']!r} is also /spans/{index_of[s['id']]}"))
            continue
        by_id[s["id"]] = s
        index_of[s["id"]] = i
        start, end = s.get("start"), s.get("end")
        good_spans = (good_spans and (start.__class__ is int or is_int(start)) and (end.__class__ is int or is_int(end))
                      and isinstance(s.get("label"), str))

    said_by: dict[str, list[str]] = {}
    refers_to: dict[str, list[str]] = {}
    seen_rel = set()
    good_rels = True
    for j, r in enumerate(relations):
        where = f"/relations/{j}"
        if not (isinstance(r, dict) and isinstance(r.get("from"), str) and isinstance(r.get("to"), str)
                and isinstance(r.get("type"), str)):
            good_rels = False
            continue
        src, dst, kind = r["from"], r["to"], r["type"]
        if kind not in RELATIONS:
            errors.append(Error("unknown_relation", f"{where}/type", f"relation type {kind!r} is not one of {list(RELATIONS)}"))
            continue
        if (src, dst, kind) in seen_rel:
            errors.append(Error("duplicate_relation", where, f"{kind} {src} -> {dst} appears twice"))
            continue
        seen_rel.add((src, dst, kind))
        missing = [(end, rid) for end, rid in (("from", src), ("to", dst)) if rid not in by_id]
        if missing:
            for end, rid in missing:
                errors.append(Error("dangling_relation", f"{where}/{end}", f"{kind} {end} {rid!r}: no such span"))
            continue
        if src == dst:
            errors.append(Error("self_relation", where, f"{kind} from span {src!r} to itself"))
            continue
        want = RELATION_ENDS[kind]
        got = (by_id[src].get("label"), by_id[dst].get("label"))
        if got != want:
            errors.append(Error("relation_label", where, f"{kind} must link {want[0]} -> {want[1]}, got {got[0]} -> {got[1]} "
                                f"({_end(src, by_id[src])} -> {_end(dst, by_id[dst])}){_turn_hint(got, want)}"))
            continue
        (said_by if kind == "said_by" else refers_to).setdefault(src, []).append(dst)

    for src, dsts in refers_to.items():
        if len(dsts) > 1:
            errors.append(Error("ambiguous_reference", f"/spans/{index_of[src]}", f"speaker {src!r} refers_to {dsts}"))
    loops: dict[str, bool] = {}  # speaker -> whether following refers_to from it loops (each walked once)
    for src in refers_to:
        path, on_path, node = [], set(), src
        while node in refers_to and node not in loops and node not in on_path:
            path.append(node)
            on_path.add(node)
            node = refers_to[node][0]
        looped = node in on_path or loops.get(node, False)
        for n in path:
            loops[n] = looped
        if loops[src]:
            errors.append(Error("reference_cycle", f"/spans/{index_of[src]}", f"refers_to from {src!r} loops"))

    quotes = [s for s in by_id.values() if s.get("label") == "Quote"]
    for q in quotes:
        where = f"/spans/{index_of[q['id']]}"
        n = len(said_by.get(q["id"], []))
        if q.get("unattributed") is True and n:
            errors.append(Error("unattributed_with_speaker", where, f"quote {q['id']!r} is marked unattributed but has a said_by"))
        elif n == 0 and q.get("unattributed") is not True:
            errors.append(Error("quote_without_speaker", where, f"quote {q['id']!r} has no said_by relation"))
        elif n > 1:
            errors.append(Error("quote_many_speakers", where, f"quote {q['id']!r} is said_by {said_by[q['id']]}"))
    # A Stance lies inside some Quote when, of the quotes starting at or before it, the one
    # reaching furthest reaches its end: sorted starts and a running maximum of ends, so
    # thousands of stances and quotes are not compared pair by pair.
    ranges = sorted((q["start"], q["end"]) for q in quotes if is_int(q.get("start")) and is_int(q.get("end")))
    starts = [a for a, _ in ranges]
    reach = list(itertools.accumulate((b for _, b in ranges), max))
    for s in by_id.values():
        if s.get("label") == "Stance" and is_int(s.get("start")) and is_int(s.get("end")):
            start, end = s["start"], s["end"]
            k = bisect.bisect_right(starts, start) - 1
            if k < 0 or reach[k] < end:
                errors.append(Error("stance_outside_quote", f"/spans/{index_of[s['id']]}",
                                    f"stance {s['id']!r} ({s['start']}:{s['end']}) lies inside no Quote"))

    if good_spans and good_rels and isinstance(record.get("quotes"), list) and not any(
            e.code == "duplicate_id" for e in errors):
        try:
            expected = derive_quotes(spans, relations)
        except (KeyError, TypeError):
            expected = None
        if expected is not None and record["quotes"] != expected:
            errors.append(Error("quotes_mismatch", "/quotes", "quotes do not follow from spans and relations"))
    return errors


def _end(rid: str, span: dict) -> str:
    """A relation end for a message: its region id and, when known, its text."""
    text = span.get("text")
    return f"{rid!r} {_short(text)}" if isinstance(text, str) and text else repr(rid)


def _turn_hint(got: tuple, want: tuple) -> str:
    """How to fix a relation drawn the wrong way round in the labeling UI (Create Relation goes
    from the selected region to the one clicked next)."""
    if got != want[::-1] or want[0] == want[1]:
        return ""
    return (f": it was drawn from the {got[0]}; in Label Studio's Relations panel click its arrow once (both "
            f"ways is read as {want[0]} -> {want[1]}), or delete it and draw it from the {want[0]}")


# The per-region choices a span of each label may not carry, in the order they are reported.
_MISPLACED = {label: tuple(name for name in ("quote_type", "unattributed", "polarity", "target") if name not in allowed)
              for label, allowed in {"Quote": ("quote_type", "unattributed"), "Stance": ("polarity", "target"),
                                     "Speaker": ()}.items()}


def _near_target(target: str, targets: list) -> str:
    """" (the task lists 'united states ')" when a listed target differs from `target` only in
    case, spaces or Unicode form (data.targets edited by hand after annotation), else ""."""
    def key(value: str) -> str:
        return " ".join(unicodedata.normalize("NFC", value).casefold().split())

    wanted = key(target)
    near = [t for t in targets if isinstance(t, str) and key(t) == wanted]
    return f" (the task lists {near[0]!r}: data.targets changed after annotation?)" if near else ""


def _span_errors(s: dict, where: str, text: str | None, targets: list) -> list[Error]:
    errors = []
    label = s.get("label")
    if isinstance(label, str) and label not in LABELS:
        errors.append(Error("unknown_label", f"{where}/label", f"label {label!r} is not one of {list(LABELS)}"))
    start, end = s.get("start"), s.get("end")
    if text is not None and (start.__class__ is int or is_int(start)) and (end.__class__ is int or is_int(end)):
        if 0 <= end < start <= len(text):
            errors.append(Error("offset_out_of_range", where,
                                f"span {s.get('id')!r}: start {start} is after end {end} (swapped by hand?)"))
        elif not (0 <= start <= end <= len(text)):
            errors.append(Error("offset_out_of_range", where,
                                f"span {s.get('id')!r} at {start}:{end} is outside the text (length {len(text)})"))
        else:
            piece = text[start:end]
            if not piece.strip():
                errors.append(Error("empty_span", where, f"span {s.get('id')!r} at {start}:{end} covers no text"))
            elif isinstance(s.get("text"), str) and s["text"] != piece:
                errors.append(Error("text_mismatch", f"{where}/text",
                                    f"span {s.get('id')!r} has text {_short(s['text'])} but the text at {start}:{end} is {_short(piece)}"))
    misplaced = _MISPLACED.get(label) if isinstance(label, str) else None
    if misplaced:
        for name in misplaced:
            if name in s:
                errors.append(Error("misplaced_choice", f"{where}/{name}", f"{name} on a {label} span"))
    if label == "Quote":
        if "quote_type" not in s:
            errors.append(Error("missing_quote_type", where, f"quote {s.get('id')!r} has no quote_type"))
        elif s["quote_type"] not in QUOTE_TYPES:
            errors.append(Error("unknown_choice", f"{where}/quote_type", f"quote_type {s['quote_type']!r} is not one of {list(QUOTE_TYPES)}"))
    elif label == "Stance":
        if "polarity" not in s:
            errors.append(Error("stance_missing_polarity", where, f"stance {s.get('id')!r} has no polarity"))
        elif s["polarity"] not in POLARITIES:
            errors.append(Error("unknown_choice", f"{where}/polarity", f"polarity {s['polarity']!r} is not one of {list(POLARITIES)}"))
        if "target" not in s:
            errors.append(Error("stance_missing_target", where, f"stance {s.get('id')!r} has no target"))
        elif isinstance(s["target"], str) and s["target"] not in targets:
            why = " (the task has no data.targets: add the list the stances choose from)" if not targets else (
                _near_target(s["target"], targets))
            errors.append(Error("unknown_target", f"{where}/target",
                                f"target {s['target']!r} is not one of the task's targets{why}"))
    return errors


__all__ = ["CODES", "FATAL_CODES", "UNATTRIBUTED", "Error", "check_prediction_task", "check_result",
           "json_min_hint", "record_field_errors", "schema_errors", "validate_annotation",
           "validate_record", "validate_task"]
