"""The gold dataset on disk (SPEC section 8): splits, the atomic writer, the manifest and card.

- `parse_split(value)`, `assign_split(record, seed, ratios)`: deterministic train/dev/test.
- `DatasetWriter`: writes gold.jsonl / rejects.jsonl / splits / manifest.json / README.md (and
  the training formats asked for) into a workspace inside DIR and swaps them into place.
- `check_output(dir)`, `recover_output_dir(dir)`: the checks and the clean-up a pull does first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import math
import os
import secrets
import shutil
import socket
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UsageError
from .io import dumps
from .labeling import config_hash, gold_schema

try:  # optional: writes a gold record ~8x faster than json, the same bytes (see record_line)
    import orjson as _orjson
except ImportError:  # pragma: no cover - json writes them
    _orjson = None

SPLITS = ("train", "dev", "test")
DEFAULT_SPLIT = (0.8, 0.1, 0.1)


def schema_version() -> str:
    """The gold schema's version (its `x-schema-version`)."""
    return gold_schema()["x-schema-version"]


# --- splits ----------------------------------------------------------------------------------


def parse_split(value: str | tuple | list) -> tuple[float, float, float]:
    """'0.8,0.1,0.1' -> (0.8, 0.1, 0.1); three non-negative ratios summing to 1 (ValueError)."""
    parts = value.split(",") if isinstance(value, str) else list(value)
    try:
        ratios = tuple(float(p) for p in parts)
    except (TypeError, ValueError):
        raise ValueError(f"split ratios must be numbers, got {value!r}") from None
    # not (r >= 0) also catches NaN, which compares false with everything.
    if len(ratios) != 3 or not all(math.isfinite(r) and r >= 0 for r in ratios) or abs(sum(ratios) - 1.0) > 1e-6:
        raise ValueError(f"split must be three finite, non-negative ratios train,dev,test summing to 1, got {value!r}")
    return ratios  # type: ignore[return-value]


def _split_point(text_sha256: str, seed: int) -> float:
    """A document's place in [0, 1) for split assignment: a hash of the seed and its text hash."""
    digest = hashlib.sha256(f"{seed}:{text_sha256}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign_split(record: dict, seed: int = 0, ratios: tuple = DEFAULT_SPLIT) -> str:
    """'train', 'dev' or 'test', from a hash of the seed and the document text hash.

    Identical documents always land in the same split (no leakage), whatever the order.
    """
    u = _split_point(record["text_sha256"], seed)
    if u < ratios[0]:
        return "train"
    if u < ratios[0] + ratios[1]:
        return "dev"
    return "test"


# --- the dataset on disk ---------------------------------------------------------------------


def record_line(record: dict) -> bytes:
    """One line of gold.jsonl as UTF-8: `io.dumps(record) + "\\n"`, byte for byte.

    orjson writes it when it writes what json does: the same separators, sorted keys and
    string escapes, and the same shortest float repr except below 1e-4 (json "1e-05", orjson
    "0.00001"). Floats live only in `meta` and `provenance` (the schema has no other number
    but integers, and build_record keeps those ints), so only those are looked at; a small or
    non-finite float, an integer beyond 64 bits or a type orjson might write otherwise sends
    the record to json."""
    if _orjson is not None and _orjson_writes_it(record.get("meta")) and _orjson_writes_it(record.get("provenance")):
        try:
            return _orjson.dumps(record, option=_orjson.OPT_SORT_KEYS | _orjson.OPT_APPEND_NEWLINE)
        except TypeError:  # an integer beyond 64 bits, or a type orjson does not write
            pass
    return (dumps(record) + "\n").encode("utf-8")


_PLAIN = (str, int, bool, type(None))


def _orjson_writes_it(node) -> bool:
    """True when every float under `node` is one orjson writes as json does and every value is
    of a plain JSON type (no subclass whose output could differ)."""
    stack = [node]
    while stack:
        node = stack.pop()
        kind = node.__class__
        if kind is dict:
            stack.extend(node.values())
        elif kind is list:
            stack.extend(node)
        elif kind is float:
            if node != node or (node and abs(node) < 1e-4) or abs(node) == math.inf:
                return False
        elif kind not in _PLAIN:
            return False
    return True



class _HashingFile:
    """A text file written as UTF-8 that tracks its sha256, size and line count."""

    def __init__(self, path: Path):
        self.path = path
        self._fh = open(path, "wb")
        self._hash = hashlib.sha256()
        self.bytes = 0
        self.records = 0

    def write_line(self, line: str) -> None:
        self.write(line)
        self.records += 1

    def write_encoded_line(self, data: bytes) -> None:
        """A line already encoded as UTF-8 (ending in a newline)."""
        self._hash.update(data)
        self._fh.write(data)
        self.bytes += len(data)
        self.records += 1

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self._hash.update(data)
        self._fh.write(data)
        self.bytes += len(data)

    def close(self) -> dict:
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        return {"sha256": self._hash.hexdigest(), "bytes": self.bytes, "records": self.records}

    def abort(self) -> None:
        with contextlib.suppress(OSError):
            self._fh.close()


@dataclass
class Counts:
    """What went into a dataset: the numbers of the manifest and the summary."""

    tasks: int = 0
    gold: int = 0
    rejected: int = 0
    cancelled: int = 0
    unannotated: int = 0
    disagreements: int = 0
    rejected_by_code: Counter = field(default_factory=Counter)
    labels: Counter = field(default_factory=Counter)
    quote_type: Counter = field(default_factory=Counter)
    polarity: Counter = field(default_factory=Counter)
    relations: Counter = field(default_factory=Counter)
    quotes: Counter = field(default_factory=Counter)
    splits: Counter = field(default_factory=Counter)

    def add_gold(self, record: dict, split: str | None = None) -> None:
        self.gold += 1
        for s in record["spans"]:
            self.labels[s["label"]] += 1
            if "quote_type" in s:
                self.quote_type[s["quote_type"]] += 1
            if "polarity" in s:
                self.polarity[s["polarity"]] += 1
        for r in record["relations"]:
            self.relations[r["type"]] += 1
        for q in record["quotes"]:
            self.quotes["unattributed" if q["unattributed"] else "attributed"] += 1
        if split:
            self.splits[split] += 1

    def add_reject(self, errors: list) -> None:
        self.rejected += 1
        for code in sorted({e.code for e in errors}):
            self.rejected_by_code[code] += 1

    def as_dict(self) -> dict:
        plain = {}
        for name, value in self.__dict__.items():
            plain[name] = dict(sorted(value.items())) if isinstance(value, Counter) else value
        return plain


def _check_output_dir(out: Path) -> None:
    """Refuse to write into a directory that is not empty and not an earlier dataset."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"output {out} exists and is not a directory")
    if not out.is_dir():
        return
    try:
        entries = [p for p in out.iterdir() if not p.name.startswith(WORK_PREFIX)]
    except OSError as exc:
        raise UsageError(f"cannot read the output directory {out}: {exc.strerror or exc}") from None
    if entries and not (out / "manifest.json").is_file():
        raise UsageError(f"output {out} is not empty and holds no earlier dataset (no manifest.json): "
                         "choose a new or empty directory")


def check_output(out_dir: str | Path) -> Path:
    """Check before any work (a download) that `out_dir` can take a dataset; the resolved path."""
    out = _resolve_output(out_dir)
    _check_output_dir(out)
    return out


WORK_PREFIX = ".annotate-pull-"  # DIR/.annotate-pull-<token>/{new,old,owner}: one pull's workspace
STALE_AFTER = 6 * 3600  # seconds: a workspace whose owner we cannot check is stale after this


class DatasetWriter:
    """Writes a gold dataset into a workspace inside DIR and swaps it into place at the end.

    Use as a context manager: add records with `add_gold` / `add_reject`, then `commit(...)`.
    Leaving the block without commit (an exception, --on-error fail) removes the workspace, so
    DIR is never left with half a dataset.

    DIR is resolved first (`.`, `..`, a symlink, a trailing slash all name the real directory)
    and is never renamed or replaced itself (a shell may be sitting in it): the workspace
    `DIR/.annotate-pull-<token>/` holds the new files, and the swap moves only the entries the
    dataset owns (gold.jsonl, rejects.jsonl, splits/, manifest.json, README.md and the format
    folders this pull wrote). The old ones go aside first (manifest.json first), the new ones
    come in (manifest.json last), so DIR holds a complete dataset exactly when it has a
    manifest.json; a failed swap moves the old entries back. Every other entry of DIR (notes,
    exports made from an earlier dataset) is left where it is. A workspace left by a killed
    pull is finished or rolled back and removed by the next pull into DIR
    (`recover_output_dir`). An existing DIR is used only if it is empty or holds an earlier
    dataset (a manifest.json).
    """

    def __init__(self, out_dir: str | Path, *, seed: int = 0, ratios: tuple = DEFAULT_SPLIT):
        self.out = _resolve_output(out_dir)
        self.seed, self.ratios = seed, tuple(ratios)
        self.counts = Counts()
        created = not self.out.exists()
        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _write_error(self.out, exc) from None
        self._created_dir = created
        recover_output_dir(self.out)
        _check_output_dir(self.out)
        self.work = self.out / f"{WORK_PREFIX}{secrets.token_hex(6)}"
        self.stage = self.work / "new"
        try:
            # mkdir (not mkdtemp) so the dataset gets the usual umask permissions, not 0700.
            self.work.mkdir()
            (self.work / "owner").write_text(f"{socket.gethostname()} {os.getpid()}\n", encoding="utf-8")
            self.stage.mkdir()
            (self.stage / "splits").mkdir()
            self._files = {"gold.jsonl": _HashingFile(self.stage / "gold.jsonl"),
                           "rejects.jsonl": _HashingFile(self.stage / "rejects.jsonl")}
            for name in SPLITS:
                self._files[f"splits/{name}.jsonl"] = _HashingFile(self.stage / "splits" / f"{name}.jsonl")
        except OSError as exc:
            self.discard()
            raise _write_error(self.out, exc) from None
        except BaseException:  # Ctrl-C while the workspace is made: no `with` block to remove it
            self.discard()
            raise
        self.committed = False

    @property
    def empty_splits(self) -> list[str]:
        """The splits without a record (read it after `commit`, which may fill small ones)."""
        return [name for name in SPLITS if not self.counts.splits.get(name)]

    def __enter__(self) -> DatasetWriter:
        return self

    def __exit__(self, *exc) -> None:
        if not self.committed:
            self.discard()

    def add_gold(self, record: dict) -> str:
        """Append a valid record to gold.jsonl and its split; returns the split name."""
        split = assign_split(record, self.seed, self.ratios)
        line = record_line(record)  # encoded once, written to both files
        try:
            self._files["gold.jsonl"].write_encoded_line(line)
            self._files[f"splits/{split}.jsonl"].write_encoded_line(line)
        except OSError as exc:
            raise _write_error(self.out, exc) from None
        self.counts.add_gold(record, split)
        return split

    def add_reject(self, reject: dict, errors: list) -> None:
        """Append one rejected task (id + every error) to rejects.jsonl."""
        self._write("rejects.jsonl", dumps(reject) + "\n")
        self.counts.add_reject(errors)

    def _write(self, name: str, line: str) -> None:
        try:
            self._files[name].write_line(line)
        except OSError as exc:
            raise _write_error(self.out, exc) from None

    def discard(self) -> None:
        """Remove the workspace (and DIR itself when this writer created it and it is empty)."""
        for f in getattr(self, "_files", {}).values():
            f.abort()
        if hasattr(self, "work"):
            shutil.rmtree(self.work, ignore_errors=True)
        if getattr(self, "_created_dir", False):
            with contextlib.suppress(OSError):
                self.out.rmdir()  # only if empty

    def commit(self, source: dict, created_at: str | None = None,
               derive: Callable[[Path, Path], dict | None] | None = None) -> dict:
        """Close the files, let `derive` add files, write README.md and manifest.json, then
        swap the dataset into DIR.

        Returns the manifest. `source` describes where the tasks came from (project, file).
        `derive(staged_dir, final_dir)` writes derived files (the training formats: pull passes
        annotate.exports) into the staged dataset before the swap and returns what the
        manifest should say of them under "exports" (or None).
        """
        try:
            return self._commit(source, created_at, derive)
        except OSError as exc:
            raise _write_error(self.out, exc) from None

    def _commit(self, source: dict, created_at: str | None, derive) -> dict:
        from . import __version__

        files = {name: f.close() for name, f in self._files.items()}
        files.update(self._balance_splits())
        exports = None
        if derive is not None:
            try:
                exports = derive(self.stage, self.out)
            except UsageError as exc:  # name the dataset directory, not our workspace inside it
                raise UsageError(str(exc).replace(str(self.stage), str(self.out))) from None
        card = render_card(self.counts, source, self.seed, self.ratios, files)
        card_file = _HashingFile(self.stage / "README.md")
        card_file.write(card)
        files["README.md"] = card_file.close()
        files["README.md"].pop("records")
        schema = gold_schema()
        manifest = {
            "annotate_version": __version__,
            "schema": {"id": schema["$id"], "version": schema["x-schema-version"]},
            "config_hash": config_hash(),
            "source": source,
            "created_at": created_at or dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "seed": self.seed,
            "split": dict(zip(SPLITS, self.ratios, strict=True)),
            "counts": self.counts.as_dict(),
            "files": dict(sorted(files.items())),
        }
        if exports is not None:
            manifest["exports"] = exports
        with open(self.stage / "manifest.json", "w", encoding="utf-8", newline="\n") as fh:
            fh.write(dumps(manifest) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        _check_output_dir(self.out)
        _swap(self.out, self.work)
        self.committed = True
        shutil.rmtree(self.work, ignore_errors=True)
        return manifest

    def _balance_splits(self) -> dict:
        """Give every split with a non-zero ratio at least one record when there are enough.

        Hash assignment can leave a split empty on a small dataset (3 records: 1/0/2), and a
        trainer then scores 0 on an empty dev set. When a split with a ratio above 0 is empty
        and there are at least as many records as such splits, the records are ranked by their
        split hash and dealt out by rank (each such split at least one, the rest by ratio):
        still deterministic, and independent of the input order. Returns the rewritten files'
        entries for the manifest; `empty_splits` then lists the splits that stay empty.
        """
        wanted = [name for name, r in zip(SPLITS, self.ratios, strict=True) if r > 0]
        n = self.counts.gold
        if all(self.counts.splits.get(name) for name in wanted) or n < len(wanted):
            return {}
        keyed = []
        with open(self.stage / "gold.jsonl", encoding="utf-8") as fh:
            for offset, line in enumerate(fh):
                keyed.append((_split_point(json.loads(line)["text_sha256"], self.seed), offset))
        keyed.sort()
        sizes = _rank_sizes(n, [self.ratios[SPLITS.index(name)] for name in wanted])
        rank_split = [name for name, size in zip(wanted, sizes, strict=True) for _ in range(size)]
        split_of = {offset: rank_split[rank] for rank, (_, offset) in enumerate(keyed)}
        new = {name: _HashingFile(self.stage / "splits" / f"{name}.tmp") for name in SPLITS}
        with open(self.stage / "gold.jsonl", encoding="utf-8", newline="\n") as fh:
            for offset, line in enumerate(fh):
                new[split_of[offset]].write_line(line)
        out = {}
        for name, f in new.items():
            out[f"splits/{name}.jsonl"] = f.close()
            os.replace(f.path, self.stage / "splits" / f"{name}.jsonl")
        self.counts.splits = Counter({name: f.records for name, f in new.items() if f.records})
        return out


def _rank_sizes(n: int, ratios: list[float]) -> list[int]:
    """Split n ranked records into len(ratios) runs: each at least 1, the rest by ratio."""
    sizes = [1] * len(ratios)
    rest = n - len(ratios)
    total = sum(ratios)
    shares = [rest * r / total for r in ratios]
    extra = [int(s) for s in shares]
    left = rest - sum(extra)
    for i in sorted(range(len(ratios)), key=lambda i: (-(shares[i] - extra[i]), i))[:left]:
        extra[i] += 1
    return [a + b for a, b in zip(sizes, extra, strict=True)]


def _resolve_output(out_dir: str | Path) -> Path:
    """The real directory an output path names (`.`, `..`, symlinks and trailing slashes resolved)."""
    try:
        return Path(out_dir).resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop on older Pythons
        raise UsageError(f"output {out_dir}: cannot resolve the path ({exc})") from None


def _write_error(out: Path, exc: OSError) -> UsageError:
    """One line for an output that cannot be written (not writable, disk full, name too long)."""
    where = exc.filename or out
    return UsageError(f"cannot write the dataset in {out}: {exc.strerror or exc} ({where}); "
                      "the previous dataset, if any, is unchanged")


def _owned_entries(work: Path) -> list[str]:
    """The DIR entries a workspace's new dataset replaces, manifest.json last."""
    names = sorted(p.name for p in (work / "new").iterdir()) if (work / "new").is_dir() else []
    names = [n for n in names if n != "manifest.json"]
    return names + ["manifest.json"]


def _swap(out: Path, work: Path) -> None:
    """Move the old owned entries of `out` into work/old, then the new ones from work/new.

    manifest.json goes out first and comes in last, so `out` has a manifest.json exactly when
    it holds one complete dataset. On any error the moves are undone in reverse order.
    """
    names = _owned_entries(work)
    old = work / "old"
    old.mkdir(exist_ok=True)
    with open(work / "entries", "w", encoding="utf-8") as fh:  # what recovery must undo
        fh.write("\n".join(names) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    done: list[tuple[Path, Path]] = []
    try:
        for name in ["manifest.json", *names[:-1]]:
            if os.path.lexists(out / name):
                os.replace(out / name, old / name)
                done.append((out / name, old / name))
        for name in names:
            if os.path.lexists(work / "new" / name):
                os.replace(work / "new" / name, out / name)
                done.append((work / "new" / name, out / name))
    except BaseException:
        for src, dst in reversed(done):
            with contextlib.suppress(OSError):
                os.replace(dst, src)
        raise


def _workspace_is_stale(work: Path) -> bool:
    """True when the pull that made this workspace is gone (dead pid on this host, or old)."""
    try:
        host, pid = (work / "owner").read_text(encoding="utf-8").split()
        if host == socket.gethostname():
            try:
                os.kill(int(pid), 0)
            except ProcessLookupError:
                return True
            except (PermissionError, ValueError):
                pass
            return False
    except (OSError, ValueError):
        pass
    try:
        return time.time() - work.stat().st_mtime > STALE_AFTER
    except OSError:
        return False


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        os.unlink(path)


def recover_output_dir(out: Path) -> list[str]:
    """Finish or roll back what a killed pull left in `out`, and remove its workspace.

    A workspace with moved-aside old entries and no manifest.json in `out` was killed in the
    middle of its swap: the new entries it had moved in go back and the old ones are restored.
    Staging folders of older versions beside `out` (`.NAME.pull-*`, `.NAME.old-*`) are removed
    when stale. Returns a line for each workspace handled.
    """
    handled = []
    if not out.is_dir():
        return handled
    for work in sorted(out.glob(f"{WORK_PREFIX}*")):
        if not work.is_dir() or not _workspace_is_stale(work):
            continue
        if (work / "entries").is_file() and not (out / "manifest.json").exists():
            # Killed inside the swap: undo the new entries it moved in, put the old ones back.
            listed = (work / "entries").read_text(encoding="utf-8").split()
            for name in listed:
                if os.path.lexists(out / name) and not os.path.lexists(work / "new" / name):
                    _remove(out / name)
            old = work / "old"
            for entry in sorted(old.iterdir()) if old.is_dir() else []:
                if os.path.lexists(out / entry.name):
                    _remove(out / entry.name)
                os.replace(entry, out / entry.name)
            handled.append(f"restored {out} to its state before an interrupted pull")
        shutil.rmtree(work, ignore_errors=True)
        handled.append(f"removed the stale pull workspace {work.name}")
    for pattern in (f".{out.name}.pull-*", f".{out.name}.old-*"):  # layouts before 0.4
        for legacy in out.parent.glob(pattern):
            with contextlib.suppress(OSError):
                if legacy.is_dir() and time.time() - legacy.stat().st_mtime > STALE_AFTER / 6:
                    shutil.rmtree(legacy, ignore_errors=True)
                    handled.append(f"removed the stale staging folder {legacy}")
    return handled


def describe_source(source: dict) -> str:
    """Where a dataset came from, for people: 'project 3 "News" at http://host:8080' or 'file x.json'."""
    parts = []
    project, url, path = source.get("project"), source.get("url"), source.get("file")
    if isinstance(project, dict):
        title = project.get("title")
        parts.append(f"project {project.get('id')}" + (f' "{title}"' if title else ""))
    elif project not in (None, ""):
        parts.append(f"project {project}")
    if url:
        parts.append(f"at {url}")
    if path:
        parts.append(f"{'through' if parts else 'the'} export file `{path}`")
    return " ".join(parts)


def render_card(counts: Counts, source: dict, seed: int, ratios: tuple, files: dict) -> str:
    """The dataset card (README.md): what is in the dataset and how to read it. No timestamps."""
    c = counts.as_dict()

    def table(title: str, values: dict) -> list[str]:
        if not values:
            return [f"{title}: none", ""]
        rows = [f"| {title} | count |", "|---|---:|"]
        rows += [f"| {k} | {v} |" for k, v in values.items()]
        return rows + [""]

    where = describe_source(source)
    lines = [
        "# Quote attribution gold dataset",
        "",
        f"Reviewed Speaker / Quote / Stance annotations exported by `annotate pull` from {where or 'Label Studio'}.",
        f"Schema: gold record {schema_version()} (`gold.schema.json` in the annotate package); "
        f"labeling config hash `{config_hash()[:12]}`.",
        "",
        "## Files",
        "",
        "| file | records |",
        "|---|---:|",
    ]
    lines += [f"| `{name}` | {info['records']} |" for name, info in sorted(files.items())]
    lines += [
        "",
        f"Splits are assigned by a hash of the document text (seed {seed}, ratios "
        f"{'/'.join(str(r) for r in ratios)}): identical documents share a split.",
        "`manifest.json` holds the counts, the sha256 of every file and the creation time.",
        "",
        "## Counts",
        "",
        f"- tasks read: {c['tasks']}",
        f"- gold records: {c['gold']}",
        f"- rejected (see rejects.jsonl): {c['rejected']}",
        f"- skipped/cancelled tasks: {c['cancelled']}; tasks without annotation: {c['unannotated']}",
        f"- tasks where annotators disagree: {c['disagreements']}",
        "",
    ]
    lines += table("label", c["labels"])
    lines += table("quote_type", c["quote_type"])
    lines += table("polarity", c["polarity"])
    lines += table("relation", c["relations"])
    lines += [
        "## Record format",
        "",
        "One JSON object per line: `id`, `text`, `text_sha256`, `targets`, `meta`, `spans` "
        "(`id`, `label`, `start`, `end`, `text`, plus `quote_type` on Quote and `polarity`/`target` "
        "on Stance), `relations` (`from`, `to`, `type`: said_by | refers_to), derived `quotes` "
        "(span, speaker span, resolved speaker name, quote_type, stances inside) and `provenance`. "
        "Offsets are Python string indices (code points) into `text`.",
        "",
    ]
    return "\n".join(lines)
