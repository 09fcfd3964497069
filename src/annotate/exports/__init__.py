"""Training-ready exports of a gold dataset: spaCy DocBin, Hugging Face datasets, token BIO,
brat standoff. `gold.jsonl` stays the lossless source; each export reports what it lost.

    from annotate.exports import export_dataset
    report = export_dataset("dataset/", "all", "exports/")
    print(report.table())
"""

from __future__ import annotations

import contextlib
import importlib.util
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..errors import UsageError
from ..io import umask, write_error
from .report import FormatLoss, LossReport
from .source import check_records, load_splits

FORMATS = ("spacy", "hf", "bio", "brat")
# The order the writers run in (the report keeps FORMATS order): hf, the largest, first, while
# spaCy is not loaded yet, so the peak is one library's, not both.
RUN_ORDER = ("hf", "bio", "brat", "spacy")
# format -> (module it needs, extra that installs it)
EXTRAS = {"spacy": ("spacy", "spacy"), "hf": ("datasets", "hf")}

__all__ = ["FORMATS", "FormatLoss", "LossReport", "export_dataset", "parse_formats",
           "require_extras"]


def parse_formats(fmt: str | Iterable[str]) -> list[str]:
    """"spacy" | "hf,bio" | ["bio", "brat"] | "all" -> known format names in FORMATS order."""
    names = fmt.split(",") if isinstance(fmt, str) else list(fmt)
    wanted = set()
    for name in (n.strip().lower() for n in names):
        if name == "all":
            wanted.update(FORMATS)
        elif name in FORMATS:
            wanted.add(name)
        else:
            raise UsageError(f"unknown export format {name!r} (choose from {', '.join(FORMATS)}, all)")
    if not wanted:
        raise UsageError("no export format given")
    return [f for f in FORMATS if f in wanted]


def require_extras(formats: Iterable[str]) -> None:
    """Fail with one line naming the pip install when a format's library is missing."""
    for fmt in formats:
        if fmt not in EXTRAS:
            continue
        module, extra = EXTRAS[fmt]
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            raise UsageError(f"the {fmt} export needs {module}: pip install 'annotate[{extra}]'")


def _writer(fmt: str):
    if fmt == "spacy":
        from .spacy_export import write_spacy
        return write_spacy
    if fmt == "hf":
        from .hf_export import write_hf
        return write_hf
    if fmt == "bio":
        from .bio import write_bio
        return write_bio
    from .brat import write_brat
    return write_brat


def _swap_into_place(new: Path, final: Path) -> None:
    """Rename `new` to `final`; an earlier `final` is moved aside first and removed after."""
    if final.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old.", dir=final.parent))
        final.rename(old / final.name)
        new.rename(final)
        shutil.rmtree(old)
    else:
        new.rename(final)


def export_dataset(src: str | Path, fmt: str | Iterable[str], out: str | Path, *,
                   annotator: str | None = None, validate: bool = True,
                   final_out: str | Path | None = None) -> LossReport:
    """Export a gold.jsonl or a dataset directory (keeping its train/dev/test splits) into
    out/<format>/ for each format; returns the loss report.

    The input is validated first (same checks as `annotate validate`): any invalid record
    raises ValidationFailed and nothing is written. Each format directory is built beside
    `out` and renamed into place, so a failure never leaves half an export. `annotator`
    overrides the name in brat's <id>_<annotator>.ann files. `validate=False` skips the
    checks, for a caller that has just validated these very records (`pull --format`).
    `final_out` is where `out` will end up when the caller moves it afterwards (pull builds
    the dataset in a staging directory): paths written into files (spaCy's config) use it.
    """
    formats = parse_formats(fmt)
    require_extras(formats)
    splits = load_splits(src)
    if validate:
        check_records(splits, src)
    out = Path(out)
    report = LossReport(source=str(src), out=str(out),
                        splits={name: len(records) for name, records in splits.items()})
    if out.exists() and not out.is_dir():
        raise UsageError(f"output {out} exists and is not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(out, exc) from None
    staged: list[tuple[Path, Path]] = []
    where = out
    for name in formats:
        report.formats[name] = FormatLoss(name)
    try:
        for name in sorted(formats, key=RUN_ORDER.index):
            where = out / name
            loss = report.formats[name]
            tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=out))
            tmp.chmod(0o777 & ~umask())  # mkdtemp makes it private: give it what mkdir would
            staged.append((tmp, out / name))
            kwargs = ({"annotator": annotator} if name == "brat" else
                      {"final_dir": Path(final_out or out) / name} if name == "spacy" else {})
            _writer(name)(splits, tmp, loss, **kwargs)
        for tmp, final in staged:
            where = final
            _swap_into_place(tmp, final)
    except OSError as exc:
        raise write_error(where, exc) from None
    finally:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                shutil.rmtree(tmp)
    return report
