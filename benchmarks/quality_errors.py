"""Error analysis for the quality benchmark: what the converter gets wrong, by class, with examples.

Reads the gold corpus (brat: Content = quote, Source = speaker) and a tasks file written by
`annotate convert` (or `benchmarks/quality.py --keep`), matches quotes one to one by overlap as
`attribution_eval.py` does, and prints counts and a few examples of each error class:

- missed: a gold quote no predicted quote overlaps;
- spurious: a predicted quote that overlaps no gold quote;
- fragment: a predicted quote whose gold quote is already matched (the second part of an
  interrupted quote, which the corpus stores as one discontinuous Content);
- wrong speaker: a matched quote whose linked speaker does not overlap the gold source.

    .venv/bin/python benchmarks/quality_errors.py TASKS.jsonl [--gold DIR] [--examples 5] [--seed 0]
                                                 [--half even|odd]

--half keeps the documents at even (or odd) places of the sorted list of GOLD/text: pick the
examples a rule is built from in one half and check the rule's gain on the other, so that the
figures are not the rule's own training set.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_GOLD = ROOT.parent / "shared" / "corpora" / "polnear-train"
_SPAN = re.compile(r"(T\d+)\t(\S+) ([\d ;]+)\t")


def gold_quotes(ann: str) -> list[tuple[set[int], set[int] | None, tuple[int, int]]]:
    """[(content chars, source chars or None, content hull)] of one .ann file."""
    spans, out = {}, []
    for line in ann.splitlines():
        m = _SPAN.match(line)
        if m:
            spans[m.group(1)] = [tuple(map(int, f.split())) for f in m.group(3).split(";")]
        elif line.startswith("E") and "\t" in line:
            event = dict(p.split(":", 1) for p in line.split("\t")[1].split() if ":" in p)
            content, source = spans.get(event.get("Content")), spans.get(event.get("Source"))
            if content:
                chars = {i for a, b in content for i in range(a, b)}
                src = {i for a, b in source for i in range(a, b)} if source else None
                out.append((chars, src, (min(a for a, _ in content), max(b for _, b in content))))
    return out


def predicted(task: dict) -> tuple[dict[str, tuple[int, int]], dict[str, list[tuple[int, int]]]]:
    """Quote regions by id, and the speaker spans linked to each quote."""
    result = (task.get("predictions") or [{}])[0].get("result", [])
    regions = {r["id"]: r["value"] for r in result if r.get("type") == "labels"}
    quotes = {k: (v["start"], v["end"]) for k, v in regions.items() if v["labels"] == ["Quote"]}
    speakers = {k: (v["start"], v["end"]) for k, v in regions.items() if v["labels"] == ["Speaker"]}
    linked: dict[str, list[tuple[int, int]]] = collections.defaultdict(list)
    for r in result:
        if r.get("type") == "relation":
            a, b = r.get("from_id"), r.get("to_id")
            if a in quotes and b in speakers:
                linked[a].append(speakers[b])
            elif b in quotes and a in speakers:
                linked[b].append(speakers[a])
    return quotes, linked


def half_of(gold_dir: Path, half: str | None) -> set[str] | None:
    """The document stems at even or odd places of the sorted GOLD/text listing (None: all)."""
    if half is None:
        return None
    stems = sorted(p.stem for p in (gold_dir / "text").glob("*.txt"))
    return set(stems[0 if half == "even" else 1::2])


def analyse(gold_dir: Path, tasks_path: Path, only: set[str] | None = None) -> dict[str, list[str]]:
    """{error class: [example contexts]} over every document of the corpus (or those in `only`)."""
    tasks = {}
    for n, line in enumerate(tasks_path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                task = json.loads(line)
                tasks[task["data"].get("doc_id")] = task
            except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as e:
                raise SystemExit(f"{tasks_path}:{n}: not a Label Studio task ({e})") from None
    errors: dict[str, list[str]] = collections.defaultdict(list)
    seen: set[str] = set()
    for ann in sorted((gold_dir / "attributions").glob("*.ann")):
        stem = ann.stem.rsplit("_", 1)[0]
        if stem in seen or (only is not None and stem not in only):
            continue  # the first annotator of each document, as the scorer does
        seen.add(stem)
        text = (gold_dir / "text" / f"{stem}.txt").read_text(encoding="utf-8")
        task = tasks.get(stem)
        if task is None:
            errors["document missing"].append(stem)
            continue
        if task["data"]["text"] != text:
            errors["cleaned text differs (skipped here; the scorer aligns it)"].append(stem)
            continue
        gold = gold_quotes(ann.read_text(encoding="utf-8"))
        quotes, linked = predicted(task)
        pairs = sorted(((len(set(range(s, e)) & g[0]), k, gi) for k, (s, e) in quotes.items()
                        for gi, g in enumerate(gold) if set(range(s, e)) & g[0]), reverse=True)
        by_pred, by_gold, touched = {}, {}, set()
        for _, k, gi in pairs:
            touched.add(k)
            if k not in by_pred and gi not in by_gold:
                by_pred[k], by_gold[gi] = gi, k

        def show(s: int, e: int, note: str = "", text: str = text, stem: str = stem) -> str:
            ctx = text[max(0, s - 100):s] + "[[" + text[s:e] + "]]" + text[e:e + 60]
            return f"{stem}: {ctx}".replace("\n", " / ") + (f"   ({note})" if note else "")

        for gi, (_chars, src, (s, e)) in enumerate(gold):
            if gi not in by_gold:
                errors["missed"].append(show(s, e))
            elif src and not any(set(range(a, b)) & src for a, b in linked.get(by_gold[gi], [])):
                said = [text[a:b] for a, b in linked.get(by_gold[gi], [])] or ["no speaker"]
                source = text[min(src):max(src) + 1]
                errors["wrong speaker"].append(show(s, e, f"gold {source!r}, predicted {said[0]!r}"))
        for k, (s, e) in quotes.items():
            if k not in touched:
                errors["spurious"].append(show(s, e))
            elif k not in by_pred:
                errors["fragment"].append(show(s, e))
    return errors


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tasks", type=Path, help="tasks JSONL from `annotate convert` on GOLD/text")
    ap.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    ap.add_argument("--examples", type=int, default=5, help="examples printed per class")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--half", choices=("even", "odd"), help="only the documents at even/odd places of the sorted list")
    args = ap.parse_args()
    if not (args.gold / "attributions").is_dir():
        print(f"no attributions/ in {args.gold}", file=sys.stderr)
        return 2
    errors = analyse(args.gold, args.tasks, half_of(args.gold, args.half))
    rng = random.Random(args.seed)
    for name in ("missed", "spurious", "fragment", "wrong speaker", *sorted(set(errors) - {
            "missed", "spurious", "fragment", "wrong speaker"})):
        found = errors.get(name, [])
        print(f"{name}: {len(found)}")
        for example in rng.sample(found, min(args.examples, len(found))):
            print(f"  - {example[:400]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
