"""Gold records from Label Studio tasks (SPEC sections 6-7); the dataset on disk is annotate.dataset.

The public pieces other modules build on:

- `choose_annotation(task) -> Selection`: which annotation of a task becomes gold (SPEC 7).
- `build_record(task, annotation, ...) -> dict`: one gold record (labeling_config/gold.schema.json)
  from a Label Studio full-JSON task and one of its annotations. No validation here: run
  `annotate.validate.validate_task/validate_annotation` before and `validate_record` after.
- `derive_quotes(spans, relations)` (from annotate.labeling): the derived `quotes` of a record.
- `annotation_signature(annotation)`: a comparable summary of what an annotation says (used to
  count disagreements between annotators).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from .io import sha256_text
from .labeling import derive_quotes, is_int, parse_regions

META_FIELDS = ("title", "source", "published")
TASK_META_FIELDS = ("raw_sha256", "task_hash", "converter_version")


# --- which annotation ------------------------------------------------------------------------


@dataclass
class Selection:
    """What choose_annotation decided for one task."""

    annotation: dict | None  # the gold annotation, or None (nothing submitted)
    submitted: list[dict] = field(default_factory=list)  # every non-cancelled annotation
    cancelled: int = 0  # skipped/cancelled annotations on the task

    @property
    def status(self) -> str:
        """'annotated', 'cancelled' (only skipped annotations) or 'unannotated'."""
        if self.annotation is not None:
            return "annotated"
        return "cancelled" if self.cancelled else "unannotated"


def _when(annotation: dict) -> tuple:
    """Sort key for recency: updated_at (else created_at) as a datetime, then the id."""
    stamp = annotation.get("updated_at") or annotation.get("created_at") or ""
    try:
        moment = dt.datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.timezone.utc)
    except ValueError:
        moment = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    ident = annotation.get("id")
    return moment, ident if isinstance(ident, int) else -1


def choose_annotation(task: dict) -> Selection:
    """The gold annotation of a task (SPEC section 7).

    The ground-truth annotation if one is marked (the most recent if several), else the most
    recent non-cancelled one. Cancelled (skipped) annotations are counted and never chosen.
    """
    annotations = task.get("annotations") if isinstance(task, dict) else None
    items = [a for a in annotations or [] if isinstance(a, dict)] if isinstance(annotations, list) else []
    submitted = [a for a in items if not a.get("was_cancelled")]
    cancelled = len(items) - len(submitted)
    if not submitted:
        return Selection(None, [], cancelled)
    truth = [a for a in submitted if a.get("ground_truth") is True]
    chosen = max(truth or submitted, key=_when)
    return Selection(chosen, sorted(submitted, key=_when), cancelled)


# --- regions of one annotation / prediction ------------------------------------------------


def _region_key(span: dict) -> tuple:
    return span["label"], span["start"], span["end"]


def _region_content(span: dict) -> tuple:
    return (*_region_key(span), span.get("quote_type"), span.get("polarity"), span.get("target"),
            bool(span.get("unattributed")))


def edit_summary(prediction_result: list, annotation_result: list) -> dict:
    """How an annotation differs from the prediction it started from.

    Spans are matched by region id, then by label and offsets (so the counts hold whether or
    not a tool keeps the prediction's region ids). A matched span is `kept` when label, offsets and choices are
    unchanged, else `changed`; unmatched prediction spans are `deleted`, unmatched annotation
    spans `added`. Relations are compared through that matching.
    """
    return _compare(*parse_regions(prediction_result), *parse_regions(annotation_result))


def _compare(p_spans: list, p_rels: list, a_spans: list, a_rels: list) -> dict:
    """edit_summary on already parsed regions."""
    p_by_id = {s["id"]: s for s in p_spans}
    mapping: dict[str, str] = {}  # annotation region id -> prediction region id
    matched: set[str] = set()  # mapping's values, while they are only added to
    counts = Counter(kept=0, changed=0, deleted=0, added=0)
    unmatched = []
    for s in a_spans:
        p = p_by_id.get(s["id"])
        if p is not None and p["id"] not in matched:
            mapping[s["id"]] = p["id"]
            matched.add(p["id"])
        else:
            unmatched.append(s)
    free = {}
    for p in p_spans:
        if p["id"] not in matched:
            free.setdefault(_region_key(p), []).append(p)
    for s in unmatched:
        candidates = free.get(_region_key(s))
        if candidates:
            mapping[s["id"]] = candidates.pop(0)["id"]
    a_by_id = {s["id"]: s for s in a_spans}
    kept = 0
    for a_id, p_id in mapping.items():
        a, p = a_by_id[a_id], p_by_id[p_id]
        # _region_content(a) == _region_content(p), without building the two tuples
        kept += (a["label"] == p["label"] and a["start"] == p["start"] and a["end"] == p["end"]
                 and a.get("quote_type") == p.get("quote_type") and a.get("polarity") == p.get("polarity")
                 and a.get("target") == p.get("target")
                 and bool(a.get("unattributed")) == bool(p.get("unattributed")))
    counts["kept"] += kept
    counts["changed"] += len(mapping) - kept
    counts["added"] = len(a_by_id) - len(mapping)
    counts["deleted"] = len(p_by_id) - len(set(mapping.values()))
    p_rel = {(r["from"], r["to"], r["type"]) for r in p_rels}
    a_rel = {(mapping.get(r["from"], "+" + r["from"]), mapping.get(r["to"], "+" + r["to"]), r["type"]) for r in a_rels}
    return {
        "spans": dict(counts),
        "relations": {"kept": len(p_rel & a_rel), "deleted": len(p_rel - a_rel), "added": len(a_rel - p_rel)},
    }


def annotation_signature(annotation: dict) -> frozenset:
    """What an annotation says, independent of region ids and result order."""
    spans, relations = parse_regions(annotation.get("result"))
    key = {s["id"]: _region_key(s) for s in spans}
    return frozenset([_region_content(s) for s in spans]
                     + [("rel", key.get(r["from"]), key.get(r["to"]), r["type"]) for r in relations])


def has_disagreement(selection: Selection) -> bool:
    """True when annotators who submitted on the task do not say the same thing."""
    latest: dict = {}
    for a in selection.submitted:  # oldest first: keep each annotator's most recent
        latest[str(a.get("completed_by"))] = a
    if len(latest) < 2:
        return False
    return len({annotation_signature(a) for a in latest.values()}) > 1


# --- one gold record -----------------------------------------------------------------------


# `adjudicate --requeue` copies each disputed annotator's version onto the task as a prediction
# whose model_version ends with this suffix; such copies are not pre-annotations. The identity
# goes first because Label Studio shortens a tab name longer than 15 characters to its first 8
# and last 6 characters ("alice@ne...tator)"): a prefix would hide who made the version.
REVIEW_SUFFIX = " (annotator)"


def is_review_copy(prediction: dict) -> bool:
    """True for an annotator's version copied onto the task by `adjudicate --requeue`."""
    return str(prediction.get("model_version") or "").endswith(REVIEW_SUFFIX)


def _prediction_for(task: dict, annotation: dict) -> dict | None:
    """The prediction the annotation started from: parent_prediction, else the newest
    pre-annotation (review copies made by `adjudicate --requeue` are not pre-annotations)."""
    listed = task.get("predictions") if isinstance(task.get("predictions"), list) else []
    preds = [p for p in listed if isinstance(p, dict)]
    parent = annotation.get("parent_prediction")
    for p in preds:
        if parent is not None and p.get("id") == parent:
            return p
    attached = annotation.get("prediction")
    if isinstance(attached, dict) and "result" in attached and (parent is None or attached.get("id") == parent):
        return attached
    if parent is not None:
        return {"id": parent}
    preds = [p for p in preds if not is_review_copy(p)]
    if preds:
        return max(preds, key=_when)
    ids = [p for p in listed if is_int(p)]
    return {"id": ids[-1]} if ids else None


def _user(value, users: dict | None) -> dict:
    """{id, email} of a completed_by value: an id, or a user object as some exports give."""
    if isinstance(value, dict):
        uid = value.get("id") if is_int(value.get("id")) else None
        email = value.get("email") if isinstance(value.get("email"), str) else None
    else:
        uid, email = (value if is_int(value) else None), None
    if email is None and users and uid in users:
        email = users[uid]
    return {"id": uid, "email": email}


# Label Studio writes both times of a new annotation in one save (microseconds apart); an
# Update (Submit again, a change by someone else, a ground-truth star) comes later than this.
UPDATED_AFTER = dt.timedelta(seconds=1)


def _updater(annotation: dict, users: dict | None) -> dict | None:
    """{id, email} of whoever changed the annotation after it was made (`changed_by`); else None."""
    uid = changed_by(annotation)
    return None if uid is None else _user(uid, users)


def changed_by(annotation: dict) -> int | None:
    """The user id of whoever changed the annotation after it was made, when that is not its
    annotator (`completed_by`); else None.

    Label Studio opens a task on its latest annotation, whoever made it, and offers Update: a
    second annotator's change (or a lead's) lands in the first one's annotation, and only
    `updated_by` tells. An annotation made through the API for someone else (`completed_by`
    given, as `adjudicate --apply` does) has the maker in `updated_by` too, but its two times
    are the same: that maker did not change it and is not named."""
    uid = annotation.get("updated_by")
    if isinstance(uid, dict):
        uid = uid.get("id")
    if not is_int(uid):
        return None
    made = annotation.get("completed_by")
    if uid == (made.get("id") if isinstance(made, dict) else made):
        return None
    times = [_when({"updated_at": annotation.get(k)})[0] for k in ("created_at", "updated_at")]
    if times[0] == dt.datetime.min.replace(tzinfo=dt.timezone.utc) or times[1] - times[0] < UPDATED_AFTER:
        return None
    return uid


def _targets(data: dict) -> list[str]:
    out = []
    targets = data.get("targets")
    for t in targets if isinstance(targets, list) else []:
        value = t.get("value") if isinstance(t, dict) else t
        if isinstance(value, str) and value not in out:
            out.append(value)
    return out


def record_id(task: dict) -> str:
    """The gold record id: data.doc_id (an integer as its text), else task-<task id>."""
    data = task.get("data") if isinstance(task, dict) else None
    doc_id = data.get("doc_id") if isinstance(data, dict) else None
    if isinstance(doc_id, str) and doc_id:
        return doc_id
    if is_int(doc_id):  # {"doc_id": 17} imported by hand: the record id is its text, "17"
        return str(doc_id)
    ident = task.get("id") if isinstance(task, dict) else None
    return f"task-{ident}" if ident is not None else "task-unknown"


def build_record(task: dict, annotation: dict, *, users: dict | None = None,
                 selection: Selection | None = None) -> dict:
    """One gold record from a Label Studio full-JSON task and the chosen annotation.

    Span text is re-derived from the offsets (Label Studio may collapse whitespace in
    value.text). `users` maps user ids to emails for provenance. `selection` (from
    choose_annotation) supplies the other annotations' ids and annotators; computed if omitted.
    Expects a structurally valid task (annotate.validate.validate_task); does not validate.
    """
    selection = selection or choose_annotation(task)
    data = task["data"]
    text = data["text"]
    spans, relations = parse_regions(annotation.get("result"))
    for s in spans:
        s["text"] = text[s["start"]:s["end"]]
    task_meta = task.get("meta") if isinstance(task.get("meta"), dict) else {}
    meta = {name: data.get(name) for name in META_FIELDS}
    meta["source_file"] = task_meta.get("source_file")
    for name in TASK_META_FIELDS:
        if name in task_meta:
            meta[name] = task_meta[name]
    extra = {k: v for k, v in data.items() if k not in (*META_FIELDS, "text", "doc_id", "targets")}
    extra.update({f"meta.{k}": v for k, v in task_meta.items() if k not in (*TASK_META_FIELDS, "source_file", "text_sha256")})
    if extra:
        meta["extra"] = extra
    prediction = _prediction_for(task, annotation)
    edits = None
    if prediction is not None and isinstance(prediction.get("result"), list):
        edits = _compare(*parse_regions(prediction["result"]), spans, relations)
    annotators = []
    for a in selection.submitted:
        who = _user(a.get("completed_by"), users)
        if who not in annotators:
            annotators.append(who)
        updater = _updater(a, users)
        if updater is not None and all(w["id"] != updater["id"] for w in annotators):
            annotators.append(updater)
    lead = annotation.get("lead_time")
    return {
        "id": record_id(task),
        "text": text,
        "text_sha256": sha256_text(text),
        "targets": _targets(data),
        "meta": meta,
        "spans": spans,
        "relations": relations,
        "quotes": derive_quotes(spans, relations),
        "provenance": {
            "project": task.get("project") if is_int(task.get("project")) else None,
            "task": task.get("id") if is_int(task.get("id")) else None,
            "annotation": annotation.get("id") if is_int(annotation.get("id")) else None,
            "annotations": [a["id"] for a in selection.submitted if is_int(a.get("id"))],
            "annotator": _user(annotation.get("completed_by"), users),
            "annotators": annotators,
            "created_at": annotation.get("created_at"),
            "updated_at": annotation.get("updated_at"),
            "lead_time": lead if isinstance(lead, (int, float)) and not isinstance(lead, bool) else None,
            "ground_truth": annotation.get("ground_truth") is True,
            "cancelled": selection.cancelled,
            "prediction": None if prediction is None else {
                "id": prediction.get("id") if is_int(prediction.get("id")) else None,
                "model_version": prediction.get("model_version"),
                "score": prediction.get("score"),
            },
            "edits": edits,
        },
    }
