"""Streaming JSONL in and out, atomic writes, and '-' for stdin/stdout."""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import errno
import gzip
import hashlib
import io
import json
import math
import os
import re
import stat
import sys
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from .errors import InputError, UsageError

try:  # optional: a fast serialiser for lost_keys (json's gives the same answer, slower)
    import orjson as _orjson
except ImportError:  # pragma: no cover
    _orjson = None

# Errors of the output side that are the environment's, not a bug: shown as one line.
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM,
                          errno.EFBIG, errno.EIO, errno.ENAMETOOLONG, errno.ENOTDIR, errno.EISDIR})


def sha256_text(text: str) -> str:
    """Hex SHA-256 of a text's UTF-8 bytes: the `text_sha256`/`raw_sha256` of tasks and records."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def dumps(obj) -> str:
    """Serialise one record the way every file we write does: stable keys, real UTF-8.

    Without json's cycle check (the records are trees parsed from JSON or built fresh; the
    check keeps a dict of every container): same bytes, a little faster.
    """
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), check_circular=False)


# A \\uD800-\\uDFFF escape not in a high+low pair: a lone surrogate, which is no text
# (Python parses it, but it cannot be hashed, written or printed as UTF-8). A cheap filter
# for the lines that may hold one; `has_lone_surrogate` then checks the parsed value.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def is_iso_time(value) -> bool:
    """True for an ISO 8601 date and time as Label Studio writes them ("2024-11-06T10:42:00.123Z"):
    a string that annotations can be ordered by."""
    if not isinstance(value, str):
        return False
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def has_lone_surrogate(raw: str, value) -> bool:
    """True when `value`, parsed from the JSON text `raw`, holds a lone surrogate."""
    if "\\u" not in raw or not _SURROGATE_ESCAPE.search(raw):
        return False
    try:
        json.dumps(value, ensure_ascii=False, check_circular=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


LONE_SURROGATE = "a \\uD800-\\uDFFF escape that is half of a character (a lone surrogate), not text"


def lost_keys(raw: str, value) -> bool:
    """Whether reading the JSON text `raw` into `value` may have dropped a key (an object with
    the same key twice keeps only the last: json's and orjson's rule).

    Each key has one colon after it outside strings, and a string written again keeps its
    colons (no JSON writer escapes one), so `value` written again has as many colons as `raw`
    unless keys were dropped. A colon escaped as \\u003a in `raw` is counted too. One C
    serialisation and two counts: no walk of the value, as this runs on every task. A false
    alarm (a written-out backslash before 'u003a') only costs `duplicate_keys` its look."""
    if isinstance(raw, bytes):  # its UTF-8 (a colon is one byte there, and no other's part)
        colons = raw.count(b":")
        if b"\\u003" in raw:
            colons += raw.count(b"\\u003a") + raw.count(b"\\u003A")
    else:
        colons = raw.count(":")
        if "\\u003" in raw:
            colons += raw.count("\\u003a") + raw.count("\\u003A")
    if _orjson is not None:
        try:
            return colons > _orjson.dumps(value).count(b":")
        except (_orjson.JSONEncodeError, TypeError):  # an integer beyond 64 bits, 255 levels: json writes it
            pass
    try:
        return colons > json.dumps(value, ensure_ascii=False, check_circular=False).count(":")
    except RecursionError:  # nested past what Python writes: the readers refuse it as too deep
        return False


def duplicate_keys(raw: str) -> list[tuple[str, str]]:
    """(JSON pointer of the object, key) for each key that an object of the JSON text `raw` has
    more than once with different values (compared as JSON: 1, 1.0 and true differ); the
    same value twice loses nothing and is not listed. Only for a text `lost_keys` flagged."""
    twice: dict[int, tuple[dict, list[str]]] = {}

    def pairs_hook(pairs: list) -> dict:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            first: dict[str, str] = {}
            keys: list[str] = []
            for key, value in pairs:
                text = json.dumps(value, sort_keys=True, ensure_ascii=False)
                if first.setdefault(key, text) != text and key not in keys:
                    keys.append(key)
            if keys:
                twice[id(obj)] = (obj, keys)
        return obj

    try:
        value = json.loads(raw, object_pairs_hook=pairs_hook)
    except (ValueError, RecursionError):  # read once already: not expected
        return []
    if not twice:
        return []
    found: list[tuple[str, str]] = []
    stack: list[tuple[object, str]] = [(value, "")]
    while stack:
        node, pointer = stack.pop()
        if isinstance(node, dict):
            if id(node) in twice and twice[id(node)][0] is node:
                found.extend((pointer, key) for key in twice[id(node)][1])
            children = ((_pointer_part(k), v) for k, v in node.items())
        elif isinstance(node, list):
            children = ((str(i), v) for i, v in enumerate(node))
        else:
            continue
        stack.extend((v, f"{pointer}/{k}") for k, v in children if isinstance(v, dict | list))
    return sorted(found)


def _pointer_part(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def duplicate_key_message(pointer: str, key: str) -> str:
    """What to say of a key given twice with different values."""
    inside = f"in {pointer}" if pointer else "at the top level"
    return (f"the key {json.dumps(key, ensure_ascii=False)} is twice {inside}, with different values; a JSON reader "
            "keeps only the last and loses the other without a word: delete the wrong one")


# Byte order marks, longest first (UTF-32-LE's begins with UTF-16-LE's).
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"


def sniff_encoding(head: bytes) -> str:
    """The encoding of a JSON text from its first four bytes: a byte order mark, else where the
    zero bytes of its first (ASCII) character are, as RFC 4627 section 3 tells UTF-16 and
    UTF-32 from UTF-8. Files saved by PowerShell's `>` (UTF-16 with a BOM) or Notepad's
    "Unicode" are read as what they are, not refused as "not UTF-8"."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    if len(head) >= 4:
        if head[:3] == b"\0\0\0" and head[3]:
            return "utf-32-be"
        if head[0] and head[1:4] == b"\0\0\0":
            return "utf-32-le"
    if len(head) >= 2:
        if not head[0] and head[1]:
            return "utf-16-be"
        if head[0] and not head[1]:
            return "utf-16-le"
    return "utf-8-sig"  # a UTF-8 BOM (Notepad, Excel) is not data, and without one this is UTF-8


def _drop_a_cut_character(exc: UnicodeError) -> tuple[str, int]:
    """Decoding error handler: the bytes of a character cut off by the end of the file (a
    download or copy that stopped in the middle of a multi-byte character) are left out, so
    the text ends there and its JSON reads as cut off (truncated_json), not as "not UTF-8";
    any other undecodable byte is still an error."""
    if isinstance(exc, UnicodeDecodeError) and exc.reason in ("unexpected end of data", "truncated data"):
        return "", exc.end
    raise exc


_CUT_CHARACTER = "annotate-cut-character"
codecs.register_error(_CUT_CHARACTER, _drop_a_cut_character)


def open_text(path: str | Path) -> IO[str]:
    """A text file opened for reading in the encoding its first bytes tell (`sniff_encoding`);
    a gzip'ed file is read through gzip. A file that cannot be opened, a zip archive or a
    damaged gzip header is an InputError naming it. Newlines are universal, as open()'s.

    A read from it may raise UnicodeDecodeError or (gzip) EOFError / zlib.error / OSError:
    `read_failure` turns those into one line."""
    try:
        binary = open(path, "rb")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        head = binary.peek(4)[:4]
        if head.startswith(_ZIP_MAGIC):
            raise InputError(f"{path} is a zip archive: unzip it and give the JSON file inside")
        if head.startswith(_GZIP_MAGIC):
            binary = io.BufferedReader(_GzipReader(binary))
            head = binary.peek(4)[:4]
        return io.TextIOWrapper(binary, encoding=sniff_encoding(head), errors=_CUT_CHARACTER)
    except BaseException as exc:
        binary.close()
        if isinstance(exc, (EOFError, zlib.error, OSError)):
            raise read_failure(path, binary, exc) from None
        raise


class _GzipReader(gzip.GzipFile):
    """A gzip stream over an open file that it closes with itself (a GzipFile given a file
    object leaves it open; reopening by name would not work for a named pipe).

    Data cut off before the end of the gzip stream (a stopped download) ends where it was
    cut, and `cut` says so (`was_cut`): what came before the cut is read like a plain file cut
    off there, instead of gzip's EOFError losing all of it."""

    cut = False

    def __init__(self, source: IO[bytes]):
        self._source = source
        super().__init__(fileobj=source, mode="rb")

    def read(self, size: int | None = -1) -> bytes:
        # read1 at a time: GzipFile.read(n) gathers its pieces and drops them all when the
        # stream then ends early, so the data before the cut would never be seen
        chunks: list[bytes] = []
        got = 0
        while size is None or size < 0 or got < size:
            chunk = self.read1(-1 if size is None or size < 0 else size - got)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def read1(self, size: int = -1) -> bytes:
        try:
            return super().read1(size)
        except EOFError:
            self.cut = True
            return b""

    def peek(self, n: int = 0) -> bytes:
        try:
            return super().peek(n)
        except EOFError:
            self.cut = True
            return b""

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._source.close()


def was_cut(fh: IO) -> bool:
    """Whether the text file `open_text` gave is gzip data that ended before its gzip stream did."""
    raw = getattr(getattr(fh, "buffer", None), "raw", None)
    return bool(getattr(raw, "cut", False))


def read_failure(path: str | Path, fh: IO, exc: BaseException) -> InputError:
    """One line for a read that failed part-way: not text in the file's encoding, or a gzip
    stream cut off or damaged."""
    if isinstance(exc, UnicodeDecodeError):
        encoding = getattr(fh, "encoding", "utf-8") or "utf-8"
        name = {"utf-8-sig": "UTF-8"}.get(encoding, encoding.upper())
        told = "" if name == "UTF-8" else f" (its first bytes say {name})"
        return InputError(f"{path}: not {name} text{told}")
    if isinstance(exc, EOFError):
        return InputError(f"{path}: the gzip data is cut off before its end (an interrupted download or copy?)")
    if isinstance(exc, zlib.error | gzip.BadGzipFile):
        return InputError(f"{path}: damaged gzip data ({exc})")
    return InputError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}")


def read_lines(path: str | Path) -> Iterator[tuple[int, str]]:
    """(line number, line) for every non-blank line of a text file (in the encoding its first
    bytes tell, gzip'ed or not: `open_text`), or of stdin for "-"; an unreadable or undecodable
    file is an InputError naming it."""
    stream = sys.stdin if str(path) == "-" else None
    fh = stream or open_text(path)
    with contextlib.ExitStack() as stack:
        if stream is None:
            stack.enter_context(fh)
        try:
            for lineno, line in enumerate(fh, 1):
                if line.strip():
                    yield lineno, line
        except UnicodeDecodeError as exc:
            raise read_failure(path, fh, exc) from None
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise read_failure(path, fh, exc) from None


def read_jsonl(path: str | Path) -> Iterator[dict]:
    """Yield one dict per non-blank line; a broken line is an InputError naming file and line."""
    for lineno, line in read_lines(path):
        yield parse_jsonl_line(path, lineno, line)


def parse_jsonl_line(path: str | Path, lineno: int, line: str) -> dict:
    """One line of a JSONL file as a dict; not JSON or not an object: an InputError naming
    the file and line."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None
    except ValueError:  # an integer of more digits than Python converts
        raise InputError(f"{path}:{lineno}: a number of more than {sys.get_int_max_str_digits()} digits") from None
    except RecursionError:
        raise InputError(f"{path}:{lineno}: JSON nested too deep to read") from None
    if not isinstance(obj, dict):
        raise InputError(f"{path}:{lineno}: expected a JSON object per line")
    if has_lone_surrogate(line, obj):
        raise InputError(f"{path}:{lineno}: {LONE_SURROGATE}")
    if lost_keys(line, obj) and (twice := duplicate_keys(line)):
        raise InputError(f"{path}:{lineno}: {duplicate_key_message(*twice[0])}")
    return obj


def umask() -> int:
    """The process's umask (read without changing it): what new files and folders should get."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_error(path: str | Path, exc: OSError) -> UsageError:
    """One line for an output that cannot be written: not writable, disk full, name too long."""
    return UsageError(f"cannot write {path}: {exc.strerror or exc}")


def _file_in_the_way(path: Path) -> Path | None:
    """The nearest existing ancestor of `path` when it is a file, not a directory."""
    for parent in path.parents:
        if os.path.lexists(parent):
            return None if parent.is_dir() else parent
    return None


def _is_special(path: Path) -> bool:
    """True for an existing output that is neither a regular file nor a directory (a device,
    a FIFO, a socket), following symbolic links."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _utf8_stdout() -> IO:
    """sys.stdout, or, when it encodes other than strict UTF-8 (PYTHONIOENCODING=latin-1, a C
    locale), a UTF-8 text layer over its byte buffer: JSONL is UTF-8 whatever the terminal's
    encoding. A stdout without a byte buffer is used as it is."""
    out = sys.stdout
    buffer = getattr(out, "buffer", None)
    try:
        utf8 = codecs.lookup(out.encoding).name == "utf-8" and getattr(out, "errors", "strict") == "strict"
    except (AttributeError, LookupError, TypeError):
        utf8 = False
    if utf8 or buffer is None:
        return out
    out.flush()  # what was written before comes first
    return io.TextIOWrapper(buffer, encoding="utf-8", errors="strict", newline="\n")


@contextlib.contextmanager
def atomic_writer(path: str | Path, mode: str = "w") -> Iterator[IO]:
    """Write to a temp file beside `path` and rename it into place only on success.

    The file gets the permissions a plain open() would give (0666 less the umask, or the
    mode of the file it replaces), not mkstemp's 0600. An OSError while writing (disk full,
    not writable) becomes a UsageError naming the file; the old file, if any, is unchanged.
    """
    if str(path) == "-":
        if sys.stdout is None:
            raise UsageError("standard output is closed: pass -o FILE")
        out = sys.stdout if "b" in mode else _utf8_stdout()
        try:
            yield out
            out.flush()
        except OSError as exc:  # EPIPE is not among them: the CLI ends quietly on a closed pipe
            if exc.errno in WRITE_ERRNOS or exc.errno == errno.EBADF:
                raise write_error("standard output", exc) from None
            raise
        finally:
            if out is not sys.stdout:
                with contextlib.suppress(ValueError, OSError):
                    out.flush()
                out.detach()  # sys.stdout's buffer stays open (closing the wrapper would close it)
        return
    path = Path(path)
    blocker = _file_in_the_way(path)
    if blocker is not None:
        raise UsageError(f"cannot write {path}: {blocker} is not a directory")
    if _is_special(path):
        # /dev/null, /dev/stdout, a FIFO: written into, never swapped for a regular file by
        # the rename (as root, that would replace /dev/null for every process on the machine)
        try:
            with open(path, mode, **({"encoding": "utf-8", "newline": "\n"} if "b" not in mode else {})) as fh:
                yield fh
        except OSError as exc:
            if exc.errno in WRITE_ERRNOS:
                raise write_error(path, exc) from None
            raise
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise write_error(path, exc) from None
    try:
        try:
            perms = stat.S_IMODE(os.stat(path).st_mode)
        except OSError:
            perms = 0o666 & ~umask()
        os.fchmod(fd, perms)
        kwargs = {"encoding": "utf-8", "newline": "\n"} if "b" not in mode else {}
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.errno in WRITE_ERRNOS:
            raise write_error(path, exc) from None
        raise


def write_jsonl(path: str | Path, records: Iterable[dict]) -> int:
    """Write records atomically, one per line; returns how many were written."""
    n = 0
    with atomic_writer(path) as fh:
        for rec in records:
            fh.write(dumps(rec))
            fh.write("\n")
            n += 1
    return n


LEAD_TIME_MAX = 10 ** 12  # seconds (some 30,000 years): a longer whole number is a broken value


def is_seconds(lead) -> bool:
    """True for a usable lead_time: a finite float of 0 or more, or a whole number from 0 to
    LEAD_TIME_MAX (an integer of 400 digits is a number too, but no float can hold it:
    math.isfinite raises OverflowError on it)."""
    if isinstance(lead, bool):
        return False
    if isinstance(lead, int):
        return 0 <= lead <= LEAD_TIME_MAX
    return isinstance(lead, float) and math.isfinite(lead) and lead >= 0


def env_seconds(name: str, default: float) -> float:
    """A duration set in the environment variable `name` (a finite number of seconds above 0),
    else `default`; any other value is a UsageError naming the variable."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise UsageError(f"{name} must be a number of seconds above 0 (not {raw[:40]!r})")
    return seconds
