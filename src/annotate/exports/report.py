"""The loss report: what each export format wrote, moved and could not hold."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class FormatLoss:
    """Counts for one format. A span is `adjusted` when its boundaries moved to fit tokens,
    `lost` when the format cannot hold it at all; relations likewise."""

    format: str
    records: int = 0
    spans: int = 0
    spans_written: int = 0
    spans_adjusted: int = 0
    spans_lost: int = 0
    relations: int = 0
    relations_written: int = 0
    relations_lost: int = 0
    notes: Counter = field(default_factory=Counter)
    files: list[str] = field(default_factory=list)

    def note(self, reason: str, n: int = 1) -> None:
        """Count one more occurrence of a named loss or change, shown under the table."""
        if n:
            self.notes[reason] += n

    def to_dict(self) -> dict:
        return {
            "records": self.records,
            "spans": self.spans,
            "spans_written": self.spans_written,
            "spans_adjusted": self.spans_adjusted,
            "spans_lost": self.spans_lost,
            "relations": self.relations,
            "relations_written": self.relations_written,
            "relations_lost": self.relations_lost,
            "notes": dict(sorted(self.notes.items())),
            "files": sorted(self.files),
        }


@dataclass
class LossReport:
    """What one export run did, per format; `to_dict()` is what pull puts in manifest.json."""

    source: str
    out: str
    splits: dict[str, int] = field(default_factory=dict)
    formats: dict[str, FormatLoss] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "out": self.out,
            "splits": dict(self.splits),
            "formats": {name: loss.to_dict() for name, loss in self.formats.items()},
        }

    def table(self) -> str:
        """A fixed-width table, one row per format, then one line per counted loss."""
        head = ("format", "records", "spans", "written", "adjusted", "spans lost",
                "relations", "rel. lost")
        rows = [head] + [
            (name, f.records, f.spans, f.spans_written, f.spans_adjusted, f.spans_lost,
             f.relations, f.relations_lost)
            for name, f in self.formats.items()
        ]
        widths = [max(len(str(r[i])) for r in rows) for i in range(len(head))]
        lines = ["  ".join(str(v).ljust(w) if i == 0 else str(v).rjust(w)
                           for i, (v, w) in enumerate(zip(r, widths, strict=True))).rstrip()
                 for r in rows]
        for name, f in self.formats.items():
            for reason, n in sorted(f.notes.items()):
                lines.append(f"  {name}: {n} {reason}")
        return "\n".join(lines)
