"""Hugging Face datasets: a DatasetDict with explicit Features, saved with save_to_disk,
plus the same rows as JSONL (one file per split) and a dataset card for the Hub.

Layout under out/: README.md (card with the Hub's YAML header), data/<split>.jsonl,
arrow/ (DatasetDict.save_to_disk).

`meta` and `provenance` are JSON strings, not structs: pyarrow's JSON reader (behind
load_dataset("json")) turns ISO dates and times into timestamps and prints them back in
another form, and their many optional fields would be typed null wherever a split lacks them.
As strings they come back byte for byte; `json.loads(row["provenance"])` gives the object.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..io import dumps
from .report import FormatLoss

SPAN_FIELDS = ("id", "label", "start", "end", "text", "quote_type", "unattributed", "polarity",
               "target")
RELATION_FIELDS = ("from", "to", "type")
ROWS_PER_BATCH = 1000
QUOTE_FIELDS = ("span", "start", "end", "text", "speaker_span", "speaker", "quote_type",
                "unattributed", "stances")


def features():
    """The explicit schema of every split: the gold record's annotation fields as typed columns;
    `meta` and `provenance` as JSON strings (see the module docstring)."""
    from datasets import Features, Value

    string, int64, boolean = Value("string"), Value("int64"), Value("bool")
    return Features({
        "id": string,
        "text": string,
        "text_sha256": string,
        "targets": [string],
        "spans": [{"id": string, "label": string, "start": int64, "end": int64, "text": string,
                   "quote_type": string, "unattributed": boolean, "polarity": string,
                   "target": string}],
        "relations": [{"from": string, "to": string, "type": string}],
        "quotes": [{"span": string, "start": int64, "end": int64, "text": string,
                    "speaker_span": string, "speaker": string, "quote_type": string,
                    "unattributed": boolean, "stances": [string]}],
        "meta": string,
        "provenance": string,
    })


def record_to_row(record: dict, loss: FormatLoss) -> dict:
    """A gold record as one row: absent optional span fields become null; meta and
    provenance are serialised as JSON strings. Nothing is dropped."""
    spans = [{k: s.get(k) for k in SPAN_FIELDS} for s in record["spans"]]
    relations = [{k: r[k] for k in RELATION_FIELDS} for r in record["relations"]]
    loss.records += 1
    loss.spans += len(spans)
    loss.spans_written += len(spans)
    loss.relations += len(relations)
    loss.relations_written += len(relations)
    return {
        "id": record["id"],
        "text": record["text"],
        "text_sha256": record["text_sha256"],
        "targets": list(record["targets"]),
        "spans": spans,
        "relations": relations,
        "quotes": [{k: q[k] for k in QUOTE_FIELDS} for q in record["quotes"]],
        "meta": dumps(record["meta"]),
        "provenance": dumps(record["provenance"]),
    }


def write_hf(splits: dict[str, Iterable[dict]], out: Path, loss: FormatLoss) -> None:
    """Write data/<split>.jsonl, arrow/ (save_to_disk) and README.md (dataset card)."""
    from datasets import DatasetDict

    feats = features()
    (out / "data").mkdir(parents=True, exist_ok=True)
    tables, sizes = {}, {}
    with tempfile.TemporaryDirectory(prefix=".arrow-", dir=out) as scratch:
        for split, records in splits.items():
            with (out / "data" / f"{split}.jsonl").open("w", encoding="utf-8", newline="\n") as fh:
                tables[split], sizes[split] = _split_table(records, fh, feats, Path(scratch) / f"{split}.arrow", loss)
            loss.files.append(f"data/{split}.jsonl")
        # an empty split saved with the default (0 shards) cannot be loaded back: give it one
        shards = {split: 1 for split, (n, _) in sizes.items() if not n}
        known = {id(tables[split]): nbytes for split, (_, nbytes) in sizes.items()}
        with _quiet(), _shards_read_not_mapped(known):
            DatasetDict(tables).save_to_disk(str(out / "arrow"), num_shards=shards or None)
        tables.clear()  # let go of the memory-mapped scratch files before they are removed
    loss.files.append("arrow/")
    (out / "README.md").write_text(dataset_card(feats, sizes), encoding="utf-8")
    loss.files.append("README.md")


def _split_table(records: Iterable[dict], fh, feats, scratch: Path, loss: FormatLoss):
    """(the split as a Dataset, (rows, arrow bytes)), its rows also written to `fh` as JSONL.

    Rows go a batch at a time into an in-memory Dataset (`Dataset.from_list`), then to JSONL
    and to an Arrow file in `scratch`; the split is that file, memory-mapped. The result is
    what `concatenate_datasets` of the batches gave when they were all held in memory (the
    same rows, info and fingerprint, so save_to_disk writes the same bytes), without the
    dataset in memory.
    """
    from datasets import Dataset
    from datasets.arrow_dataset import _concatenate_map_style_datasets
    from datasets.arrow_writer import ArrowWriter
    from datasets.fingerprint import update_fingerprint
    from datasets.info import DatasetInfo
    from datasets.table import MemoryMappedTable

    fingerprints, infos, nbytes, n, form = [], [], 0, 0, {}
    writer = None
    try:
        batches = iter(records)
        while True:
            rows = [record_to_row(r, loss) for r in itertools.islice(batches, ROWS_PER_BATCH)]
            if not rows:
                break
            for row in rows:  # keys in Features order: load_dataset("json") keeps that order
                fh.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
                fh.write("\n")
            part = Dataset.from_list(rows, features=feats)
            fingerprints.append(part._fingerprint)
            form = part.format
            infos.append(part.info)
            nbytes += part.data.nbytes
            n += len(rows)
            if writer is None:
                writer = ArrowWriter(features=feats, path=str(scratch), writer_batch_size=ROWS_PER_BATCH)
            writer.write_table(part.data.table)
            del rows, part  # before the next batch is read: one batch in memory, not two
        if writer is not None:
            writer.finalize()
    finally:
        if writer is not None:
            writer.close()
    if writer is None:
        # from_list([]) would drop every column: an empty split still gets the schema
        empty = Dataset.from_dict({name: [] for name in feats}, features=feats)
        return empty, (0, empty.data.nbytes)
    info = DatasetInfo.from_merge(infos)
    fingerprint = update_fingerprint("".join(fingerprints), _concatenate_map_style_datasets,
                                     {"info": info, "split": None, "axis": 0})
    dataset = Dataset(MemoryMappedTable.from_file(str(scratch)), info=info, split=None, fingerprint=fingerprint)
    dataset.set_format(**form)
    return dataset, (n, nbytes)


def _mapped_range(table) -> tuple[str, int, int] | None:
    """(file, first row, rows) of a memory-mapped table that is only sliced (and given schema
    metadata, which the shard's writer replaces anyway); else None."""
    from datasets.table import MemoryMappedTable

    if not isinstance(table, MemoryMappedTable) or not table.path:
        return None
    offset = 0
    for name, args, _ in table.replays or ():
        if name == "slice":
            offset += args[0] if args else 0
        elif name != "replace_schema_metadata":
            return None
    return table.path, offset, table.num_rows


def _read_rows(path: str, offset: int, rows: int, batch_size: int):
    """The rows [offset, offset + rows) of an Arrow stream file as tables of `batch_size` rows
    (the last one shorter), read record batch by record batch: nothing stays mapped."""
    import pyarrow as pa

    with pa.OSFile(path) as fh:
        reader = pa.ipc.open_stream(fh)
        pending, have, skip, left = [], 0, offset, rows
        for batch in reader:
            if left <= 0:
                break
            if skip >= batch.num_rows:
                skip -= batch.num_rows
                continue
            batch = batch.slice(skip, left)
            skip, left = 0, left - batch.num_rows
            pending.append(batch)
            have += batch.num_rows
            while have >= batch_size:
                table = pa.Table.from_batches(pending, schema=reader.schema)
                yield table.slice(0, batch_size)
                rest = table.slice(batch_size)
                pending, have = rest.to_batches(), rest.num_rows
        if have:
            yield pa.Table.from_batches(pending, schema=reader.schema)


@contextlib.contextmanager
def _shards_read_not_mapped(known_nbytes: dict[int, int] | None = None):
    """save_to_disk, with each shard of a memory-mapped split read from its file batch by
    batch instead of through the mapping: the bytes written are the same (the same rows in
    the same `writer_batch_size` tables to the same ArrowWriter), but a mapping read end to end
    stays resident, and would make the process as large as the split's Arrow file.

    `Dataset._save_to_disk_single` (datasets' writer of one shard) is replaced while saving;
    a shard that is not a sliced memory-mapped table goes to the original.

    `known_nbytes` ({id(dataset): bytes}) answers `Dataset._estimate_nbytes` (how save_to_disk
    sizes its shards and write batches) for the splits whose size `_split_table` summed while
    writing them: pyarrow's `Table.nbytes` reads every offsets buffer of a mapped table, and
    the pages it touches (a quarter of the file: 124 MB of the 617 MB train split of 100,000
    records) stay resident. The value is the same, so the shards are the same bytes."""
    from datasets import Dataset
    from datasets.arrow_writer import ArrowWriter

    original = Dataset._save_to_disk_single
    original_nbytes = Dataset._estimate_nbytes
    known = dict(known_nbytes or {})

    def estimate_nbytes(self) -> int:
        return known[id(self)] if id(self) in known else original_nbytes(self)

    def single(job_id, shard, fpath, storage_options, writer_batch_size):
        where = _mapped_range(shard._data) if shard._indices is None else None
        if where is None:
            yield from original(job_id=job_id, shard=shard, fpath=fpath, storage_options=storage_options,
                                writer_batch_size=writer_batch_size)
            return
        writer = ArrowWriter(features=shard.features, path=fpath, storage_options=storage_options,
                             embed_local_files=True)
        done = 0
        try:
            for table in _read_rows(*where, writer_batch_size):
                writer.write_table(table)
                done += len(table)
        finally:
            yield job_id, False, done
            num_examples, num_bytes = writer.finalize()
            writer.close()
        yield job_id, True, (num_examples, num_bytes)

    Dataset._save_to_disk_single = staticmethod(single)
    Dataset._estimate_nbytes = estimate_nbytes
    try:
        yield
    finally:
        Dataset._save_to_disk_single = original
        Dataset._estimate_nbytes = original_nbytes


@contextlib.contextmanager
def _quiet():
    """No progress bars while saving (the CLI prints its own summary)."""
    import datasets

    switches = [getattr(datasets, name, None) for name in
                ("is_progress_bar_enabled", "disable_progress_bars", "enable_progress_bars")]
    if not all(switches):  # an older datasets: leave its bars alone
        yield
        return
    is_enabled, disable, enable = switches
    was_enabled = is_enabled()
    disable()
    try:
        yield
    finally:
        if was_enabled:
            enable()


def _yaml_features(feats) -> list[dict]:
    """Features in the Hub's dataset_info YAML form (name + dtype | list | struct)."""
    from datasets import Value

    def one(name, f):
        if isinstance(f, Value):
            return {"name": name, "dtype": f.dtype}
        if isinstance(f, dict):
            return {"name": name, "struct": [one(k, v) for k, v in f.items()]}
        inner = getattr(f, "feature", None)
        if inner is None and isinstance(f, list):
            inner = f[0]
        if isinstance(inner, Value):
            return {"name": name, "list": inner.dtype}
        return {"name": name, "list": [one(k, v) for k, v in inner.items()]}

    return [one(k, v) for k, v in feats.items()]


def _size_category(n: int) -> str:
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                         (1_000_000, "100K<n<1M")):
        if n < limit:
            return label
    return "n>1M"


def dataset_card(feats, sizes: dict[str, tuple[int, int]]) -> str:
    """README.md for the Hub: YAML header (configs, dataset_info) and how to load the data.

    `sizes` is {split: (examples, arrow bytes)}."""
    import yaml

    counts = {split: n for split, (n, _) in sizes.items()}

    header = {
        "language": ["en"],
        "license": "unknown",
        "pretty_name": "Quote attribution gold (annotate)",
        "size_categories": [_size_category(sum(counts.values()))],
        "task_categories": ["token-classification"],
        "tags": ["quote-attribution", "stance", "span-categorization", "label-studio"],
        "configs": [{
            "config_name": "default",
            "data_files": [{"split": s, "path": f"data/{s}.jsonl"} for s in counts],
        }],
        "dataset_info": {
            "features": _yaml_features(feats),
            "splits": [{"name": s, "num_bytes": b, "num_examples": n} for s, (n, b) in sizes.items()],
            "dataset_size": sum(b for _, b in sizes.values()),
        },
    }
    files = ", ".join(f'"{s}": "data/{s}.jsonl"' for s in counts)
    body = f"""
# Quote attribution gold

Speaker, Quote and Stance spans in English news articles, reviewed in Label Studio and
exported by `annotate export --format hf`. Offsets are Python `str` (code point) indices
into `text`; `spans[].text == text[start:end]`.

| split | documents |
|---|---|
{chr(10).join(f"| {s} | {n} |" for s, n in counts.items())}

## Columns

- `spans`: `id`, `label` (Speaker | Quote | Stance), `start`, `end`, `text`; `quote_type`
  (direct | indirect | mixed) and `unattributed` on quotes, `polarity` (favor | against |
  neutral) and `target` on stances, null elsewhere.
- `relations`: `from`, `to` (span ids), `type`: `said_by` (Quote -> Speaker) or `refers_to`
  (short Speaker mention -> the fuller one it means).
- `quotes`: one per Quote: `span` (its id), `start`, `end`, `text`, `speaker_span` (the
  Speaker span id it is said_by, or null), `speaker` (the name reached along `refers_to`),
  `quote_type`, `unattributed`, `stances` (ids of the Stance spans inside it).
- `targets` (the stance targets offered for the document), `text_sha256`, and two JSON
  strings (`json.loads` them): `meta` (title, source, published, source_file, hashes) and
  `provenance` (project, task and annotation ids, annotator, times, ground truth, the
  prediction started from and the edits made to it). They are strings because the JSON
  loader would turn dates into timestamps.

## Load

Run from this folder (or give its path):

```python
from datasets import load_dataset, load_from_disk
ds = load_dataset(".")          # the Features declared above, splits from `configs`
ds = load_from_disk("arrow")    # the same DatasetDict, saved with save_to_disk
ds = load_dataset("json", data_files={{{files}}})
```

The last form infers the types from the first split: a field that is null in every row
there (say, no stance at all) is read as type null; pass `features=` from one of the first
two forms when that matters.
"""
    return "---\n" + yaml.safe_dump(header, sort_keys=False, allow_unicode=True) + "---\n" + body

