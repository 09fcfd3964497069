"""spaCy: one DocBin per split on spacy.blank("en") tokens, spans in three span groups.

Per Doc:
- doc.spans["quote"]   labels "Quote:direct" | "Quote:indirect" | "Quote:mixed"
- doc.spans["speaker"] label  "Speaker"
- doc.spans["stance"]  labels "Stance:favor" | "Stance:against" | "Stance:neutral"
  (each span's `id_` is the gold span id)
- doc.user_data["annotate"] = {
      "id": the record id,
      "targets": the stance targets offered for the document,
      "stance_targets": {stance span id: target},
      "relations": [{"from", "to", "type"}]  (said_by / refers_to between span ids),
      "quotes": the record's derived quotes (speaker_span, speaker name, unattributed, ...),
      "char_spans": {span id: [start, end]} exact offsets of spans moved to token edges}
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import zlib
from pathlib import Path

from .report import FormatLoss

GROUPS = {"Quote": "quote", "Speaker": "speaker", "Stance": "stance"}
USER_DATA_KEY = "annotate"
CONFIG_NAME = "spancat.cfg"


def span_label(span: dict) -> str:
    """The spaCy label: the layer, plus quote_type on quotes and polarity on stances."""
    extra = span.get("quote_type") if span["label"] == "Quote" else (
        span.get("polarity") if span["label"] == "Stance" else None)
    return f"{span['label']}:{extra}" if extra else span["label"]


def record_to_doc(nlp, record: dict, loss: FormatLoss, doc=None):
    """One gold record -> a Doc with span groups and user_data; counts moved and lost spans."""
    doc = doc if doc is not None else nlp.make_doc(record["text"])
    groups: dict[str, list] = {key: [] for key in GROUPS.values()}
    moved = {}
    for s in record.get("spans", []):
        loss.spans += 1
        span = doc.char_span(s["start"], s["end"], label=span_label(s), span_id=s["id"],
                             alignment_mode="expand")
        if span is None or len(span) == 0:
            loss.spans_lost += 1
            loss.note(f"{s['label']} spans cover no token (whitespace only)")
            continue
        if (span.start_char, span.end_char) != (s["start"], s["end"]):
            loss.spans_adjusted += 1
            loss.note(f"{s['label']} spans moved to token boundaries")
            moved[s["id"]] = [s["start"], s["end"]]
        groups[GROUPS[s["label"]]].append(span)
        loss.spans_written += 1
    for key, spans in groups.items():
        doc.spans[key] = spans
    relations = [{"from": r["from"], "to": r["to"], "type": r["type"]}
                 for r in record.get("relations", [])]
    loss.relations += len(relations)
    loss.relations_written += len(relations)
    doc.user_data[USER_DATA_KEY] = {
        "id": record["id"],
        "relations": relations,
        "targets": list(record.get("targets", [])),
        "stance_targets": {s["id"]: s.get("target") for s in record.get("spans", [])
                           if s["label"] == "Stance"},
        "quotes": record.get("quotes", []),
        "char_spans": moved,
    }
    loss.records += 1
    return doc


@contextlib.contextmanager
def _encoders_looked_up_once():
    """srsly makes a msgpack Packer for every pack, and each one walks the whole function
    registry (catalogue, thousands of entries with spaCy loaded) and the installed packages'
    entry points to find encoder plugins. DocBin.add packs five times per Doc, which made
    that walk a third of the export. The encoders cannot change during an export, so look
    them up once and restore the registry afterwards; the bytes written are the same."""
    import srsly.msgpack as srsly_msgpack

    registry = getattr(srsly_msgpack, "msgpack_encoders", None)
    if registry is None or "get_all" in vars(registry):
        yield
        return
    encoders = registry.get_all()
    registry.get_all = lambda: dict(encoders)
    try:
        yield
    finally:
        del registry.get_all


class DocBinWriter:
    """Writes the bytes `DocBin(attrs=["ORTH"], store_user_data=True).to_disk(path)` would
    write for the Docs added, without holding them: a DocBin keeps every Doc's arrays until
    it is serialised, which at 100,000 articles is gigabytes.

    Each Doc goes through a one-Doc DocBin (so its pieces are exactly DocBin's), and its
    tokens, spaces, cats, flags, span groups and user data are appended to temporary files
    (in `tmp_dir`); only the lengths and the set of strings stay in memory. `close()` writes
    DocBin's msgpack map (the same keys, in the same order, the same encodings) through
    zlib with DocBin's settings, copying the temporary files in.
    """

    STREAMED = ("tokens", "spaces", "cats", "flags", "span_groups", "user_data")

    def __init__(self, path: Path, tmp_dir: Path):
        from spacy.tokens import DocBin
        from srsly.msgpack import Packer

        self.path = path
        self._docbin = lambda: DocBin(attrs=["ORTH"], store_user_data=True)
        self._meta = self._docbin()
        self._packer = Packer(use_bin_type=True)
        self._files = {name: tempfile.TemporaryFile(dir=tmp_dir) for name in self.STREAMED}
        self._lengths: list[int] = []
        self._strings: set[str] = set()

    def add(self, doc) -> None:
        one = self._docbin()
        one.add(doc)
        tokens, spaces = one.tokens[0], one.spaces[0]
        assert len(tokens.shape) == 2, tokens.shape  # as DocBin.to_bytes checks
        self._lengths.append(len(tokens))
        self._strings |= one.strings
        self._files["tokens"].write(tokens.tobytes("C"))
        self._files["spaces"].write(spaces.tobytes("C"))
        for name in ("cats", "flags", "span_groups", "user_data"):
            self._files[name].write(self._packer.pack(getattr(one, name)[0]))

    @staticmethod
    def _bin_header(n: int) -> bytes:
        if n < 1 << 8:
            return b"\xc4" + n.to_bytes(1, "big")
        if n < 1 << 16:
            return b"\xc5" + n.to_bytes(2, "big")
        if n < 1 << 32:
            return b"\xc6" + n.to_bytes(4, "big")
        raise ValueError("bin too large for msgpack")

    def close(self) -> None:
        import numpy

        pack = self._packer.pack
        count = len(self._lengths)
        meta = self._meta
        z = zlib.compressobj()
        try:
            with self.path.open("wb") as out:
                def emit(data: bytes) -> None:
                    out.write(z.compress(data))

                def copy(name: str) -> None:
                    fh = self._files[name]
                    fh.seek(0)
                    while chunk := fh.read(1 << 20):
                        emit(chunk)

                def binary(name: str) -> None:
                    emit(self._bin_header(self._files[name].tell()))
                    copy(name)

                def items(name: str) -> None:
                    emit(self._packer.pack_array_header(count))
                    copy(name)

                emit(self._packer.pack_map_header(10))
                emit(pack("version") + pack(meta.version))
                emit(pack("attrs") + pack(meta.attrs))
                emit(pack("tokens"))
                binary("tokens")
                emit(pack("spaces"))
                binary("spaces")
                lengths = numpy.asarray(self._lengths, dtype="int32").tobytes("C")
                emit(pack("lengths") + pack(lengths))
                emit(pack("strings") + pack(sorted(self._strings)))
                for name in ("cats", "flags", "span_groups", "user_data"):
                    emit(pack(name))
                    items(name)
                out.write(z.flush())
        finally:
            for fh in self._files.values():
                fh.close()


def training_config(train: str, dev: str) -> str:
    """The shipped labeling_config/spancat.cfg with [paths] train/dev set to these files."""
    from ..labeling import shipped_file

    text = shipped_file(CONFIG_NAME).read_text(encoding="utf-8")
    text = re.sub(r"^train = .*$", lambda _: f"train = {_config_string(train)}", text, count=1, flags=re.M)
    return re.sub(r"^dev = .*$", lambda _: f"dev = {_config_string(dev)}", text, count=1, flags=re.M)


def _config_string(value: str) -> str:
    """`value` as a spaCy config string: JSON, with "$" escaped as \\u0024. spaCy's config
    reads "${section.key}" as a reference before it parses the JSON, so a directory named
    "run ${x}" would otherwise not come back as written."""
    return json.dumps(value).replace("$", "\\u0024")


def write_spacy(splits: dict[str, list[dict]], out: Path, loss: FormatLoss,
                final_dir: Path | None = None) -> None:
    """Write out/<split>.spacy for every split (an empty split gives an empty DocBin) and
    out/config.cfg, the shipped spancat config pointing at final_dir's train/dev files
    (absolute paths, so `spacy train` works from any directory)."""
    import spacy

    nlp = spacy.blank("en")
    out.mkdir(parents=True, exist_ok=True)
    with _encoders_looked_up_once():
        for split, records in splits.items():
            # blank-pipeline docs carry only tokens (ORTH + spacing) and spans: storing the
            # default tag/dep/ent/... columns would multiply the memory for nothing. The
            # records stream from the split's file and each Doc goes to disk as it is made.
            db = DocBinWriter(out / f"{split}.spacy", out)
            docs = nlp.tokenizer.pipe((r["text"] for r in records), batch_size=256)
            for record, doc in zip(records, docs, strict=True):
                db.add(record_to_doc(nlp, record, loss, doc))
            db.close()
            loss.files.append(f"{split}.spacy")
    names = list(splits)
    train = "train" if "train" in splits else names[0]
    dev = "dev" if "dev" in splits else train
    if dev == train:
        loss.note("spaCy config: no dev split, the config evaluates on the training split")
    # absolute paths: spaCy resolves [paths] against the directory `spacy train` runs in,
    # not against the config file, so a relative path only worked from where the export ran
    where = Path(os.path.abspath(final_dir if final_dir is not None else out))
    config = training_config((where / f"{train}.spacy").as_posix(), (where / f"{dev}.spacy").as_posix())
    (out / "config.cfg").write_text(config, encoding="utf-8")
    loss.files.append("config.cfg")
