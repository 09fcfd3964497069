"""Stance figures: the polarity of a sentence toward a mention (NewsMTSC), and stance spans
(stance-dev).

1. NewsMTSC devtest_rw (and devtest_mt when the corpus has it): macro-F1 over favor / against /
   neutral, with per-class precision, recall and F1, for
   - the majority class of train (a guess),
   - VADER's compound score of the whole sentence (the lexicon alone, blind to the mention),
   - the target-aware lexicon rules (annotate.polarity.lexicon_score: the mention's clause and
     window, negation, 'but', evaluative-verb frames; its neutral band is chosen on train),
   - annotate.stance_polarity (the shipped model), and its time per call.
2. stance-dev (when ../shared/corpora/stance-dev exists): converts its articles with
   `annotate convert` into a temporary file and prints what ../shared/tools/stance_eval.py says
   (span overlap P/R/F1, polarity and target accuracy on matched spans, target-list precision)
   and the target list's recall (the share of distinct gold targets of each article the list
   offers, and of gold stances whose target it offers)
   for all 30 articles, the 20 the rules were tuned on and the 10 held out (every third by
   sorted name, starting with the third: HELD_OUT); then, on the matched spans, the converter's
   lexicon polarity against stance_polarity (toward the stance's target where its sentence names
   it; toward the span itself, favor or against); then stance_polarity on the gold stances
   themselves (sentence of the span, mention = the gold target where the sentence names it).
3. --speed: CPU of find_all_stances (stance spans and targets) on the 840 polnear-train
   articles, quotes found beforehand and not timed, best of three runs.

    .venv/bin/python benchmarks/stance.py [--shared ../shared] [--no-convert] [--speed]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from annotate.polarity import LABELS, lexicon_score, polarity_scores, stance_polarity  # noqa: E402
from annotate.polarity_train import macro_f1, read_newsmtsc  # noqa: E402

SPLITS = ("devtest_rw", "devtest_mt")


def show(name: str, gold: list[str], pred: list[str]) -> None:
    f1, per = macro_f1(gold, pred)
    cells = "  ".join(f"{label} {p:.2f}/{r:.2f}/{f:.2f}" for label, (p, r, f) in per.items())
    print(f"  {name:<38} macro-F1 {f1:.3f}   P/R/F1: {cells}")


def vader_polarity():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()

    def predict(sentence: str) -> str:
        c = analyzer.polarity_scores(sentence)["compound"]
        return "favor" if c >= 0.05 else "against" if c <= -0.05 else "neutral"  # VADER's own cut-offs

    return predict


def lexicon_band(train: list[tuple[str, int, int, str]]) -> float:
    """The neutral band |score| < t of the lexicon rules that gives the best macro-F1 on train."""
    scores = [lexicon_score(s, a, b) for s, a, b, _ in train]
    gold = [y for *_, y in train]

    def cut(t: float) -> list[str]:
        return ["favor" if x > t else "against" if x < -t else "neutral" for x in scores]

    return max((0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0), key=lambda t: macro_f1(gold, cut(t))[0])


def newsmtsc(corpus: Path) -> None:
    train = [e for group in read_newsmtsc(corpus / "train.jsonl") for e in group]
    majority = Counter(y for *_, y in train).most_common(1)[0][0]
    band = lexicon_band(train)
    vader = vader_polarity()
    for split in SPLITS:
        path = corpus / f"{split}.jsonl"
        if not path.exists():
            print(f"NewsMTSC {split}: not in {corpus}")
            continue
        data = [e for group in read_newsmtsc(path) for e in group]
        gold = [y for *_, y in data]
        print(f"NewsMTSC {split}: {len(data)} targets ({dict(Counter(gold))})")
        show(f"majority of train ({majority})", gold, [majority] * len(data))
        show("VADER compound, whole sentence", gold, [vader(s) for s, *_ in data])
        lex = [lexicon_score(s, a, b) for s, a, b, _ in data]
        show(f"lexicon rules, mention-aware (±{band})", gold,
             ["favor" if x > band else "against" if x < -band else "neutral" for x in lex])
        stance_polarity(*data[0][:3])  # load the model outside the timing
        t0, c0 = time.perf_counter(), time.process_time()
        pred = [stance_polarity(s, a, b) for s, a, b, _ in data]
        wall = (time.perf_counter() - t0) / len(data)
        cpu = (time.process_time() - c0) / len(data)
        show("annotate.stance_polarity", gold, pred)
        print(f"  stance_polarity: {cpu * 1e3:.3f} ms CPU per call ({wall * 1e3:.3f} ms wall)")


def gold_stances(stance_dev: Path):
    """(sentence, mention start, mention end, polarity) for each gold stance whose sentence
    names its target."""
    for ann in sorted((stance_dev / "attributions").glob("*.ann")):
        doc = re.sub(r"_[^_]+\.ann$", "", ann.name)
        text = (stance_dev / "text" / f"{doc}.txt").read_text(encoding="utf-8")
        spans, pol, note = {}, {}, {}
        for line in ann.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if parts[0].startswith("T") and parts[1].startswith("Stance "):
                _, a, b = parts[1].split()
                spans[parts[0]] = (int(a), int(b))
            elif parts[0].startswith("A"):
                _, t, v = parts[1].split()
                pol[t] = v
            elif parts[0].startswith("#"):
                note[parts[1].split()[1]] = parts[2]
        for t, (a, b) in spans.items():
            s0 = max(text.rfind(". ", 0, a) + 2, text.rfind("\n", 0, a) + 1)
            ends = [i for i in (text.find(". ", b), text.find("\n", b)) if i >= 0]
            s1 = min(ends) + 1 if ends else len(text)
            sentence = text[s0:s1]
            target = note.get(t, "")
            hit = sentence.find(target) if target else -1
            if hit < 0 and target:  # "Donald Trump" named "Trump" in the sentence
                last = target.split()[-1]
                hit = sentence.find(last) if len(last) > 3 else -1
                target = last
            if hit >= 0 and pol.get(t):
                yield sentence, hit, hit + len(target), pol[t]


def held_out(names: list[str]) -> set[str]:
    """The 10 of stance-dev's 30 articles the rules were not tuned on: every third by sorted name,
    starting with the third."""
    return set(sorted(names)[2::3])


def _subset_gold(stance_dev: Path, docs: set[str], where: Path) -> Path:
    """A gold folder with only `docs` (symbolic links), for stance_eval.py's recall."""
    for sub in ("text", "attributions"):
        (where / sub).mkdir(parents=True)
    for txt in (stance_dev / "text").glob("*.txt"):
        if txt.stem in docs:
            (where / "text" / txt.name).symlink_to(txt)
    for ann in (stance_dev / "attributions").glob("*.ann"):
        if re.sub(r"_[^_]+\.ann$", "", ann.name) in docs:
            (where / "attributions" / ann.name).symlink_to(ann)
    return where


def _sentence(text: str, a: int, b: int) -> tuple[int, int]:
    s0 = max(text.rfind(". ", 0, a) + 2, text.rfind("\n", 0, a) + 1)
    ends = [i for i in (text.find(". ", b), text.find("\n", b)) if i >= 0]
    return s0, (min(ends) + 1 if ends else len(text))


def matched_polarity(stance_dev: Path, tasks_file: Path) -> None:
    """On predicted stances that overlap a gold stance: the converter's polarity (lexicon)
    against stance_polarity, toward the stance's target where its sentence names it and
    toward the span itself."""
    sys.path.insert(0, str(stance_dev.parents[1] / "tools"))
    from attribution_eval import offset_map  # noqa: PLC0415 - the shared scorer's own alignment
    from stance_eval import parse  # noqa: PLC0415

    counts: Counter = Counter()
    for line in tasks_file.read_text(encoding="utf-8").splitlines():
        task = json.loads(line)
        doc, text = task["data"]["doc_id"], task["data"]["text"]
        anns = list((stance_dev / "attributions").glob(f"{doc}_*.ann"))
        if not anns:
            continue
        gold = parse(str(anns[0]))
        f = offset_map((stance_dev / "text" / f"{doc}.txt").read_text(encoding="utf-8"), text)
        result = task["predictions"][0]["result"]
        choice = {}
        for r in result:
            if r["type"] == "choices":
                choice.setdefault(r["id"], {})[r["from_name"]] = r["value"]["choices"][0]
        preds = [(r["value"]["start"], r["value"]["end"], choice[r["id"]]) for r in result
                 if r["type"] == "labels" and r["value"]["labels"] == ["Stance"]]
        for g0, g1, polarity, _target in gold:
            hits = [p for p in preds if f(p[0]) < g1 and g0 < f(p[1])]
            if not hits:
                continue
            a, b, ch = max(hits, key=lambda p: min(f(p[1]), g1) - max(f(p[0]), g0))
            s0, s1 = _sentence(text, a, b)
            sentence = text[s0:s1]
            counts["matched"] += 1
            counts["lexicon"] += ch["polarity"] == polarity
            scores = polarity_scores(sentence, a - s0, b - s0)
            two = max(("favor", "against"), key=scores.get) if ch["polarity"] != "neutral" else "neutral"
            counts["span"] += two == polarity
            target = ch["target"]
            k = sentence.find(target)
            if k < 0 and len(target.split()[-1]) > 3:
                target = target.split()[-1]
                k = sentence.find(target)
            if k >= 0:
                counts["named"] += 1
                counts["lexicon named"] += ch["polarity"] == polarity
                counts["target"] += stance_polarity(sentence, k, k + len(target)) == polarity
    n, m = counts["matched"], counts["named"]
    if n:
        print(f"polarity of the {n} matched spans: the converter's (lexicon) {counts['lexicon'] / n:.3f}, "
              f"stance_polarity toward the span (favor vs against) {counts['span'] / n:.3f}")
    if m:
        print(f"  the {m} whose sentence names the target: lexicon {counts['lexicon named'] / m:.3f}, "
              f"stance_polarity toward the target {counts['target'] / m:.3f}")


def list_recall(stance_dev: Path, tool: Path, tasks_file: Path) -> tuple[float, float]:
    """Target-list recall: the share of gold stances whose target the task's list offers, and
    the share of distinct (article, gold target) pairs it offers (stance_eval.py's matching)."""
    sys.path.insert(0, str(tool.parent))
    from stance_eval import parse, same_target  # noqa: PLC0415 - the shared scorer's own matching

    stances = offered = pairs = pairs_offered = 0
    for line in tasks_file.read_text(encoding="utf-8").splitlines():
        task = json.loads(line)
        anns = list((stance_dev / "attributions").glob(f"{task['data']['doc_id']}_*.ann"))
        if not anns:
            continue
        listed = [t.get("value") for t in task["data"].get("targets", []) if isinstance(t, dict)]
        gold = [target for *_, target in parse(str(anns[0]))]
        stances += len(gold)
        offered += sum(any(same_target(t, g) for t in listed) for g in gold)
        pairs += len(set(gold))
        pairs_offered += sum(any(same_target(t, g) for t in listed) for g in set(gold))
    return offered / max(stances, 1), pairs_offered / max(pairs, 1)


def stance_dev(stance_dev: Path, tool: Path, convert: bool) -> None:
    if convert:
        with tempfile.TemporaryDirectory() as tmp:
            tasks = Path(tmp) / "tasks.jsonl"
            t0 = time.perf_counter()
            subprocess.run([str(ROOT / ".venv" / "bin" / "annotate"), "convert", str(stance_dev / "text"),
                            "-o", str(tasks)], check=True)
            took = time.perf_counter() - t0
            names = [p.stem for p in (stance_dev / "text").glob("*.txt")]
            held = held_out(names)
            lines = tasks.read_text(encoding="utf-8").splitlines()
            print(f"stance-dev (annotate convert {took:.1f} s, scored by {tool.name}):")
            for split, docs in (("all 30", set(names)), ("tuning 20", set(names) - held), ("held-out 10", held)):
                part = Path(tmp) / f"{split.split()[0]}.jsonl"
                part.write_text("".join(line + "\n" for line in lines
                                        if json.loads(line)["data"]["doc_id"] in docs), encoding="utf-8")
                gold = _subset_gold(stance_dev, docs, Path(tmp) / f"gold-{split.split()[0]}")
                out = json.loads(subprocess.run([sys.executable, str(tool), str(gold), str(part)],
                                                check=True, capture_output=True, text=True).stdout)
                p, r, f = out["stance_overlap_prf"]
                listed, distinct = list_recall(stance_dev, tool, part)
                print(f"  {split:<12} stances {out['pred_stances']:>3} of gold {out['gold_stances']:>3}  "
                      f"P/R/F1 {p:.3f}/{r:.3f}/{f:.3f}  polarity {out['polarity_acc_on_matched']:.3f}  "
                      f"target {out['target_acc_on_matched']:.3f}  target list {out['target_list_precision']:.3f} "
                      f"of {out['targets_listed']}, recall {distinct:.3f} ({listed:.3f} of gold stances)")
            matched_polarity(stance_dev, tasks)
    rows = list(gold_stances(stance_dev))
    if rows:
        gold = [y for *_, y in rows]
        pred = [stance_polarity(s, a, b) for s, a, b, _ in rows]
        acc = sum(g == p for g, p in zip(gold, pred, strict=True)) / len(rows)
        print(f"stance-dev gold stances whose sentence names the target: {len(rows)} ({dict(Counter(gold))})")
        print(f"  stance_polarity accuracy {acc:.3f}")
        show("annotate.stance_polarity", gold, pred)
        # a converter that has already decided the span takes a position may skip neutral
        two = [max(("favor", "against"), key=polarity_scores(s, a, b).get) for s, a, b, _ in rows]
        acc = sum(g == p for g, p in zip(gold, two, strict=True)) / len(rows)
        print(f"  favor vs against only (argmax of polarity_scores without neutral): accuracy {acc:.3f}")


def speed(polnear: Path) -> None:
    """CPU seconds of find_all_stances on polnear-train (its quotes found first, not timed)."""
    from annotate.converters import clean, find_all_quotes, find_all_stances  # noqa: PLC0415

    docs = [{"raw": p.read_text(encoding="utf-8"), "doc_id": p.stem, "source_file": str(p)}
            for p in sorted((polnear / "text").glob("*.txt"))]
    docs = list(find_all_quotes(clean(docs)))
    mb = sum(len(d["text"].encode("utf-8")) for d in docs) / 1e6
    list(find_all_stances(docs[:20]))  # lexicons loaded outside the timing
    runs = []
    for _ in range(3):
        c0 = time.process_time()
        out = list(find_all_stances(docs))
        runs.append(time.process_time() - c0)
    n = sum(len(d["stances"]) for d in out)
    print(f"find_all_stances on {len(docs)} polnear-train articles ({mb:.2f} MB): best {min(runs):.2f} s CPU "
          f"of {', '.join(f'{r:.2f}' for r in runs)} ({mb / min(runs):.2f} MB/s), {n} stances")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--no-convert", action="store_true", help="skip converting stance-dev")
    parser.add_argument("--speed", action="store_true", help="only time find_all_stances on polnear-train")
    args = parser.parse_args()
    if args.speed:
        speed(args.shared / "corpora" / "polnear-train")
        return 0
    corpus = args.shared / "corpora" / "newsmtsc"
    if not corpus.exists():
        print(f"missing: {corpus}", file=sys.stderr)
        return 2
    print("labels:", ", ".join(LABELS))
    newsmtsc(corpus)
    dev = args.shared / "corpora" / "stance-dev"
    if dev.exists():
        stance_dev(dev, args.shared / "tools" / "stance_eval.py", not args.no_convert)
    else:
        print(f"stance-dev: {dev} is missing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
