"""brat standoff in the PolNeAR layout, one folder per split:

    <split>/text/<id>.txt                    the record's text, byte for byte
    <split>/attributions/<id>_<annotator>.ann

Per .ann: Speaker spans are `Source`, Quote spans `Content`, Stance spans `Stance`
text-bound annotations; each Quote gets an `Attribution` trigger and an event
`E… Attribution:T… Content:T… Source:T…` (no Source when the quote is unattributed);
`QuoteType`, `Unattributed` and `Polarity` attributes; the stance target as an AnnotatorNotes comment;
`refers_to` as a `RefersTo Arg1:… Arg2:…` relation. The gold data has no cue spans, so the
Attribution trigger covers the quote itself and no `Cue` annotation is written.
Spans that run over a line break are written as fragments ("10 20;21 40"), as brat does.
An annotation.conf at the top declares these types for brat's own tools.

File names: a record id that is a safe file name of at most 100 bytes is used as is; any
other (too long, characters outside letters, digits, '.', '-', '_', a name Windows reserves)
becomes its first 100 safe bytes + "-" + the first 12 hex digits of the id's SHA-256, so the
name is deterministic and stays under every file system's 255-byte limit. `index.jsonl` at
the top maps every record id to its .txt and .ann files (one JSON object a line: id, split,
text, ann).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from ..annotations import display_name
from .report import FormatLoss
from .source import said_by

LINE_BREAKING = re.compile("[\t\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
TYPES = {"Speaker": "Source", "Quote": "Content", "Stance": "Stance"}
ANNOTATION_CONF = """\
[entities]
Source
Content
Cue
Stance
Attribution

[relations]
RefersTo\tArg1:Source, Arg2:Source

[events]
Attribution\tContent:Content, Source?:Source, Cue?:Cue

[attributes]
QuoteType\tArg:Content, Value:direct|indirect|mixed
Unattributed\tArg:Content
Polarity\tArg:Stance, Value:favor|against|neutral
"""


MAX_NAME_BYTES = 100  # + "-" + 12 hex digits: an id and an annotator part fit in 255 bytes
HASH_DIGITS = 12
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                    *(f"LPT{i}" for i in range(1, 10))}
INDEX = "index.jsonl"


def safe_name(name: str) -> str:
    """A file-name-safe stem; '_' is kept out of annotator names (it separates id and annotator)."""
    return re.sub(r"[^\w.-]", "-", name).strip(".") or "x"


def _hashed(name: str, safe: str) -> str:
    """The first MAX_NAME_BYTES UTF-8 bytes of `safe` (never half a character) + "-" + the
    start of the SHA-256 of `name`."""
    short = safe.encode("utf-8")[:MAX_NAME_BYTES].decode("utf-8", errors="ignore").rstrip(".")
    return f"{short}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:HASH_DIGITS]}"


def file_stem(record_id: str) -> str:
    """The file name stem of a record: the id itself when it is a safe, short file name, else
    a shortened safe form with a hash of the id (deterministic, collision-proof)."""
    safe = safe_name(record_id)
    if (safe == record_id and len(safe.encode("utf-8")) <= MAX_NAME_BYTES
            and safe.split(".")[0].upper() not in WINDOWS_RESERVED):
        return safe
    return _hashed(record_id, safe)


def annotator_part(name: str) -> str:
    """The annotator part of an .ann name: made safe ('_' becomes '-'), hashed only when long."""
    safe = safe_name(name).replace("_", "-")
    return safe if len(safe.encode("utf-8")) <= MAX_NAME_BYTES else _hashed(name, safe)


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The span split at line breaks, the way brat stores multi-line spans."""
    return [(start + m.start(), start + m.end()) for m in re.finditer(r"[^\n]+", text[start:end])]


def quoted(text: str, frags: list[tuple[int, int]]) -> str:
    """The text field of a T line: the fragments joined by a space, with tabs and every other
    line-breaking character made a space so the .ann stays one annotation per line."""
    return LINE_BREAKING.sub(" ", " ".join(text[a:b] for a, b in frags))


def annotator_of(record: dict) -> str:
    """The annotator in the record's provenance (email, else user<id>), else "gold"."""
    who = (record.get("provenance") or {}).get("annotator") or {}
    # the reports' name for the annotator; in a file name without the space ("user12")
    name = display_name(who["id"], who.get("email")).replace(" ", "") if who.get("id") is not None \
        else who.get("email") or "gold"
    return annotator_part(name)


def record_to_ann(record: dict, loss: FormatLoss) -> str:
    """One record -> the .ann text (T, A, #, R, E lines in a stable order)."""
    text = record["text"]
    lines: list[str] = []
    tid: dict[str, str] = {}
    spans = sorted(record.get("spans", []), key=lambda s: (s["start"], s["end"], s["label"], s["id"]))
    for s in spans:
        loss.spans += 1
        frags = fragments(text, s["start"], s["end"])
        if not frags:
            loss.spans_lost += 1
            loss.note(f"{s['label']} spans are only line breaks")
            continue
        if (frags[0][0], frags[-1][1]) != (s["start"], s["end"]):
            loss.spans_adjusted += 1
            loss.note(f"{s['label']} spans trimmed of leading/trailing line breaks")
        if len(frags) > 1:
            loss.note(f"{s['label']} spans written as fragments (they cross a line break)")
        tid[s["id"]] = t = f"T{len(tid) + 1}"
        offsets = ";".join(f"{a} {b}" for a, b in frags)
        lines.append(f"{t}\t{TYPES[s['label']]} {offsets}\t{quoted(text, frags)}")
        loss.spans_written += 1
    attrs, notes, rels, events = [], [], [], []
    speaker_of = said_by(record)
    n_trigger = len(tid)
    for s in spans:
        t = tid.get(s["id"])
        if t is None:
            continue
        if s["label"] == "Quote":
            if s.get("quote_type"):
                attrs.append(f"QuoteType {t} {s['quote_type']}")
            if s.get("unattributed"):
                attrs.append(f"Unattributed {t}")
            n_trigger += 1
            trigger = f"T{n_trigger}"
            frags = fragments(text, s["start"], s["end"])
            offsets = ";".join(f"{a} {b}" for a, b in frags)
            lines.append(f"{trigger}\tAttribution {offsets}\t{quoted(text, frags)}")
            event = f"Attribution:{trigger} Content:{t}"
            if speaker_of.get(s["id"]) in tid:
                event += f" Source:{tid[speaker_of[s['id']]]}"
            events.append(event)
        elif s["label"] == "Stance":
            if s.get("polarity"):
                attrs.append(f"Polarity {t} {s['polarity']}")
            if s.get("target"):
                notes.append(f"AnnotatorNotes {t}\ttarget: {' '.join(str(s['target']).split())}")
    for r in record.get("relations", []):
        loss.relations += 1
        if r["from"] not in tid or r["to"] not in tid:
            loss.relations_lost += 1
            loss.note(f"{r['type']} relations lost with a dropped span")
            continue
        loss.relations_written += 1
        if r["type"] == "refers_to":
            rels.append(f"RefersTo Arg1:{tid[r['from']]} Arg2:{tid[r['to']]}")
    lines += [f"E{i}\t{e}" for i, e in enumerate(events, 1)]
    lines += [f"R{i}\t{r}" for i, r in enumerate(rels, 1)]
    lines += [f"A{i}\t{a}" for i, a in enumerate(attrs, 1)]
    lines += [f"#{i}\t{n}" for i, n in enumerate(notes, 1)]
    loss.records += 1
    return "\n".join(lines) + ("\n" if lines else "")


def write_brat(splits: dict[str, list[dict]], out: Path, loss: FormatLoss,
               annotator: str | None = None) -> None:
    """Write <split>/text and <split>/attributions for every split, plus annotation.conf and
    index.jsonl (record id -> its files)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "annotation.conf").write_text(ANNOTATION_CONF, encoding="utf-8")
    loss.files.append("annotation.conf")
    with (out / INDEX).open("w", encoding="utf-8", newline="\n") as index:
        for split, records in splits.items():
            (out / split / "text").mkdir(parents=True, exist_ok=True)
            (out / split / "attributions").mkdir(parents=True, exist_ok=True)
            stems: set[str] = set()  # casefolded: 'Doc' and 'doc' are one file on macOS and Windows
            for record in records:
                stem = file_stem(record["id"])
                if stem != record["id"]:
                    loss.note("record ids shortened or made file-name safe (see index.jsonl)")
                if stem.casefold() in stems:
                    stem = _hashed(record["id"], stem)
                    loss.note("record ids differing only in case given a hash (see index.jsonl)")
                n = 1
                base = stem
                while stem.casefold() in stems:  # a hashed name taken by another id: never seen
                    n += 1
                    stem = f"{base}-{n}"
                stems.add(stem.casefold())
                who = annotator_part(annotator) if annotator else annotator_of(record)
                text_name = f"{split}/text/{stem}.txt"
                ann_name = f"{split}/attributions/{stem}_{who}.ann"
                with (out / text_name).open("w", encoding="utf-8", newline="") as fh:
                    fh.write(record["text"])
                (out / ann_name).write_text(record_to_ann(record, loss), encoding="utf-8", newline="\n")
                index.write(json.dumps({"id": record["id"], "split": split, "text": text_name,
                                        "ann": ann_name}, ensure_ascii=False) + "\n")
            loss.files += [f"{split}/text/", f"{split}/attributions/"]
    loss.files.append(INDEX)
