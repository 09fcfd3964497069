"""What the learned stage checks in a CRFsuite model file before CRFsuite reads it.

CRFsuite trusts its model file: a truncated or overwritten file crashes the process (a
segfault), and a NaN weight makes every marginal NaN. `check_crfsuite` reads the header and the
five chunks it points at (every load); `check_crfsuite_tables` follows every offset and index
inside them (a load whose card does not vouch for the file by its sha256). Both raise
ValueError (or struct.error) on a damaged file. The layout is the one CRFsuite's crf1d model
writer makes: little-endian, a 48-byte header, the FEAT chunk, two CQDB string tables (labels,
attributes) and two chunks of feature references.
"""

from __future__ import annotations

import array
import math
import struct
import sys

_CHUNKS = (b"FEAT", b"CQDB", b"CQDB", b"LFRF", b"AFRF")  # what each of the header's five offsets points at


def check_crfsuite(data: bytes) -> None:
    """ValueError unless `data` is a whole CRFsuite model file: its header (magic, the file size
    it records, FOMC) and the five chunks the header points at, each inside the file. CRFsuite
    itself trusts these: a truncated or overwritten file crashes the process (a segfault)."""
    size = len(data)
    if size < 48 or data[:4] != b"lCRF" or data[8:12] != b"FOMC":
        raise ValueError("no CRFsuite model header")
    recorded, *offsets = struct.unpack_from("<I20x5I", data, 4)
    if recorded != size:
        raise ValueError(f"the header says {recorded} bytes, the file has {size}: truncated or extended")
    for off, magic in zip(offsets, _CHUNKS, strict=True):
        if not 48 <= off <= size - 8 or data[off:off + 4] != magic:
            raise ValueError(f"no {magic.decode()} chunk at offset {off}")
        (chunk,) = struct.unpack_from("<I", data, off + 4)
        if chunk < 8 or off + chunk > size:
            raise ValueError(f"the {magic.decode()} chunk at offset {off} runs past the end of the file")


def _u32s(data: bytes, off: int, n: int) -> array.array:
    a = array.array("I")
    a.frombytes(data[off:off + 4 * n])
    if sys.byteorder == "big":  # pragma: no cover - CRFsuite writes little-endian
        a.byteswap()
    return a


def _check_cqdb(data: bytes, off: int, n: int, what: str) -> None:
    """A CQDB string table of `n` entries whose every table, bucket, record and key lies in it."""
    (size,) = struct.unpack_from("<I", data, off + 4)
    bwd_size, bwd_offset = struct.unpack_from("<II", data, off + 16)
    if size < 24 + 2048 or bwd_size != n or bwd_offset + 4 * bwd_size > size:
        raise ValueError(f"the {what} table is damaged")

    def record(rel: int) -> None:
        if rel + 8 > size:
            raise ValueError(f"the {what} table is damaged")
        rid, ksize = struct.unpack_from("<II", data, off + rel)
        end = rel + 8 + ksize
        if rid >= n or ksize < 1 or end > size or data[off + end - 1] != 0:
            raise ValueError(f"the {what} table is damaged")

    tables = _u32s(data, off + 24, 512)
    for t in range(256):
        at, num = tables[2 * t], tables[2 * t + 1]
        if not num:
            continue
        if at + 8 * num > size:
            raise ValueError(f"the {what} table is damaged")
        buckets = _u32s(data, off + at, 2 * num)
        for rel in buckets[1::2]:
            if rel:
                record(rel)
    for rel in _u32s(data, off + bwd_offset, bwd_size):
        if rel:
            record(rel)


def _check_refs(data: bytes, off: int, n: int, features: int, what: str) -> None:
    """A chunk of `n` feature-reference lists, each inside the chunk, naming features that exist."""
    size, num = struct.unpack_from("<II", data, off + 4)
    end = off + size
    if num < n or 12 + 4 * num > size:  # (the label chunk has two lists more than labels)
        raise ValueError(f"the {what} references are damaged")
    for at in _u32s(data, off + 12, num):
        if not at:
            continue  # no list
        if not off + 12 <= at <= end - 4:
            raise ValueError(f"the {what} references are damaged")
        (count,) = struct.unpack_from("<I", data, at)
        if at + 4 + 4 * count > end or any(fid >= features for fid in _u32s(data, at + 4, count)):
            raise ValueError(f"the {what} references are damaged")


def check_crfsuite_tables(data: bytes) -> None:
    """ValueError unless every offset and index inside a CRFsuite model (check_crfsuite passed)
    stays inside it: its features' attributes and labels, the two string tables, the reference
    lists. A model file with no card to vouch for it (its model_sha256) is read this way before
    CRFsuite sees it: a damaged table crashes the process."""
    labels, attrs = struct.unpack_from("<II", data, 20)
    off_feat, off_labels, off_attrs, off_lrefs, off_arefs = struct.unpack_from("<5I", data, 28)
    size, num = struct.unpack_from("<II", data, off_feat + 4)
    if 12 + 20 * num > size:
        raise ValueError("the feature table is damaged")
    for kind, src, dst, weight in struct.iter_unpack("<IIId", data[off_feat + 12:off_feat + 12 + 20 * num]):
        if dst >= labels or src >= (attrs if kind == 0 else labels) or kind > 1 or not math.isfinite(weight):
            raise ValueError("the feature table is damaged")  # a NaN weight makes every marginal NaN: every quote added
    _check_cqdb(data, off_labels, labels, "label")
    _check_cqdb(data, off_attrs, attrs, "attribute")
    _check_refs(data, off_lrefs, labels, num, "label")
    _check_refs(data, off_arefs, attrs, num, "attribute")
