"""Quotes, speakers and stances -> one Label Studio task (SPEC section 3)."""

from __future__ import annotations

import json

from ..io import sha256_text
from ..labeling import UNATTRIBUTED, Region, Relation, region_id
from .cues import SPEECH_LEMMAS, cue_lemma
from .speakers import find_antecedent

TARGETS_SEPARATOR = "; "


def task_hash(text: str, predictions: list[dict]) -> str:
    """Hash of (text, predictions): re-pushing the same input is recognised as a no-op.

    The text enters through its own SHA-256 (cheaper than serialising it again), the
    predictions as compact JSON in the order they are written (the converter writes every
    dict in one fixed order, so the same input always gives the same hash). No cycle check:
    the predictions are built fresh for each task, and the check (a dict of every container
    visited) is ~15% of this call for nothing; the bytes are the same.
    """
    blob = json.dumps(predictions, separators=(",", ":"), check_circular=False)
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
    regions: list[Region] = []
    relations: list[Relation] = []
    quote_regions: list[Region] = []
    stance_regions: list[Region] = []
    for (s, e), score in sorted(speakers.items()):
        regions.append(Region(region_id("Speaker", s, e), "Speaker", s, e, score))
    for q in quotes:
        region = Region(region_id("Quote", q["start"], q["end"]), "Quote", q["start"], q["end"], q["score"],
                        {"quote_type": q["quote_type"]})
        if q.get("speaker"):
            relations.append(Relation(region.id, region_id("Speaker", *q["speaker"]), "said_by"))
        else:  # no speaker in the text: say so, as the config lets an annotator do
            region.choices["attribution"] = UNATTRIBUTED
        quote_regions.append(region)
    for sp, ante in sorted(links.items()):
        relations.append(Relation(region_id("Speaker", *sp), region_id("Speaker", *ante), "refers_to"))
    for st in stances:
        stance_regions.append(Region(region_id("Stance", st["start"], st["end"]), "Stance", st["start"], st["end"],
                                     st["score"], {"polarity": st["polarity"], "target": st["target"]}))
    regions += quote_regions + stance_regions
    labels = sorted((r.labels_item(text) for r in regions),
                    key=lambda item: (item["value"]["start"], item["value"]["end"], item["id"]))
    choices = [item for r in quote_regions + stance_regions for item in r.choice_items(text)]
    return labels + choices + [r.to_result() for r in relations]


def build_task(doc: dict, model_version: str, converter_version: str) -> dict:
    """One Label Studio task from a converted document dict."""
    text = doc["text"]
    result = build_result(text, doc["quotes"], doc["stances"])
    scores = [r["score"] for r in result if "score" in r]
    predictions = [{
        "model_version": model_version,
        "score": round(sum(scores) / len(scores), 3) if scores else 0.0,
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
    meta = {
        "source_file": doc.get("source_file", ""),
        "raw_sha256": sha256_text(doc.get("raw", text)),
        "text_sha256": sha256_text(text),
        "task_hash": task_hash(text, predictions),
        "converter_version": converter_version,
    }
    return {"data": data, "meta": meta, "predictions": predictions}
