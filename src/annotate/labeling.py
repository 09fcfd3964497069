"""The labeling contract: one owner for what a Label Studio result of ours may say.

Everything that reads or writes Label Studio results asks this module (SPEC section 2):

- the shipped files: `labeling_config()` (the XML that push sends), `gold_schema()`,
  `config_hash()`;
- `contract()`: built once from the XML through the SDK's `LabelInterface` — the labels, each
  per-region choice with the label it belongs to and its values (fixed, or the task's
  `$targets` list), each relation type with its two ends, and the region id scheme;
- `Region` / `Relation` with `to_result()` and `parse_result()`: the result items a region
  or a relation is stored as, both ways;
- `resolve_speaker()` and `derive_quotes()`: the said_by -> refers_to chain, walked here only.

The checker of a whole result list (`annotate.validate.check_result`) is built on these.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .io import sha256_text

CONFIG_NAME = "quote_attribution.xml"
SCHEMA_NAME = "gold.schema.json"

# Contract names (SPEC section 2). `contract()` checks the shipped XML offers exactly these.
LABELS = ("Speaker", "Quote", "Stance")
RELATIONS = ("said_by", "refers_to")
QUOTE_TYPES = ("direct", "indirect", "mixed")
POLARITIES = ("favor", "against", "neutral")
LABEL_FROM = "label"
TEXT_TO = "text"
UNATTRIBUTED = "unattributed"
# The ends of each relation type: not expressible in Label Studio's XML, so stated here.
RELATION_ENDS = {"said_by": ("Quote", "Speaker"), "refers_to": ("Speaker", "Speaker")}
# Where a per-region choice lands on a gold span (attribution=unattributed sets a flag).
SPAN_FIELDS = {"quote_type": "quote_type", "polarity": "polarity", "target": "target",
               "attribution": "unattributed"}
# Region ids: a prefix per label and the offsets, so the same region always has the same id.
ID_PREFIX = {"Speaker": "sp", "Quote": "q", "Stance": "st"}


def shipped_file(name: str) -> Path:
    """Find a shipped file: inside the wheel (annotate/labeling_config) or the source tree."""
    packaged = resources.files("annotate") / "labeling_config" / name
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "labeling_config" / name


@functools.cache
def labeling_config() -> str:
    """The Label Studio XML config that `push` sends."""
    return shipped_file(CONFIG_NAME).read_text(encoding="utf-8")


def config_hash(config: str | None = None) -> str:
    """sha256 of the config text with whitespace folded, so reformatting is not a change."""
    text = " ".join((config if config is not None else labeling_config()).split())
    return sha256_text(text)


@functools.cache
def gold_schema() -> dict:
    """The gold record JSON Schema (2020-12): what `pull` writes and `validate` checks."""
    return json.loads(shipped_file(SCHEMA_NAME).read_text(encoding="utf-8"))


# --- the contract, from the XML ------------------------------------------------------------------


@dataclass(frozen=True)
class RegionChoice:
    """A per-region Choices control: shown on regions of `label`."""

    name: str  # the control name: quote_type, attribution, polarity, target
    label: str  # the label whose regions carry it (whenLabelValue)
    values: tuple[str, ...]  # the fixed values; () when they come from the task
    task_field: str | None  # "targets" for value="$targets": the task's data.targets list
    required: bool

    @property
    def span_field(self) -> str:
        """The gold span key this choice sets."""
        return SPAN_FIELDS.get(self.name, self.name)


@dataclass(frozen=True)
class RelationType:
    name: str
    from_label: str
    to_label: str


@dataclass(frozen=True)
class Contract:
    """What our labeling config lets a result say."""

    labels_control: str
    text_object: str
    labels: tuple[str, ...]
    choices: tuple[RegionChoice, ...]
    relations: tuple[RelationType, ...]

    def choice(self, name: str) -> RegionChoice | None:
        return next((c for c in self.choices if c.name == name), None)

    def choices_of(self, label: str) -> tuple[RegionChoice, ...]:
        return tuple(c for c in self.choices if c.label == label)

    def relation(self, name: str) -> RelationType | None:
        return next((r for r in self.relations if r.name == name), None)


def read_contract(config: str) -> Contract:
    """The contract a labeling config defines (read through the SDK's LabelInterface)."""
    import xml.etree.ElementTree as ET

    from label_studio_sdk.label_interface import LabelInterface

    interface = LabelInterface(config)
    labels_control = text_object = None
    labels: tuple[str, ...] = ()
    choices = []
    for control in interface.controls:
        tag = control.tag
        if tag == "Labels":
            labels_control, labels = control.name, tuple(control.labels)
            text_object = control.to_name[0] if control.to_name else None
        elif tag == "Choices" and str(control.attr.get("perRegion", "")).lower() == "true":
            value = control.attr.get("value") or ""
            choices.append(RegionChoice(
                name=control.name, label=control.attr.get("whenLabelValue", ""),
                values=tuple(control.labels), task_field=value[1:] if value.startswith("$") else None,
                required=str(control.attr.get("required", "")).lower() == "true"))
    # LabelInterface does not expose <Relations> (it has no name): read their values directly.
    names = [el.get("value", "") for el in ET.fromstring(config).iter("Relation")]
    relations = tuple(RelationType(n, *RELATION_ENDS.get(n, ("", ""))) for n in names)
    return Contract(labels_control or LABEL_FROM, text_object or TEXT_TO, labels, tuple(choices), relations)


# --- the contract cache: LabelInterface costs ~1.1 s CPU per run (the SDK import); the
# contract it yields is a few names, kept as JSON under the user's cache directory keyed on
# everything it is read from: the exact config text and the SDK's label_interface sources.

CONTRACT_CACHE_FORMAT = 1


def _cache_dir() -> Path:
    """$ANNOTATE_CACHE_DIR, else $XDG_CACHE_HOME/annotate, else ~/.cache/annotate."""
    if os.environ.get("ANNOTATE_CACHE_DIR"):
        return Path(os.environ["ANNOTATE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "annotate"


def _contract_key(config: str) -> str | None:
    """sha256 of the cache format, the config text (exact) and the path, size and mtime of
    each source file of the SDK's label_interface (an upgrade rewrites them); None when the
    SDK is not found (then nothing is cached)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("label_studio_sdk")
        where = Path(next(iter(spec.submodule_search_locations))) / "label_interface"
        stats = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in where.iterdir()
                       if p.suffix in (".py", ".json"))
    except (AttributeError, TypeError, StopIteration, OSError):
        return None
    if not stats:
        return None
    h = hashlib.sha256(f"{CONTRACT_CACHE_FORMAT}\0{where}\0{stats!r}\0".encode())
    h.update(config.encode("utf-8"))
    return h.hexdigest()


def _safe(path: Path) -> bool:
    """The path is ours and nobody else may write it (owner = this user, no group/other write)."""
    try:
        st = path.lstat()
    except OSError:
        return False
    return (not hasattr(os, "getuid") or st.st_uid == os.getuid()) and not st.st_mode & 0o022 \
        and not path.is_symlink()


def _contract_to_json(c: Contract) -> dict:
    return {"labels_control": c.labels_control, "text_object": c.text_object, "labels": list(c.labels),
            "choices": [[ch.name, ch.label, list(ch.values), ch.task_field, ch.required] for ch in c.choices],
            "relations": [[r.name, r.from_label, r.to_label] for r in c.relations]}


def _contract_from_json(d) -> Contract | None:
    """The Contract a cache file holds, or None for anything not exactly that shape."""
    def strs(v) -> bool:
        return isinstance(v, list) and all(isinstance(x, str) for x in v)

    try:
        if not (isinstance(d, dict) and isinstance(d["labels_control"], str) and isinstance(d["text_object"], str)
                and strs(d["labels"])):
            return None
        choices = []
        for name, label, values, task_field, required in d["choices"]:
            if not (isinstance(name, str) and isinstance(label, str) and strs(values)
                    and (task_field is None or isinstance(task_field, str)) and isinstance(required, bool)):
                return None
            choices.append(RegionChoice(name, label, tuple(values), task_field, required))
        relations = []
        for rel in d["relations"]:
            if not strs(rel) or len(rel) != 3:
                return None
            relations.append(RelationType(*rel))
    except (KeyError, TypeError, ValueError):
        return None
    return Contract(d["labels_control"], d["text_object"], tuple(d["labels"]), tuple(choices), tuple(relations))


def cached_contract(config: str) -> Contract:
    """read_contract(config), from the cache when it holds this config read by this SDK.

    A cache file is used only when it and its directory belong to this user and nobody else
    can write them; a missing, unreadable or malformed one is rebuilt through LabelInterface.
    Failing to write the cache is not an error (the contract is still returned)."""
    key = _contract_key(config)
    folder = _cache_dir()
    path = folder / f"contract-{key}.json" if key else None
    if path is not None and _safe(folder) and _safe(path):
        try:
            c = _contract_from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            c = None
        if c is not None:
            return c
    c = read_contract(config)
    if path is not None:
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            if _safe(folder):
                fd, tmp = tempfile.mkstemp(dir=folder, prefix=".contract-", suffix=".tmp")
                try:
                    with os.fdopen(fd, "w", encoding="utf-8") as f:
                        json.dump(_contract_to_json(c), f)
                    os.replace(tmp, path)
                except BaseException:
                    Path(tmp).unlink(missing_ok=True)
                    raise
        except OSError:
            pass
    return c


@functools.cache
def contract() -> Contract:
    """Our contract, from the shipped XML (built once; cached on disk by `cached_contract`).
    Raises if the XML and the names here drift."""
    c = cached_contract(labeling_config())
    expected = {"quote_type": ("Quote", QUOTE_TYPES), "attribution": ("Quote", (UNATTRIBUTED,)),
                "polarity": ("Stance", POLARITIES), "target": ("Stance", ())}
    got = {ch.name: (ch.label, ch.values) for ch in c.choices}
    if (c.labels_control, c.text_object, c.labels) != (LABEL_FROM, TEXT_TO, LABELS) or got != expected \
            or tuple(r.name for r in c.relations) != RELATIONS:
        raise RuntimeError(f"{CONFIG_NAME} no longer matches annotate.labeling: {c}")
    return c


@functools.cache
def _interface():
    from label_studio_sdk.label_interface import LabelInterface

    return LabelInterface(labeling_config())


def sdk_prediction_problems(prediction: dict) -> list[str]:
    """The SDK's own `LabelInterface.validate_prediction` on our config, as plain lines: an
    extra opinion after `validate.check_result` ([] when it has nothing to say)."""
    def flatten(errors):
        for e in errors:
            if isinstance(e, (list, tuple)):
                yield from flatten(e)
            else:
                yield str(e)

    return list(flatten(_interface().validate_prediction(prediction, return_errors=True) or []))


# --- regions and relations as result items -------------------------------------------------------


def region_id(label: str, start: int, end: int) -> str:
    """The stable id of a region: label prefix and offsets (a Speaker never shares a Stance's id)."""
    return f"{ID_PREFIX[label]}{start}-{end}"


def is_int(value) -> bool:
    """A JSON integer (an id, an offset): an int that is not a bool."""
    return type(value) is int or (isinstance(value, int) and not isinstance(value, bool))


@dataclass
class Region:
    """A labeled span with its per-region choices (control name -> value)."""

    id: str
    label: str
    start: int
    end: int
    score: float | None = None
    choices: dict[str, str] = field(default_factory=dict)

    def labels_item(self, text: str) -> dict:
        """The `labels` result item, as the UI stores it (value.text is the text at the offsets)."""
        item = {"id": self.id, "from_name": LABEL_FROM, "to_name": TEXT_TO, "type": "labels",
                "value": {"start": self.start, "end": self.end, "text": text[self.start:self.end],
                          "labels": [self.label]}}
        if self.score is not None:
            item["score"] = round(self.score, 3)
        return item

    def choice_items(self, text: str) -> list[dict]:
        """One `choices` item per choice: same id and offsets as the region."""
        return [{"id": self.id, "from_name": name, "to_name": TEXT_TO, "type": "choices",
                 "value": {"start": self.start, "end": self.end, "text": text[self.start:self.end],
                           "choices": [value]}}
                for name, value in self.choices.items()]

    def to_result(self, text: str) -> list[dict]:
        return [self.labels_item(text), *self.choice_items(text)]


@dataclass(frozen=True)
class Relation:
    from_id: str
    to_id: str
    type: str

    def to_result(self) -> dict:
        return {"from_id": self.from_id, "to_id": self.to_id, "type": "relation", "direction": "right",
                "labels": [self.type]}


def _turned(from_label: str | None, to_label: str | None, kind: str) -> bool:
    """Whether a relation stored both ways (`direction: bi`, what the labeling UI's direction
    arrow gives after one click) is read from its `to` end: when only that reading joins the
    labels its type joins (a said_by drawn from the Speaker to the Quote). A both-ways relation
    between two labels its type allows either way round (refers_to) is read as drawn."""
    ends = RELATION_ENDS.get(kind)
    return ends is not None and (from_label, to_label) != ends and (to_label, from_label) == ends


def parse_result(result) -> tuple[list[Region], list[Relation]]:
    """Regions and relations from a Label Studio result list, skipping malformed items.

    Choices attach to the first region with their id (duplicate ids are the checker's to
    report); a relation stored `direction: left` is turned around, one stored `direction: bi`
    too when only that way joins the labels its type joins (`_turned`); a relation with several
    labels is one Relation per label. Regions come sorted by (start, end, label, id).
    """
    regions: list[Region] = []
    picked: dict[str, dict[str, str]] = {}
    relations: list[Relation] = []
    both_ways: list[int] = []  # positions in `relations` of relations stored `direction: bi`
    for item in result if isinstance(result, list) else []:
        if not isinstance(item, dict):
            continue
        kind = item.get("type")
        value = item.get("value") if isinstance(item.get("value"), dict) else {}
        if kind == "labels" and item.get("from_name", LABEL_FROM) == LABEL_FROM:
            labels = value.get("labels")
            if not (isinstance(labels, list) and labels and isinstance(labels[0], str) and isinstance(item.get("id"), str)):
                continue
            if not (is_int(value.get("start")) and is_int(value.get("end"))):
                continue
            score = item.get("score")
            regions.append(Region(item["id"], labels[0], value["start"], value["end"],
                                  score if isinstance(score, (int, float)) and not isinstance(score, bool) else None))
        elif kind == "choices" and isinstance(item.get("id"), str) and isinstance(item.get("from_name"), str):
            values = value.get("choices")
            if isinstance(values, list) and values and isinstance(values[0], str):
                picked.setdefault(item["id"], {})[item["from_name"]] = values[0]
        elif kind == "relation":
            src, dst = item.get("from_id"), item.get("to_id")
            if not (isinstance(src, str) and isinstance(dst, str)):
                continue
            if item.get("direction") == "left":
                src, dst = dst, src
            labels = item.get("labels")
            for label in labels if isinstance(labels, list) else []:
                if isinstance(label, str):
                    if item.get("direction") == "bi":
                        both_ways.append(len(relations))
                    relations.append(Relation(src, dst, label))
    seen: set[str] = set()
    for region in regions:
        if region.id not in seen:
            seen.add(region.id)
            region.choices = dict(picked.get(region.id, {}))
    if both_ways:
        label_of = {}
        for region in regions:
            label_of.setdefault(region.id, region.label)
        for k in both_ways:
            r = relations[k]
            if _turned(label_of.get(r.from_id), label_of.get(r.to_id), r.type):
                relations[k] = Relation(r.to_id, r.from_id, r.type)
    regions.sort(key=lambda r: (r.start, r.end, r.label, r.id))
    relations.sort(key=lambda r: (r.from_id, r.to_id, r.type))
    return regions, relations


def parse_regions(result: list) -> tuple[list[dict], list[dict]]:
    """(spans, relations) of a gold record from a Label Studio result list: what
    `parse_result` reads, as dicts.

    Spans are {id, label, start, end} plus the per-region choices as the contract maps them
    (quote_type / polarity / target, `unattributed: true`); relations are {from, to, type}.
    Span text is not set here (it comes from the document text). The same reading as
    parse_result, item by item, without its Region/Relation objects (this runs twice on every
    task pull reads): tests/test_pull_speed.py holds the two to the same answers.
    """
    regions: list[tuple] = []  # (start, end, label, id, input order)
    picked: dict[str, dict[str, str]] = {}
    rels: list[tuple[str, str, str]] = []
    both_ways: list[int] = []  # positions in `rels` of relations stored `direction: bi`
    for item in result if isinstance(result, list) else []:
        if not isinstance(item, dict):
            continue
        get = item.get
        kind = get("type")
        if kind == "labels":
            if get("from_name", LABEL_FROM) != LABEL_FROM:
                continue
            value = get("value")
            if not isinstance(value, dict):
                continue
            labels, rid = value.get("labels"), get("id")
            if not (isinstance(labels, list) and labels and isinstance(labels[0], str) and isinstance(rid, str)):
                continue
            start, end = value.get("start"), value.get("end")
            if not ((start.__class__ is int or is_int(start)) and (end.__class__ is int or is_int(end))):
                continue
            regions.append((start, end, labels[0], rid, len(regions)))
        elif kind == "choices":
            rid, name = get("id"), get("from_name")
            if isinstance(rid, str) and isinstance(name, str):
                value = get("value")
                values = value.get("choices") if isinstance(value, dict) else None
                if isinstance(values, list) and values and isinstance(values[0], str):
                    picked.setdefault(rid, {})[name] = values[0]
        elif kind == "relation":
            src, dst = get("from_id"), get("to_id")
            if not (isinstance(src, str) and isinstance(dst, str)):
                continue
            direction = get("direction")
            if direction == "left":
                src, dst = dst, src
            labels = get("labels")
            for label in labels if isinstance(labels, list) else []:
                if isinstance(label, str):
                    if direction == "bi":
                        both_ways.append(len(rels))
                    rels.append((src, dst, label))
    first: set[int] = set()  # choices attach to the first region (in the result) with their id
    seen: set[str] = set()
    for region in regions:
        if region[3] not in seen:
            seen.add(region[3])
            first.add(region[4])
    if both_ways:
        label_of = {region[3]: region[2] for region in regions if region[4] in first}
        for k in both_ways:
            src, dst, label = rels[k]
            if _turned(label_of.get(src), label_of.get(dst), label):
                rels[k] = (dst, src, label)
    regions.sort()  # (start, end, label, id), then input order: parse_result's stable sort
    spans = []
    for start, end, label, rid, order in regions:
        span = {"id": rid, "label": label, "start": start, "end": end}
        if order in first and rid in picked:
            for name, value in picked[rid].items():
                target = SPAN_FIELDS.get(name)
                if target == "unattributed":
                    if value == UNATTRIBUTED:
                        span["unattributed"] = True
                elif target is not None:
                    span[target] = value
        spans.append(span)
    rels.sort()
    return spans, [{"from": a, "to": b, "type": t} for a, b, t in rels]



# --- the speaker chain ---------------------------------------------------------------------------


def speaker_chain(span_id: str, refers_to: dict[str, str]) -> list[str]:
    """The Speaker ids from `span_id` following refers_to (cycle-safe): ["he", "Peskov"]."""
    chain, seen = [span_id], {span_id}
    while chain[-1] in refers_to and refers_to[chain[-1]] not in seen:
        chain.append(refers_to[chain[-1]])
        seen.add(chain[-1])
    return chain


def resolve_speaker(span_id: str, refers_to: dict[str, str]) -> str:
    """Follow refers_to from a Speaker span to the mention it finally means (cycle-safe)."""
    return speaker_chain(span_id, refers_to)[-1]


def reference_map(relations: Iterable[dict]) -> dict[str, str]:
    """Speaker id -> the Speaker it refers_to (the first link of each, as the record stores it)."""
    out: dict[str, str] = {}
    for r in relations:
        if r["type"] == "refers_to":
            out.setdefault(r["from"], r["to"])
    return out


def derive_quotes(spans: list[dict], relations: list[dict]) -> list[dict]:
    """A gold record's derived `quotes`: one per Quote span, in span order.

    `speaker_span` is the Speaker the Quote is said_by (the first if several; validation
    rejects that), `speaker` the text of the span reached by following refers_to from it
    (a pronoun resolves to the name it refers to), `stances` the Stance spans inside the quote.
    """
    by_id: dict[str, dict] = {}
    for s in spans:
        by_id.setdefault(s["id"], s)
    said_by: dict[str, list[str]] = {}
    for r in relations:
        if r["type"] == "said_by":
            said_by.setdefault(r["from"], []).append(r["to"])
    refers_to = reference_map(relations)
    inside = _stances_inside(spans)
    quotes = []
    for q in spans:
        if q["label"] != "Quote":
            continue
        speakers = said_by.get(q["id"], [])
        speaker_span = speakers[0] if speakers else None
        name = None
        if speaker_span is not None:
            node = resolve_speaker(speaker_span, refers_to)
            name = by_id[node].get("text") if node in by_id else None
        quotes.append({
            "span": q["id"], "start": q["start"], "end": q["end"], "text": q.get("text", ""),
            "speaker_span": speaker_span, "speaker": name,
            "quote_type": q.get("quote_type"), "unattributed": bool(q.get("unattributed")),
            "stances": inside(q["start"], q["end"]),
        })
    return quotes


def _stances_inside(spans: list[dict]):
    """A function (start, end) -> the ids of the Stance spans within [start, end], in span order.

    The stances are sorted by start once and each quote looks up its range by bisection, so a
    record with thousands of quotes and stances is not read quadratically. A stance that ends
    before it starts (a broken record, rejected anyway) is tried against every quote, as a plain
    scan would."""
    stances = [(s["start"], i, s) for i, s in enumerate(spans) if s["label"] == "Stance"]
    odd = [(i, s) for _, i, s in stances if not s["start"] <= s["end"]]
    stances = sorted((t for t in stances if t[2]["start"] <= t[2]["end"]), key=lambda t: (t[0], t[1]))
    starts = [t[0] for t in stances]

    def inside(start, end) -> list[str]:
        hits = []
        for k in range(bisect.bisect_left(starts, start), bisect.bisect_right(starts, end)):
            _, i, s = stances[k]
            if s["end"] <= end:
                hits.append((i, s["id"]))
        hits += [(i, s["id"]) for i, s in odd if start <= s["start"] and s["end"] <= end]
        return [sid for _, sid in sorted(hits)]

    return inside
