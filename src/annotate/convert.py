"""`annotate convert`: read articles from files, directories or stdin and stream tasks out."""

from __future__ import annotations

import codecs
import errno
import hashlib
import multiprocessing
import os
import signal
import stat
import sys
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, NamedTuple

from .converters import (
    CONVERTER_VERSION,
    MODEL_VERSION,
    clean,
    convert_documents,
    default_doc_id,
    find_all_quotes,
    find_all_stances,
    learned_score,
)
from .converters.tasks import TaskCounts, build_line_parts
from .errors import UsageError
from .io import atomic_writer

TEXT_SUFFIXES = (".txt",)  # what a directory of articles is searched for (push asks here too)


@dataclass
class ConvertStats:
    """What a conversion did: counts for the one-line summary."""

    docs: int = 0
    quotes: int = 0
    speakers: int = 0
    stances: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    by_type: Counter = field(default_factory=Counter)

    def add(self, task: dict) -> None:
        self.add_counts(task_counts(task))

    def add_counts(self, counts: TaskCounts) -> None:
        """Count one task from its `task_counts` (what a worker process sends back)."""
        quotes, speakers, stances, by_type = counts
        self.docs += 1
        self.quotes += quotes
        self.speakers += speakers
        self.stances += stances
        self.by_type.update(by_type)

    def summary(self) -> str:
        line = f"{self.docs} docs, {self.quotes} quotes, {self.speakers} speakers, {self.stances} stances"
        if self.skipped:
            line += f", {len(self.skipped)} inputs skipped"
        return line


def task_counts(task: dict) -> TaskCounts:
    """(quotes, speakers, stances, {quote type: count}) of a task's prediction."""
    labels: Counter = Counter()
    by_type: Counter = Counter()
    for r in task["predictions"][0]["result"]:
        if r["type"] == "labels":
            labels[r["value"]["labels"][0]] += 1
        elif r["type"] == "choices" and r["from_name"] == "quote_type":
            by_type[r["value"]["choices"][0]] += 1
    return TaskCounts(labels["Quote"], labels["Speaker"], labels["Stance"], dict(by_type))


def expand_inputs(inputs: Iterable[str], problems: list[tuple[str, str]] | None = None) -> list[str]:
    """Files as given, directories as their .txt files (sorted, recursive), '-' as stdin.

    What a directory holds but cannot give (an unreadable subdirectory, a named pipe or other
    non-regular .txt entry, a symbolic link loop or a broken link) is appended to `problems`
    as (path, reason) and skipped; with `problems=None` the first such entry is an error.
    A named pipe given directly is read like stdin (`annotate convert <(curl ...)`).
    """
    strict = problems is None
    problems = [] if problems is None else problems
    out: list[str] = []
    for item in inputs:
        if item == "-":
            out.append(item)
            continue
        kind = _kind(item)
        if kind == "directory":
            found: list[str] = []
            _walk(Path(item), found, problems)
            if strict and problems:
                path, reason = problems[0]
                raise UsageError(f"{path}: {reason}")
            if not found:
                raise UsageError(f"no .txt files in directory {item}")
            out.extend(sorted(found))
        elif kind in ("file", "named pipe"):
            out.append(item)
        elif kind == "missing":
            raise UsageError(f"no such file or directory: {display_path(item)}")
        else:
            raise UsageError(f"cannot read {display_path(item)}: {kind}")
    if not out:
        raise UsageError("no input given (pass .txt files, directories, or - for stdin)")
    return out


def _kind(path: str | Path) -> str:
    """'file', 'directory', 'named pipe', 'missing', or what else the path is, in words."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "broken symbolic link" if os.path.islink(path) else "missing"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop"
        return exc.strerror or str(exc)
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket, not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a regular file"
    return "not a regular file"


def _walk(root: Path, found: list[str], problems: list[tuple[str, str]]) -> None:
    """Collect the .txt files under `root` (following links, each directory once)."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            st = directory.stat()
            key = (st.st_dev, st.st_ino)
            if key in seen:
                problems.append((display_path(directory), "directory loop (a link back to a parent): not followed"))
                continue
            seen.add(key)
            with os.scandir(directory) as entries:
                names = sorted(e.name for e in entries)
        except OSError as exc:
            problems.append((display_path(directory), f"cannot read directory: {exc.strerror or exc}"))
            continue
        for name in names:
            path = directory / name
            kind = _kind(path)
            if kind == "directory":
                stack.append(path)
            elif Path(name).suffix.lower() not in TEXT_SUFFIXES:
                continue
            elif kind == "file":
                found.append(str(path))
            elif kind == "named pipe":
                problems.append((display_path(path), "named pipe (FIFO) inside a directory: not read (name it directly to read it)"))
            elif kind == "missing":
                continue  # removed while we looked
            else:
                problems.append((display_path(path), kind))


def display_path(path: str | Path) -> str:
    """A path as printable text: undecodable bytes of a file name shown as U+FFFD."""
    text = os.fspath(path)
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


# UTF-32 first: its little-endian mark begins with UTF-16's.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def decode(data: bytes) -> tuple[str | None, str]:
    """Bytes -> text, or (None, reason) for binary data. Falls back from UTF-8 to cp1252.

    Text with a UTF-32 or UTF-16 byte-order mark (Notepad's "Unicode") is decoded by it: its
    NUL bytes are part of the encoding, not a sign of a binary file. A NUL character in the
    text (past the first 8 KiB, which would make it binary) is removed, with a note: Label
    Studio on PostgreSQL refuses a task whose text holds one."""
    text, note = _decode(data)
    if text is not None and "\x00" in text:
        n = text.count("\x00")
        text = text.replace("\x00", "")
        removed = f"{n} NUL character{'s' if n > 1 else ''} removed"
        note = f"{note}; {removed}" if note else removed
    return text, note


def _decode(data: bytes) -> tuple[str | None, str]:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec), ""
            except UnicodeDecodeError:
                return None, f"not {codec.upper()} text despite its byte-order mark"
    if b"\x00" in data[:8192]:
        return None, "binary file (NUL bytes), not text"
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "not UTF-8: decoded as Windows-1252"
    except UnicodeDecodeError:
        return None, "not UTF-8 text"


def read_documents(paths: Iterable[str], stats: ConvertStats, warn: Callable[[str], None]) -> Iterator[dict]:
    """Yield {"raw", "doc_id", "source_file"} per readable, non-empty input; warn on the rest.

    Each doc_id is used once: a later file with the stem of an earlier one (a/story.txt and
    b/story.txt) gets the stem + "-" + 8 hex digits of its path's SHA-256, with a warning, as
    a dataset holds one record per doc_id (pull rejects the second as duplicate_record)."""
    used: dict[str, str] = {}
    for path in paths:
        shown = display_path(path) if path != "-" else "stdin"
        if path == "-":
            if sys.stdin is None:
                raise UsageError("standard input is closed: pass files or directories instead of -")
            data = sys.stdin.buffer.read()
        else:
            try:
                data = Path(path).read_bytes()
            except OSError as exc:
                stats.skipped.append((shown, exc.strerror or str(exc)))
                warn(f"skipped {shown}: {exc.strerror or exc}")
                continue
        raw, note = decode(data)
        del data  # not kept alive (as bytes) while the article is converted
        if raw is None:
            stats.skipped.append((shown, note))
            warn(f"skipped {shown}: {note}")
            continue
        if note:
            warn(f"{shown}: {note}")
        if not raw or raw.isspace():  # (no stripped copy of a huge text to find out)
            stats.skipped.append((shown, "empty"))
            warn(f"skipped {shown}: empty file")
            continue
        doc_id = _doc_id(path, raw)
        if doc_id in used:
            first, salt = doc_id, shown
            while doc_id in used:
                doc_id = f"{first}-{hashlib.sha256(salt.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"
                salt += "\n"
            warn(f"{shown}: doc_id {first!r} is already used by {used[first]}; this one is {doc_id!r}")
        used[doc_id] = shown
        yield {"raw": raw, "doc_id": doc_id, "source_file": "" if path == "-" else shown}


def read_targets_file(path: str | Path) -> list[str]:
    """A project's fixed stance targets: one a line, blank lines and `#` comments skipped, each once."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the targets file {display_path(path)}: {getattr(exc, 'strerror', None) or exc}") from None
    targets: list[str] = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if line and not line.startswith("#") and line not in targets:
            targets.append(line)
    if not targets:
        raise UsageError(f"the targets file {display_path(path)} lists no targets (one a line)")
    return targets


def _doc_id(path: str, raw: str) -> str:
    """The file's stem; a name with undecodable bytes gets U+FFFD plus a hash of its bytes."""
    if path == "-":
        return default_doc_id(raw)
    stem = Path(path).stem
    shown = display_path(stem)
    if shown == stem:
        return stem
    digest = hashlib.sha256(os.fsencode(stem)).hexdigest()[:8]
    return f"{shown}-{digest}"


def _stderr_warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def default_jobs() -> int:
    """How many processes convert by default: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _convert_one(doc: dict, fixed_targets: tuple[str, ...] = (), model=None) -> dict:
    """One document -> its task (what a worker process runs; a model travels as its directory)."""
    return next(convert_documents([doc], fixed_targets, model))


class Converted(NamedTuple):
    """One document as `annotate convert` writes it: its JSONL line (without the newline) as
    pieces that make it when joined, and its counts; both None for an article with nothing
    left after cleaning (skipped)."""

    parts: list[str] | None
    counts: TaskCounts | None


class Line(NamedTuple):
    """`Converted` with the line as one string: what a worker process sends back."""

    line: str | None
    counts: TaskCounts | None


NOTHING_LEFT = Converted(None, None)


def document_lines(docs: Iterable[dict], fixed_targets: Sequence[str] = (), model=None) -> Iterator[Converted]:
    """`convert_documents` as the JSONL lines `annotate convert` writes, one `Converted` per
    document, in order. With the rules alone each line is written straight from the regions
    (`tasks.build_line_parts`: the same bytes as `dumps` of the task, about a third cheaper,
    without building the task); with a learned model too, its version and score in the
    prediction (what `to_tasks` gives it)."""
    version = MODEL_VERSION if model is None else model.version
    for doc in find_all_stances(find_all_quotes(clean(docs), model), fixed_targets):
        if not doc["text"]:
            yield NOTHING_LEFT
            continue
        score = None if model is None else learned_score(doc["quotes"])
        yield Converted(*build_line_parts(doc, version, CONVERTER_VERSION, score))


def _convert_line(doc: dict, fixed_targets: tuple[str, ...] = (), model=None) -> Line:
    """One document -> its JSONL line and counts: what `annotate convert`'s workers send
    back, so the parent only writes (a task dict costs more to pickle than its line, and
    one string less than its pieces)."""
    parts, counts = next(document_lines([doc], fixed_targets, model))
    return Line(None if parts is None else "".join(parts), counts)


def _convert_utf8(doc: dict, fixed_targets: tuple[str, ...] = (), model=None) -> Converted:
    """`_convert_line` with the line as its UTF-8 bytes (in one piece): what `annotate
    convert`'s workers send back. Half the size of a line that holds one non-Latin-1
    character (a str of such a line takes 2 bytes a character), and the parent writes the
    bytes as they came, without decoding and encoding them again."""
    parts, counts = next(document_lines([doc], fixed_targets, model))
    return Converted(None if parts is None else [b"".join(p.encode("utf-8") for p in parts)], counts)


_NOTHING_LEFT_REASON = "nothing left after cleaning (only boilerplate or invisible characters)"


def _skip_empty(shown: str, stats: ConvertStats, warn: Callable[[str], None]) -> None:
    """Count and warn about an article with nothing left after cleaning: only boilerplate or
    invisible characters. Its task would have an empty data.text, which no annotation can
    turn into a gold record."""
    stats.skipped.append((shown, _NOTHING_LEFT_REASON))
    warn(f"skipped {shown}: {_NOTHING_LEFT_REASON}")


def _keep(task: dict, stats: ConvertStats, warn: Callable[[str], None]) -> bool:
    """False (counted and warned as skipped) for a task with nothing left after cleaning."""
    if task["data"]["text"]:
        return True
    _skip_empty(task["meta"].get("source_file") or "stdin", stats, warn)
    return False


def _worker_init() -> None:
    """Workers leave Ctrl-C to the parent, which stops them and reports one line."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _submit(pool: ProcessPoolExecutor, *args):
    """`pool.submit(*args)` with Ctrl-C held until it returns. A submit may start a worker;
    interrupted half-way, the worker was left unpickling locks the parent had already
    released, and printed a traceback. The signal is noted and raised again after the submit
    (a Python handler, not a signal mask: another thread would take a masked signal)."""
    if threading.current_thread() is not threading.main_thread():
        return pool.submit(*args)  # only the main thread sets handlers (and gets Ctrl-C)
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: caught.append(signum))
    try:
        return pool.submit(*args)
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            signal.raise_signal(signal.SIGINT)


def _in_parallel(work: Callable, docs: Iterable[dict], jobs: int, fixed_targets: Sequence[str] = (),
                 model=None) -> Iterator:
    """`work(doc, fixed_targets, model)` for each doc, in input order, from `jobs` worker processes.

    At most 2 × `jobs` documents are in flight, so memory stays bounded by a few articles
    however long the input; a worker's error is raised here for the document it failed on.
    Workers are started by a fork server that has the converter imported, not forked from
    this process (which may hold threads and locks, e.g. while pushing).
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["annotate.converters"])
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_worker_init) as pool:
        pending: deque = deque()
        try:
            for doc in docs:
                pending.append(_submit(pool, work, doc, tuple(fixed_targets), model))
                if len(pending) >= 2 * jobs:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def _documents(paths: Iterable[str], stats: ConvertStats, warn: Callable[[str], None] | None,
               problems: Iterable[tuple[str, str]], jobs: int) -> Iterator[dict]:
    """The documents to convert, after reporting `problems` (each counted as skipped)."""
    if jobs < 1:
        raise UsageError(f"--jobs must be 1 or more, not {jobs}")
    warn = warn or _stderr_warn
    for path, reason in problems:
        stats.skipped.append((path, reason))
        warn(f"skipped {path}: {reason}")
    return read_documents(paths, stats, warn)


def iter_tasks(paths: Iterable[str], stats: ConvertStats | None = None,
               warn: Callable[[str], None] | None = None,
               problems: Iterable[tuple[str, str]] = (), jobs: int = 1,
               fixed_targets: Sequence[str] = (), model=None) -> Iterator[dict]:
    """Stream tasks for the given input paths (already expanded). `problems` are what
    `expand_inputs` could not take from a directory: each is warned about and counted as
    skipped, like an input that cannot be read.

    With `jobs` > 1 the articles are converted by that many processes; the tasks come out
    in input order and byte-identical to `jobs=1`. `fixed_targets` (a project's own stance
    targets) come first in every task's `data.targets`. A `model` (annotate.learn.load_model)
    refines the rule quotes; without one the output is the rules' alone.
    """
    stats = stats if stats is not None else ConvertStats()
    warn = warn or _stderr_warn
    docs = _documents(paths, stats, warn, problems, jobs)
    if jobs == 1:
        tasks = convert_documents(docs, fixed_targets, model)
    else:
        tasks = _in_parallel(_convert_one, docs, jobs, fixed_targets, model)
    for task in tasks:
        if _keep(task, stats, warn):
            stats.add(task)
            yield task


def iter_lines(paths: Iterable[str], stats: ConvertStats | None = None,
               warn: Callable[[str], None] | None = None,
               problems: Iterable[tuple[str, str]] = (), jobs: int = 1,
               fixed_targets: Sequence[str] = (), model=None) -> Iterator[str]:
    """`iter_tasks` as the JSONL lines `annotate convert` writes (without the newline): with
    `jobs` > 1 the workers serialise, and the parent only counts and writes."""
    for parts in _iter_parts(paths, stats, warn, problems, jobs, fixed_targets, model):
        yield "".join(parts)


def _iter_parts(paths: Iterable[str], stats: ConvertStats | None, warn: Callable[[str], None] | None,
                problems: Iterable[tuple[str, str]], jobs: int, fixed_targets: Sequence[str],
                model, utf8: bool = False) -> Iterator[list]:
    """`iter_lines`, each line as pieces to write one after the other (see `Converted`); with
    `utf8` a worker's line comes as one piece of UTF-8 bytes (see `_convert_utf8`)."""
    stats = stats if stats is not None else ConvertStats()
    warn = warn or _stderr_warn
    shown: deque[str] = deque()  # what each document in flight is called, for a skip's warning

    def noted(docs: Iterable[dict]) -> Iterator[dict]:
        for doc in docs:
            shown.append(doc.get("source_file") or "stdin")
            yield doc

    docs = noted(_documents(paths, stats, warn, problems, jobs))
    if jobs == 1:
        results: Iterator = document_lines(docs, fixed_targets, model)
    else:
        results = _in_parallel(_convert_utf8 if utf8 else _convert_line, docs, jobs, fixed_targets, model)
        if not utf8:
            results = (Converted(None if line is None else [line], counts) for line, counts in results)
    for parts, counts in results:  # one result per document, in input order
        name = shown.popleft()
        if parts is None:
            _skip_empty(name, stats, warn)
            continue
        stats.add_counts(counts)
        yield parts


def _utf8_buffer(fh) -> IO[bytes] | None:
    """The binary stream under a text output that writes UTF-8 as is (files, stdout on any
    UTF-8 system), or None (then lines are written as text)."""
    buffer = getattr(fh, "buffer", None)
    try:
        utf8 = codecs.lookup(fh.encoding).name == "utf-8" and getattr(fh, "errors", "strict") == "strict"
    except (AttributeError, LookupError, TypeError):
        return None
    return buffer if utf8 and buffer is not None else None


def convert_paths(inputs: Iterable[str], output: str, warn: Callable[[str], None] | None = None,
                  progress: Callable[[Iterable[str]], Iterable[str]] | None = None,
                  problems: list[tuple[str, str]] | None = None, jobs: int | None = 1,
                  fixed_targets: Sequence[str] = (), model=None) -> ConvertStats:
    """Convert inputs to a tasks JSONL file written atomically ('-' = stdout).

    `problems` are inputs already found unreadable by `expand_inputs` (reported and counted
    with the others); inputs are expanded again here, which is a no-op for expanded paths.
    `jobs` processes convert (None: one per core; never more than there are inputs).
    """
    stats = ConvertStats()
    problems = list(problems or [])
    paths = expand_inputs(inputs, problems)
    jobs = min(default_jobs() if jobs is None else jobs, max(1, len(paths)))
    paths_iter = progress(paths) if progress else paths
    with atomic_writer(output) as fh:
        raw = _utf8_buffer(fh) if jobs > 1 else None
        for parts in _iter_parts(paths_iter, stats, warn, problems, jobs, fixed_targets, model, utf8=raw is not None):
            if raw is not None:
                fh.flush()  # (nothing is written to fh itself: the bytes go below it, in order)
                raw.writelines(parts)
                raw.write(b"\n")
            else:
                fh.writelines(parts)
                fh.write("\n")
    return stats
