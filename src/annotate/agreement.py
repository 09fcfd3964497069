"""Inter-annotator agreement over a Label Studio full-JSON export.

Label Studio's open-source edition computes no agreement; this module does, over every task
that two or more annotators completed (cancelled annotations left out):

- span agreement per label (Speaker, Quote, Stance): pairwise F1, exact (same offsets) and
  overlap (one-to-one greedy matching by overlap), micro-averaged and per annotator pair;
- attribution agreement: of the quotes matched between two annotators, how many are said by
  the same speaker (overlapping speaker spans, or the same name, after following `refers_to`);
- speaker equivalence, reported beside it: the same, or names of one person in two forms
  ("Flynn" and "Retired Lt. Gen. Michael Flynn"; see `equivalent_names` for the rule);
- Krippendorff's alpha (nominal) for `quote_type` and `polarity` over matched spans, with the
  maintained `krippendorff` package;
- a per-annotator table and the most disputed tasks.

Pairwise F1 between two annotators is 2 * matched / (spans of A + spans of B); summing the
counts over tasks and pairs before dividing gives the micro average.

Tasks are read through `annotate.annotations` (streamed, every task checked before use, as
for `editreport` and `adjudicate`): a hand-broken export gives warnings and a `problems`
count, never a traceback. Memory does not grow with the number of tasks: what is kept across
tasks is counts, running sums, the alpha units tallied by their value counts, and the `top`
most disputed tasks.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from .annotations import (
    Problems,
    Version,
    clean_tasks,
    load_tasks,
    problems_for,
    task_label,
    versions_of,
    without_annotators,
)
from .labeling import LABELS, contract, reference_map
from .labeling import speaker_chain as labeling_chain
from .redact import printable

# The per-region choices compared between annotators: the contract's fixed and task-given lists
# (the attribution flag is compared as part of the span, see `canonical`).
CHOICE_FIELDS = tuple(c.name for c in contract().choices if c.name != "attribution")
ALPHA_FIELDS = {"quote_type": "Quote", "polarity": "Stance"}
NEEDS_TWO = "agreement needs two annotators: no task has two or more non-cancelled annotations"



# --------------------------------------------------------------------------- the command


def agreement_report(project: str | None = None, from_file: str | Path | None = None,
                     url: str | None = None, api_key: str | None = None, top: int = 10,
                     exclude: Iterable[str] = (), warn: Callable[[str], None] | None = None) -> dict:
    """`annotate agree` as a function: load the tasks, return `compute_agreement`'s dict.

    `exclude` names annotators (email or user id) left out, e.g. the lead whose
    adjudicating annotations are not an independent opinion. `warn` receives one line per
    problem found in the export (default: stderr).
    """
    problems = Problems(warn)
    tasks, names = load_tasks(project, from_file, url, api_key, warn=problems)
    if exclude:
        tasks = without_annotators(clean_tasks(tasks, problems), distinct_names(names), exclude)
    report = compute_agreement(tasks, names, top=top, warn=problems)
    problems.close()
    return report


# Label Studio's name for a member removed from the organisation: its API shows every such
# member with this e-mail (see annotate.users), so it names nobody in particular.
REMOVED_MEMBER = "Deleted"


def distinct_names(names: dict | None) -> dict:
    """user id -> display name where each name is one user's: a name several ids share, and
    Label Studio's "Deleted" (every member removed from the organisation), gets the id added,
    "Deleted (user 4)". Without it two removed annotators were one row of the agreement
    tables, compared with themselves, and `adjudicate` gave their two versions one review tab
    name (each re-run overwrote one version with the other)."""
    if not names:
        return {}
    seen = Counter(names.values())
    return {uid: f"{name} (user {uid})" if seen[name] > 1 or name == REMOVED_MEMBER else name
            for uid, name in names.items()}


# --------------------------------------------------------------------------- matching


def _overlap(a: dict, b: dict) -> int:
    return min(a["end"], b["end"]) - max(a["start"], b["start"])


def match_spans(a: list[dict], b: list[dict], mode: str = "overlap") -> list[tuple[int, int]]:
    """One-to-one matches (index in a, index in b) between two span lists of one label.

    `exact`: same start and end. `overlap`: any shared character; pairs are taken greedily by
    intersection-over-union, so each span is matched at most once and the best fits go first.
    """
    if mode == "exact":
        where: dict[tuple[int, int], list[int]] = defaultdict(list)
        for j, s in enumerate(b):
            where[(s["start"], s["end"])].append(j)
        pairs = []
        for i, s in enumerate(a):
            slot = where.get((s["start"], s["end"]))
            if slot:
                pairs.append((i, slot.pop(0)))
        return pairs
    if len(a) * len(b) > LARGE_PAIRING:
        return _match_large(a, b)
    candidates = []
    ends = [(t["start"], t["end"]) for t in b]
    for i, s in enumerate(a):
        s0, s1 = s["start"], s["end"]
        for j, (t0, t1) in enumerate(ends):
            if t0 < s1 and s0 < t1:  # inlined overlap test: this loop is the hot path
                inter = min(s1, t1) - max(s0, t0)
                if inter > 0:
                    candidates.append((-inter / (max(s1, t1) - min(s0, t0)), i, j))
    candidates.sort()
    used_a, used_b, pairs = set(), set(), []
    for _, i, j in candidates:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((i, j))
    return pairs


# Above this many span pairs (one task, one label, two annotators) the overlap matching is
# done with numpy arrays: a hand-made export with 2,000 mutually overlapping spans per
# annotator took 39 s and 700 MB as Python tuples for one task.
LARGE_PAIRING = 250_000


def _match_large(a: list[dict], b: list[dict]) -> list[tuple[int, int]]:
    """`match_spans(a, b, "overlap")` for many spans: the same pairs in the same order (the
    candidates sorted by -IoU, then index in a, then index in b, as the tuples sort), built a
    row at a time in arrays, 16 bytes a candidate; the greedy pass stops once one side is used up."""
    import numpy as np

    b0 = np.array([t["start"] for t in b], dtype=np.int64)
    b1 = np.array([t["end"] for t in b], dtype=np.int64)
    keys, rows, cols = [], [], []
    for i, s in enumerate(a):
        s0, s1 = s["start"], s["end"]
        inter = np.minimum(b1, s1) - np.maximum(b0, s0)
        hit = np.nonzero((b0 < s1) & (b1 > s0) & (inter > 0))[0]
        if hit.size:
            union = np.maximum(b1[hit], s1) - np.minimum(b0[hit], s0)
            keys.append(-(inter[hit].astype(np.float64) / union.astype(np.float64)))
            rows.append(np.full(hit.size, i, dtype=np.int32))
            cols.append(hit.astype(np.int32))
    if not keys:
        return []
    key, row, col = np.concatenate(keys), np.concatenate(rows), np.concatenate(cols)
    del keys, rows, cols
    order = np.lexsort((col, row, key))
    del key
    used_a, used_b, pairs = set(), set(), []
    most = min(len(a), len(b))
    for k in range(0, len(order), 65_536):  # a slice at a time: Python ints are 36 bytes each
        chunk = order[k:k + 65_536]
        for i, j in zip(row[chunk].tolist(), col[chunk].tolist(), strict=True):
            if i not in used_a and j not in used_b:
                used_a.add(i)
                used_b.add(j)
                pairs.append((i, j))
                if len(pairs) == most:
                    return pairs
    return pairs


def by_label(spans: list[dict]) -> dict[str, list[dict]]:
    """Spans grouped by label, every contract label present (possibly empty)."""
    out: dict[str, list[dict]] = {label: [] for label in LABELS}
    for s in spans:
        out.setdefault(s["label"], []).append(s)
    return out


def _links(version: Version) -> tuple[dict, dict, dict]:
    """(spans by id, quote id -> said_by target, speaker id -> refers_to target), cached."""
    if version._links is None:
        said = {}
        for r in version.relations:
            if r["type"] == "said_by":
                said.setdefault(r["from"], r["to"])
        version._links = ({s["id"]: s for s in version.spans}, said, reference_map(version.relations))
    return version._links


def speaker_chain(version: Version, quote_id: str) -> list[dict]:
    """The quote's `said_by` speaker followed through `refers_to` links (labeling.speaker_chain);
    the chain stops before a link to a span the annotation does not have."""
    index, said, refers = _links(version)
    if said.get(quote_id) not in index:
        return []
    chain = []
    for span_id in labeling_chain(said[quote_id], refers):
        if span_id not in index:
            break
        chain.append(index[span_id])
    return chain


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def same_speaker(a: list[dict], b: list[dict]) -> bool:
    """Two speaker chains agree when both are empty or the speakers they resolve to (the last
    span after following `refers_to`) overlap or carry the same name."""
    if not a or not b:
        return not a and not b
    x, y = a[-1], b[-1]
    if _overlap(x, y) > 0:
        return True
    return _norm(x.get("text", "")) == _norm(y.get("text", "")) != ""


# Words before a surname that name a role, not a person ("Gen. Flynn", "President Biden"):
# left out when two name forms are compared.
TITLES = frozenset("""
    mr mrs ms miss mx dr prof sir dame lord lady rev fr
    president vice prime minister secretary chancellor premier king queen prince princess
    senator sen rep representative congressman congresswoman gov governor mayor judge justice
    gen general lt col colonel maj major capt captain sgt adm admiral cmdr commander
    retired ret former acting deputy spokesperson spokesman spokeswoman ambassador
""".split())
_NAME_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


# A name is short: of a longer Speaker span only its last characters are read as a name (a
# hand-made export with 4,000 page-long Speaker spans took 80 s and 600 MB to tokenise).
NAME_CHARS = 400


def name_tokens(text: str) -> tuple[str, ...]:
    """The words of a speaker mention, case-folded, without punctuation, a possessive 's or the
    role words in TITLES: "Retired Lt. Gen. Michael Flynn" -> ("michael", "flynn"). Of a
    mention longer than NAME_CHARS characters only the words in its last NAME_CHARS count."""
    tail = text[-NAME_CHARS:]
    words = (w.removesuffix("'s").removesuffix("’s") for w in _NAME_TOKEN.findall(tail.casefold()))
    return tuple(w for w in words if w and w not in TITLES)


def _compatible(x: tuple[str, ...], y: tuple[str, ...]) -> bool:
    """Two name forms that may be one person: the same last word, and one's words all in the other."""
    return bool(x) and bool(y) and x[-1] == y[-1] and (set(x) <= set(y) or set(y) <= set(x))


def equivalent_names(x: str, y: str, mentions: Collection[tuple[str, ...]]) -> bool:
    """Whether two speaker names are one person in a document whose speaker mentions (as
    `name_tokens`) are `mentions`.

    The rule: both names end in the same word (the surname: "Trump" is not "Donald Trump Jr."),
    the words of the shorter are all words of the longer (titles aside: "Gen. Flynn" and
    "Michael Flynn"), and no mention in the document that contains that surname names someone
    else — every such mention must itself fit the longer name by the same test. So "Biden" is
    not "Joe Biden" in a document that also has a "Jill Biden" speaker, and "Trump" is not
    "Donald Trump" where "Donald Trump Jr." speaks too.
    """
    a, b = name_tokens(x), name_tokens(y)
    if not _compatible(a, b):
        return False
    longer = a if set(b) <= set(a) else b
    surname = longer[-1]
    return all(_compatible(m, longer) for m in mentions if surname in m)


def speaker_mentions(versions: Iterable[Version]) -> frozenset[tuple[str, ...]]:
    """Every Speaker mention of a task, across its annotators, as `name_tokens`."""
    return frozenset(name_tokens(s.get("text", "")) for v in versions for s in v.spans
                     if s["label"] == "Speaker")


def equivalent_speaker(a: list[dict], b: list[dict], mentions: Collection[tuple[str, ...]]) -> bool:
    """Two speaker chains name the same person: `same_speaker`, or the speakers they resolve to
    are two forms of one name (`equivalent_names` among the document's `mentions`)."""
    if same_speaker(a, b):
        return True
    if not a or not b:
        return False
    return equivalent_names(a[-1].get("text", ""), b[-1].get("text", ""), mentions)


def canonical(version: Version) -> frozenset:
    """A comparable form of an annotation (`gold.annotation_signature`: spans by label, offsets
    and choices; relations by the positions of their ends; region ids and order ignored).

    Two annotators fully agree on a task when their canonical forms are equal: the same spans
    with the same labels and choices, and the same relations between the same spans. `pull`
    counts disagreements with the same function.
    """
    from .gold import annotation_signature

    return annotation_signature({"result": version.result})


# --------------------------------------------------------------------------- counting


@dataclass
class Counts:
    """Matched and total spans on both sides: F1 = 2 * matched / spans."""

    matched: int = 0
    spans: int = 0

    def add(self, matched: int, spans: int) -> None:
        self.matched += matched
        self.spans += spans

    @property
    def f1(self) -> float | None:
        return round(2 * self.matched / self.spans, 4) if self.spans else None

    def as_dict(self) -> dict:
        return {"f1": self.f1, "matched": self.matched, "spans": self.spans}


@dataclass
class Mean:
    """A running mean (the same float as `sum(values) / len(values)` over the values added).

    When that sum overflows (finite values near the float maximum: a hand-edited lead time),
    the mean is the running one, `m += (v - m) / n`, which stays finite: never `inf`, which
    the reports would write as `Infinity`, no JSON."""

    total: float = 0
    n: int = 0
    running: float = 0

    def add(self, value: float) -> None:
        self.total += value
        self.n += 1
        self.running += (value - self.running) / self.n

    def rounded(self, digits: int = 2) -> float | None:
        if not self.n:
            return None
        mean = self.total / self.n
        return round(mean if math.isfinite(mean) else self.running, digits)


@dataclass
class PairResult:
    """What two annotators agree on for one task."""

    exact: dict[str, tuple[int, int]]
    overlap: dict[str, tuple[int, int]]
    quotes_matched: int
    attribution_agreed: int
    speaker_equivalent: int
    choice_pairs: int
    choice_disagreements: int
    unmatched: int


def compare_pair(a: Version, b: Version, mentions: Collection[tuple[str, ...]] | None = None,
                 ) -> tuple[PairResult, list[tuple[dict, dict]]]:
    """Compare two annotations of one task; also return the overlap-matched span pairs.
    `mentions` are the task's speaker mentions for speaker equivalence (default: those of a and b)."""
    if mentions is None:
        mentions = speaker_mentions((a, b))
    la, lb = by_label(a.spans), by_label(b.spans)
    exact, overlap, matched_pairs = {}, {}, []
    quotes_matched = attribution_agreed = equivalent = choice_pairs = choice_dis = unmatched = 0
    for label in set(la) | set(lb):
        sa, sb = la.get(label, []), lb.get(label, [])
        total = len(sa) + len(sb)
        ex = match_spans(sa, sb, "exact")
        ov = match_spans(sa, sb, "overlap")
        exact[label] = (len(ex), total)
        overlap[label] = (len(ov), total)
        unmatched += total - 2 * len(ov)
        for i, j in ov:
            s, t = sa[i], sb[j]
            matched_pairs.append((s, t))
            for f in CHOICE_FIELDS:
                if s.get(f) is not None or t.get(f) is not None:
                    choice_pairs += 1
                    choice_dis += s.get(f) != t.get(f)
            if label == "Quote":
                quotes_matched += 1
                ca, cb = speaker_chain(a, s["id"]), speaker_chain(b, t["id"])
                if same_speaker(ca, cb):
                    attribution_agreed += 1
                    equivalent += 1
                elif equivalent_speaker(ca, cb, mentions):
                    equivalent += 1
    result = PairResult(exact, overlap, quotes_matched, attribution_agreed, equivalent,
                        choice_pairs, choice_dis, unmatched)
    return result, matched_pairs


def alpha_units(versions: list[Version], label: str, choice: str) -> list[dict[str, int]]:
    """Units for alpha: each span cluster (overlap-matched across annotators) -> value counts.

    Annotators are folded in one at a time; each span joins the unit whose spans it overlaps
    best (one span per annotator per unit) or starts a new unit.
    """
    units: list[list[dict]] = []
    for v in versions:
        spans = [s for s in v.spans if s["label"] == label]
        reps = [u[0] for u in units]
        pairs = match_spans(spans, reps, "overlap")
        taken = set()
        for i, j in pairs:
            units[j].append(spans[i])
            taken.add(i)
        units.extend([s] for i, s in enumerate(spans) if i not in taken)
    out = []
    for unit in units:
        counts: dict[str, int] = defaultdict(int)
        for s in unit:
            if s.get(choice) is not None:
                counts[s[choice]] += 1
        if sum(counts.values()) >= 2:
            out.append(dict(counts))
    return out


def unit_key(unit: dict[str, int]) -> tuple[tuple[str, int], ...]:
    """A unit's value counts as a hashable key, for tallying equal units."""
    return tuple(sorted(unit.items()))


def krippendorff_alpha(units: Iterable[dict[str, int]] | Counter) -> float | None:
    """Nominal Krippendorff's alpha over units of value counts; None when it is undefined.

    `units` is a list of value-count dicts, or a Counter of `unit_key`s (how many units have
    those counts), which is what `compute_agreement` keeps: however many tasks, the distinct
    units are few. The computation is the `krippendorff` package's (`alpha(value_counts=...,
    level_of_measurement="nominal")`: coincidences, expected coincidences, nominal distances)
    with each distinct unit's coincidences weighted by its count.
    """
    import numpy as np

    tally = units if isinstance(units, Counter) else Counter(unit_key(u) for u in units)
    values = sorted({v for key in tally for v, _ in key})
    if not tally or len(values) < 2:
        # One value everywhere (or nothing to compare): no expected disagreement, alpha
        # is 0/0. Reported as None rather than a made-up 1.0.
        return None
    counts = np.array([[dict(key).get(v, 0) for v in values] for key in tally], dtype=float)
    weights = np.array(list(tally.values()), dtype=float)
    size = len(values)
    pairable = np.maximum(counts.sum(axis=1), 2)
    diagonals = counts[:, np.newaxis, :] * np.eye(size)[np.newaxis, ...]
    per_unit = np.divide(counts[..., np.newaxis] * counts[:, np.newaxis, :] - diagonals,
                         (pairable - 1).reshape((-1, 1, 1)))
    observed = (per_unit * weights.reshape((-1, 1, 1))).sum(axis=0)
    n_v = observed.sum(axis=0)
    expected = np.divide(np.outer(n_v, n_v) - np.diagflat(n_v), n_v.sum() - 1)
    distance = 1.0 - np.eye(size)
    return round(float(1 - (observed * distance).sum() / (expected * distance).sum()), 4)


# --------------------------------------------------------------------------- report


class MostDisputed:
    """The `top` most disputed tasks seen so far (lowest overlap F1, then most disagreements,
    then task id; ties in arrival order), without keeping the others: what sorting every
    disputed task and taking the first `top` gives. A negative `top` keeps all but the last
    -top, as a slice would, and so has to keep them all."""

    def __init__(self, top: int):
        self.top = top
        self._kept: list[tuple[tuple, int, dict]] = []
        self._seen = 0

    @staticmethod
    def score(d: dict) -> tuple:
        f1 = d["overlap_f1"] if d["overlap_f1"] is not None else 1.0
        return (f1, -(d["unmatched_spans"] + d["choice_disagreements"]
                      + d["attribution_disagreements"]), str(d["task_id"]))

    def add(self, d: dict) -> None:
        self._kept.append((self.score(d), self._seen, d))
        self._seen += 1
        if self.top >= 0 and len(self._kept) > 2 * self.top + 64:
            self._kept = sorted(self._kept, key=lambda x: x[:2])[:self.top]

    def items(self) -> list[dict]:
        return [d for *_, d in sorted(self._kept, key=lambda x: x[:2])][:self.top]


class ChangedByOthers:
    """Annotations someone other than their annotator changed (`gold.changed_by`): Label
    Studio opens a task on its latest annotation, whoever made it, and a second annotator's
    Update lands in the first one's annotation, so two opinions became one. Counted, with the
    first few task ids, so that a lead learns why a task has one version where two people worked."""

    SHOWN = 10

    def __init__(self):
        from .gold import changed_by  # (agreement reads gold lazily, as canonical() does)

        self._changed_by = changed_by
        self.annotations, self.tasks, self.task_ids = 0, 0, []

    def add(self, task: dict) -> None:
        n = sum(1 for a in task.get("annotations") or ()
                if not a.get("was_cancelled") and self._changed_by(a) is not None)
        if n:
            self.annotations += n
            self.tasks += 1
            if len(self.task_ids) < self.SHOWN:
                self.task_ids.append(task.get("id"))

    def as_dict(self) -> dict:
        return {"annotations": self.annotations, "tasks": self.tasks, "task_ids": self.task_ids}


def changed_note(changed: dict | None) -> str:
    """A line for the terminal about annotations changed by someone else, or ''."""
    if not changed or not changed.get("annotations"):
        return ""
    ids = ", ".join(str(i) for i in changed["task_ids"])
    more = ", …" if changed["tasks"] > len(changed["task_ids"]) else ""
    return (f"Note: {changed['annotations']} annotation(s) on {changed['tasks']} task(s) (task {ids}{more}) were "
            "changed by someone other than their annotator: Label Studio opens a task on its latest annotation "
            "and Update changes that one, so each counts as one version, its annotator's. For two opinions, each "
            "person adds their own annotation (the + tab above the text) or works in a blind project "
            "(`annotate push --annotators`).")


def _pair_key(x: str, y: str) -> tuple[str, str]:
    return (x, y) if x <= y else (y, x)


def compute_agreement(tasks: Iterable, names: dict | None = None, top: int = 10,
                      warn: Callable[[str], None] | Problems | None = None) -> dict:
    """The agreement report for exported tasks, as a JSON-ready dict.

    `names` maps user ids to display names (emails) when the export only has ids. `top` is
    how many of the most disputed tasks to list. With fewer than two annotators on every
    task the report has `"status": "needs_two_annotators"` and no figures. Each task is
    checked first (`clean_task`): what is broken is left out or ignored, `warn` is told
    (default: stderr), and `problems` counts it.
    """
    problems, mine = problems_for(warn)
    before = problems.count
    try:
        return _compute_agreement(clean_tasks(tasks, problems), distinct_names(names), top, problems, before)
    finally:
        if mine:
            problems.close()


def _compute_agreement(tasks: Iterable[dict], names: dict | None, top: int, problems: Problems,
                       before: int) -> dict:
    label_exact = defaultdict(Counts)
    label_overlap = defaultdict(Counts)
    pair_exact = defaultdict(Counts)
    pair_overlap = defaultdict(Counts)
    pair_label = defaultdict(lambda: defaultdict(Counts))
    pair_tasks = defaultdict(int)
    annot = defaultdict(lambda: {"tasks": 0, "spans": 0, "lead": Mean(), "exact": Counts(),
                                 "overlap": Counts()})
    alpha_data = {f: Counter() for f in ALPHA_FIELDS}
    quotes_matched = attribution_agreed = speaker_equivalent = 0
    n_tasks = n_multi = n_annotations = n_disputed = 0
    disputed = MostDisputed(top)
    changed = ChangedByOthers()
    for task in tasks:
        n_tasks += 1
        changed.add(task)
        versions = versions_of(task, names)
        n_annotations += len(versions)
        if len(versions) < 2:
            continue
        n_multi += 1
        for v in versions:
            row = annot[v.annotator]
            row["tasks"] += 1
            row["spans"] += len(v.spans)
            if v.lead_time is not None:
                row["lead"].add(float(v.lead_time))
        task_overlap, task_exact = Counts(), Counts()
        task_choice = task_attr = task_unmatched = 0
        mentions = speaker_mentions(versions)
        for a, b in combinations(versions, 2):
            pr, _ = compare_pair(a, b, mentions)
            key = _pair_key(a.annotator, b.annotator)
            pair_tasks[key] += 1
            for label, (m, n) in pr.exact.items():
                label_exact[label].add(m, n)
                task_exact.add(m, n)
                pair_exact[key].add(m, n)
                for who in (a, b):
                    annot[who.annotator]["exact"].add(m, n)
            for label, (m, n) in pr.overlap.items():
                label_overlap[label].add(m, n)
                pair_overlap[key].add(m, n)
                pair_label[key][label].add(m, n)
                task_overlap.add(m, n)
                for who in (a, b):
                    annot[who.annotator]["overlap"].add(m, n)
            quotes_matched += pr.quotes_matched
            attribution_agreed += pr.attribution_agreed
            speaker_equivalent += pr.speaker_equivalent
            task_choice += pr.choice_disagreements
            task_attr += pr.quotes_matched - pr.attribution_agreed
            task_unmatched += pr.unmatched
        for choice, label in ALPHA_FIELDS.items():
            alpha_data[choice].update(unit_key(u) for u in alpha_units(versions, label, choice))
        # Spans that do not all match exactly, or differing choices, already make a dispute;
        # only otherwise is the full comparison (relations too) needed.
        spans_agree = task_exact.matched * 2 == task_exact.spans and task_choice == 0
        if not spans_agree or len({canonical(v) for v in versions}) > 1:
            f1 = task_overlap.f1
            n_disputed += 1
            disputed.add({
                "task_id": task.get("id"), "doc": task_label(task),
                "annotators": [v.annotator for v in versions],
                "overlap_f1": f1, "unmatched_spans": task_unmatched,
                "choice_disagreements": task_choice,
                "attribution_disagreements": task_attr,
            })
    if n_multi == 0:
        return {"status": "needs_two_annotators", "message": NEEDS_TWO,
                "tasks": {"total": n_tasks, "annotations": n_annotations, "compared": 0},
                "changed_by_others": changed.as_dict(), "problems": problems.count - before}

    micro_exact, micro_overlap = Counts(), Counts()
    for c in label_exact.values():
        micro_exact.add(c.matched, c.spans)
    for c in label_overlap.values():
        micro_overlap.add(c.matched, c.spans)
    labels_present = [lb for lb in LABELS] + sorted(set(label_exact) - set(LABELS))
    return {
        "status": "ok",
        "tasks": {"total": n_tasks, "annotations": n_annotations, "compared": n_multi,
                  "disputed": n_disputed, "agreed": n_multi - n_disputed},
        "micro": {"exact": micro_exact.as_dict(), "overlap": micro_overlap.as_dict()},
        "labels": {lb: {"exact": label_exact[lb].as_dict(), "overlap": label_overlap[lb].as_dict()}
                   for lb in labels_present},
        "pairs": [
            {"a": k[0], "b": k[1], "tasks": pair_tasks[k], "exact_f1": pair_exact[k].f1,
             "overlap_f1": pair_overlap[k].f1,
             "labels": {lb: pair_label[k][lb].f1 for lb in labels_present}}
            for k in sorted(pair_tasks)
        ],
        "attribution": {
            "matched_quotes": quotes_matched, "agreed": attribution_agreed,
            "agreement": round(attribution_agreed / quotes_matched, 4) if quotes_matched else None,
        },
        "speaker_equivalent": {
            "matched_quotes": quotes_matched, "agreed": speaker_equivalent,
            "agreement": round(speaker_equivalent / quotes_matched, 4) if quotes_matched else None,
        },
        "alpha": {
            choice: {"label": label, "alpha": krippendorff_alpha(alpha_data[choice]),
                     "units": alpha_data[choice].total(),
                     "values": sum(sum(c for _, c in key) * n for key, n in alpha_data[choice].items())}
            for choice, label in ALPHA_FIELDS.items()
        },
        "annotators": [
            {"annotator": name, "tasks": row["tasks"], "spans": row["spans"],
             "mean_lead_time": row["lead"].rounded(),
             "exact_f1": row["exact"].f1, "overlap_f1": row["overlap"].f1}
            for name, row in sorted(annot.items())
        ],
        "disputed": disputed.items(),
        "changed_by_others": changed.as_dict(),
        "problems": problems.count - before,
    }


# --------------------------------------------------------------------------- terminal


def _fmt(x) -> str:
    """A table cell: 3 decimals for floats, '-' for missing, text made terminal-safe (it can
    come from the export: an email, a doc_id) and kept on one line."""
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.3f}"
    return printable(str(x)).replace("\n", "\\n").replace("\t", "\\t")


def table(headers: list[str], rows: list[list]) -> str:
    """A plain aligned text table: numbers right-aligned, text left-aligned; cells and
    headers are made terminal-safe (`_fmt`)."""
    headers = [_fmt(h) for h in headers]
    cells = [[_fmt(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
              for i, h in enumerate(headers)]
    numeric = [i > 0 and all(isinstance(r[i], (int, float)) or r[i] is None for r in rows)
               for i in range(len(headers))]

    def line(r):
        return "  ".join(c.rjust(w) if num else c.ljust(w)
                         for c, w, num in zip(r, widths, numeric, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in cells])


def format_agreement(report: dict) -> str:
    """The agreement report as terminal text (export-provided names escaped: `redact.printable`)."""
    return printable(_format_agreement(report))


def _format_agreement(report: dict) -> str:
    note = changed_note(report.get("changed_by_others"))
    if report["status"] != "ok":
        return "\n".join(filter(None, [report["message"], note]))
    t = report["tasks"]
    parts = [
        f"Tasks compared: {t['compared']} of {t['total']} "
        f"(agreed {t['agreed']}, disputed {t['disputed']}), annotations: {t['annotations']}",
        "",
        "Span agreement (pairwise F1)",
        table(["label", "exact", "overlap", "spans"],
              [[lb, v["exact"]["f1"], v["overlap"]["f1"], v["overlap"]["spans"]]
               for lb, v in report["labels"].items()]
              + [["micro", report["micro"]["exact"]["f1"], report["micro"]["overlap"]["f1"],
                  report["micro"]["overlap"]["spans"]]]),
        "",
        "Annotator pairs",
        table(["pair", "tasks", "exact", "overlap"] + [f"{lb} (overlap)" for lb in report["labels"]],
              [[f"{p['a']} / {p['b']}", p["tasks"], p["exact_f1"], p["overlap_f1"]]
               + list(p["labels"].values()) for p in report["pairs"]]),
        "",
    ]
    att = report["attribution"]
    parts.append(f"Attribution: {att['agreed']} of {att['matched_quotes']} matched quotes "
                 f"said by the same speaker ({_fmt(att['agreement'])})")
    eq = report.get("speaker_equivalent")
    if eq is not None:
        parts.append(f"Speaker equivalence: {eq['agreed']} of {eq['matched_quotes']} matched quotes "
                     f"said by the same person, name forms counted as one ({_fmt(eq['agreement'])})")
    for choice, a in report["alpha"].items():
        parts.append(f"Krippendorff's alpha {choice}: {_fmt(a['alpha'])} "
                     f"(over {a['units']} {a['label']} spans marked by two or more annotators, "
                     f"{a['values']} values)")
    parts += ["", "Annotators",
              table(["annotator", "tasks", "spans", "mean lead s", "exact", "overlap"],
                    [[a["annotator"], a["tasks"], a["spans"], a["mean_lead_time"],
                      a["exact_f1"], a["overlap_f1"]] for a in report["annotators"]])]
    if report["disputed"]:
        parts += ["", "Most disputed tasks",
                  table(["doc", "task", "overlap", "unmatched", "choices", "speakers"],
                        [[d["doc"], d["task_id"], d["overlap_f1"], d["unmatched_spans"],
                          d["choice_disagreements"], d["attribution_disagreements"]]
                         for d in report["disputed"]])]
    if note:
        parts += ["", note]
    return "\n".join(parts)

