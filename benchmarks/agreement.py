"""Benchmark: `annotate agree` over 10,000 tasks x 3 annotators from an export file (< 60 s,
peak memory < 300 MB: the export is streamed, SPEC section 9).

Writes a synthetic Label Studio full-JSON export (news-like tasks, ~12 regions each with
choices and relations; each annotator drops, moves or re-labels a few regions at random,
seeded), one task at a time, and times `agreement.agreement_report(from_file=...)` end to
end: reading the file, checking and parsing every annotation, pairwise matching,
attribution, Krippendorff's alpha. The peak resident memory of the process is reported.

    .venv/bin/python benchmarks/agreement.py [--tasks 10000] [--annotators 3] [--keep FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from annotate.agreement import agreement_report

LIMIT_S = 60.0
LIMIT_MB = 300
SENTENCE = ('{name} said "{quote}" on {day}. {pron} added that {claim}, according to {org}. ')
NAMES = ["Dmitry Peskov", "Antony Blinken", "Kamala Harris", "Olaf Scholz", "Ursula von der Leyen"]
QUOTES = ["We are open to a constructive dialogue", "This is a dangerous escalation",
          "The talks will continue next week", "Nobody wants a new arms race"]
CLAIMS = ["sanctions had failed", "the talks were possible", "relations would improve"]


def _region(rid, label, start, end, text, **choices):
    value = {"start": start, "end": end, "text": text[start:end]}
    out = [{"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
            "value": {**value, "labels": [label]}}]
    out += [{"id": rid, "from_name": k, "to_name": "text", "type": "choices",
             "value": {**value, "choices": [v]}} for k, v in choices.items()]
    return out


def _rel(a, b, kind):
    return {"from_id": a, "to_id": b, "type": "relation", "direction": "right", "labels": [kind]}


def make_task(rng: random.Random, tid: int, annotators: int, noise: float | tuple = 1.0) -> dict:
    """One task: 3 sentences, each a speaker, a direct quote with stance, a pronoun speaker
    (refers_to) and an indirect quote; annotators deviate from that truth at random, more
    often with a higher `noise` (one number, or one per annotator)."""
    text, truth, rels = "", [], []
    for k in range(3):
        name, quote, claim = rng.choice(NAMES), rng.choice(QUOTES), rng.choice(CLAIMS)
        sent = SENTENCE.format(name=name, quote=quote, day="Monday", pron="He", claim=claim, org="TASS")
        base = len(text)
        text += sent

        def at(part, base=base, sent=sent):
            i = sent.index(part)
            return base + i, base + i + len(part)

        sp, q, he, q2 = f"s{k}", f"q{k}", f"h{k}", f"i{k}"
        truth.append(("Speaker", sp, *at(name), {}))
        s, e = at(f'"{quote}"')
        truth.append(("Quote", q, s, e, {"quote_type": "direct"}))
        truth.append(("Stance", f"t{k}", s + 1, e - 1, {"polarity": "favor", "target": "Russia"}))
        truth.append(("Speaker", he, *at("He"), {}))
        truth.append(("Quote", q2, *at(claim), {"quote_type": "indirect"}))
        rels += [(q, sp, "said_by"), (q2, he, "said_by"), (he, sp, "refers_to")]
    anns = []
    for a in range(annotators):
        result, kept = [], set()
        scale = noise[a] if isinstance(noise, (list, tuple)) else noise
        for label, rid, s, e, ch in truth:
            roll = rng.random() / scale
            if roll < 0.04:
                continue  # missed
            if roll < 0.10:
                s, e = s + 1, e  # boundary moved
            if roll < 0.14 and "polarity" in ch:
                ch = {**ch, "polarity": rng.choice(["against", "neutral"])}
            if roll < 0.14 and "quote_type" in ch:
                ch = {**ch, "quote_type": "mixed"}
            result += _region(rid, label, s, e, text, **ch)
            kept.add(rid)
        result += [_rel(x, y, kind) for x, y, kind in rels if x in kept and y in kept]
        anns.append({"id": tid * 10 + a, "completed_by": a + 1, "result": result, "was_cancelled": False,
                     "ground_truth": False, "lead_time": round(rng.uniform(20, 200), 1),
                     "created_at": "2026-11-01T00:00:00Z", "updated_at": f"2026-11-01T00:00:{a:02d}Z"})
    return {"id": tid, "data": {"text": text, "doc_id": f"doc{tid:05d}", "targets": [{"value": "Russia"}]},
            "annotations": anns, "predictions": []}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=10_000)
    ap.add_argument("--annotators", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", help="Write the export here (and keep it) instead of a temp file.")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep or Path(tmp) / "export.json")
        t0 = time.perf_counter()
        with path.open("w", encoding="utf-8") as fh:  # one task at a time: memory stays flat
            fh.write("[")
            for i in range(args.tasks):
                fh.write(("," if i else "") + json.dumps(make_task(rng, i + 1, args.annotators)))
            fh.write("]")
        size = path.stat().st_size
        print(f"export: {args.tasks} tasks x {args.annotators} annotators, {size / 1e6:.1f} MB "
              f"(generated in {time.perf_counter() - t0:.1f} s)")
        t0 = time.perf_counter()
        report = agreement_report(from_file=path)
        elapsed = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"agreement: {elapsed:.1f} s (limit {LIMIT_S:.0f} s), peak memory {peak:.0f} MB "
          f"(limit {LIMIT_MB} MB); micro overlap F1 "
          f"{report['micro']['overlap']['f1']}, exact F1 {report['micro']['exact']['f1']}, "
          f"alpha quote_type {report['alpha']['quote_type']['alpha']}, "
          f"polarity {report['alpha']['polarity']['alpha']}, "
          f"attribution {report['attribution']['agreement']}")
    ok = elapsed < LIMIT_S and peak < LIMIT_MB
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
