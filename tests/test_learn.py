"""The learned quote stage (annotate.learn): train on a tiny brat corpus + gold.jsonl made here,
deterministic with a seed, and its predictions keep the accept-unchanged invariant."""

from __future__ import annotations

import json
import pickle
import re

import pytest

from annotate.accept import accepted_export
from annotate.converters import MODEL_VERSION, annotate_text, convert_text
from annotate.errors import UsageError
from annotate.learn import load_model, train_model
from annotate.learn.data import parse_ann_contents, read_sources
from annotate.pull import build_dataset, export_items
from annotate.validate import check_prediction_task

from .conftest import SEEDS

NAMES = ["Maria Lopez", "John Carter", "the ministry", "Senator Blake", "Ana Ruiz", "the mayor"]
CLAIMS = ["the bridge would reopen next week", "taxes were too high", "the plan had failed",
          "talks with the union were going well", "the budget was balanced", "crime had fallen sharply"]


def _article(k: int) -> tuple[str, list[tuple[int, int]]]:
    """A short article and its gold Content spans (indirect after 'said that', and a direct quote)."""
    parts: list[str] = [f"Report number {k}."]  # every article differs (the same text twice trains once)
    spans: list[tuple[int, int]] = []
    pos = len(parts[0]) + 1
    for j in range(3):
        name, claim = NAMES[(k + j) % len(NAMES)], CLAIMS[(k * 2 + j) % len(CLAIMS)]
        if j % 2 == 0:
            head = f"{name} said on Monday that "
            spans.append((pos + len(head), pos + len(head) + len(claim)))
            sentence = f"{head}{claim}."
        else:
            quote = f"“We think {claim},”"
            spans.append((pos, pos + len(quote)))
            sentence = f"{quote} {name} told reporters."
        parts.append(sentence)
        pos += len(sentence) + 1
    return "\n".join(parts) + "\n", spans


def write_brat(root, docs, annotator: str = "a"):
    """A brat corpus in the PolNeAR layout under `root`: for each (name, text, contents) of
    `docs`, text/<name>.txt and attributions/<name>_<annotator>.ann with a Content a quote (a
    quote: its fragments, (start, end) pairs). Returns `root`."""
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    for name, text, contents in docs:
        lines = [f"T{i}\tContent " + ";".join(f"{s} {e}" for s, e in frags) + "\t" + " ".join(text[s:e] for s, e in frags)
                 for i, frags in enumerate(contents, 1)]
        (root / "text" / f"{name}.txt").write_text(text, encoding="utf-8")
        (root / "attributions" / f"{name}_{annotator}.ann").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def article_docs(ks) -> list[tuple[str, str, list]]:
    """write_brat's (name, text, contents) of the invented articles `ks` ("doc<k>"), each gold
    span a Content of one fragment."""
    docs = []
    for k in ks:
        text, spans = _article(k)
        docs.append((f"doc{k}", text, [[span] for span in spans]))
    return docs


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    root = tmp_path_factory.mktemp("learn")
    brat = write_brat(root / "brat", article_docs(range(8)), "ann1")
    gold = root / "gold.jsonl"
    with gold.open("w", encoding="utf-8") as fh:
        for k in range(8, 12):
            text, spans = _article(k)
            record = {"id": f"g{k}", "text": text,
                      "spans": [{"id": f"q{s}-{e}", "label": "Quote", "start": s, "end": e, "text": text[s:e]}
                                for s, e in spans]}
            fh.write(json.dumps(record) + "\n")
    return root, brat, gold


@pytest.fixture(scope="module")
def model_dir(sources):
    root, brat, gold = sources
    out = root / "model"
    train_model([str(brat), str(gold)], out, seed=7, dev_fraction=0.25, params={"max_iterations": 30})
    return out


def test_both_kinds_of_source_are_read_with_their_quotes(sources):
    _, brat, gold = sources
    docs, infos = read_sources([str(brat), str(gold)])
    assert [i.kind for i in infos] == ["brat", "gold"]
    assert [i.docs for i in infos] == [8, 4]
    assert all(len(d.quotes) == 3 for d in docs)  # three sentences, one quote each
    text, spans = _article(0)
    assert docs[0].text == text and docs[0].quotes == spans


def test_a_content_in_fragments_is_one_quote_from_its_first_fragment_to_its_last():
    # brat cuts a span at a line break; PolNeAR stores "“A,” she said, “B.”" as one Content in
    # two fragments, and the shared scorer reads it from the first fragment's start to the last's end
    text = "He said “one\ntwo,” she said, “three.”"
    ann = "T1\tContent 8 12;13 18\tone two\nT2\tContent 8 18;29 37\tx\nT3\tSource 0 2\the\n"
    assert parse_ann_contents(ann, text) == [(8, 18), (8, 37)]


def test_two_trainings_with_one_seed_give_identical_model_files(sources, model_dir, tmp_path):
    _, brat, gold = sources
    again = tmp_path / "again"
    card = train_model([str(brat), str(gold)], again, seed=7, dev_fraction=0.25, params={"max_iterations": 30})
    assert (again / "model.crfsuite").read_bytes() == (model_dir / "model.crfsuite").read_bytes()
    first = json.loads((model_dir / "model.json").read_text())
    assert card["model_sha256"] == first["model_sha256"]
    assert card["seed"] == 7 and card["train_docs"] + card["dev_docs"] == 12
    assert [s["docs"] for s in card["sources"]] == [8, 4]
    assert card["dev_docs"] == 0 or card["dev_figures"]["learned"]["gold_quotes"] == 3 * card["dev_docs"]


def test_the_model_version_names_the_model_file(model_dir):
    import hashlib

    model = load_model(model_dir)
    digest = hashlib.sha256((model_dir / "model.crfsuite").read_bytes()).hexdigest()
    assert re.fullmatch(r"annotate-learned-[0-9a-f]{12}", model.version)
    assert model.version == "annotate-learned-" + digest[:12]
    assert pickle.loads(pickle.dumps(model)) is model  # a worker process loads it once from its dir


def test_predictions_with_the_model_accepted_unchanged_are_gold(model_dir):
    model = load_model(model_dir)
    tasks = [convert_text(p.read_text(encoding="utf-8"), doc_id=p.stem, model=model)
             for p in sorted(SEEDS.glob("*.txt"))]
    tasks.append(annotate_text(_article(3)[0], model=model))
    for task in tasks:
        assert task["predictions"][0]["model_version"] == model.version
        assert check_prediction_task(task) == []
        quotes = [r for r in task["predictions"][0]["result"]
                  if r["type"] == "labels" and r["value"]["labels"] == ["Quote"]]
        scores = [r["score"] for r in quotes]
        assert task["predictions"][0]["score"] == (min(scores) if scores else 1.0)
    summary = build_dataset(export_items(accepted_export(tasks)), None, source={}, dry_run=True)
    assert summary.counts.rejected == 0, summary.lines()
    assert summary.counts.gold == len(tasks)


def test_without_a_model_the_rules_output_is_unchanged():
    raw = (SEEDS / sorted(p.name for p in SEEDS.glob("*.txt"))[0]).read_text(encoding="utf-8")
    plain = convert_text(raw, doc_id="x")
    assert plain["predictions"][0]["model_version"] == MODEL_VERSION
    assert json.dumps(convert_text(raw, doc_id="x", model=None)) == json.dumps(plain)


class _Stub:
    """A Model whose decisions are given: P(merge), P(add) and the start by quote."""

    def __init__(self, merge=0.0, bounds=None, add=0.0, marked=None):
        from annotate.learn.model import THRESHOLDS, Model

        self.thresholds = dict(THRESHOLDS)
        self.version = "annotate-learned-000000000000"
        self.merge, self.bounds, self.add, self.marked = merge, bounds or {}, add, marked
        self._labels = frozenset({"m0", "m1", "s0", "s1", "a0", "a1"} | ({"q0", "q1"} if marked is not None else set()))
        if hasattr(Model, "_add"):
            self._add = Model._add.__get__(self)

    def _yes(self, item, yes, no):
        return {"T=a": self.add, "T=q": self.marked}.get(item[0], self.merge)

    def _start(self, text, q):
        return self.bounds.get((q["start"], q["end"]), q["start"]), 0.95


def _refine(stub, text, quotes):
    from annotate.learn.model import Model

    return Model.refine(stub, text, quotes)


def _quote(text, part, kind="direct", speaker=None, group=1):
    s = text.index(part)
    return {"start": s, "end": s + len(part), "quote_type": kind, "speaker": speaker, "score": 0.5,
            "group": group, "antecedent": None, "cue": "direct" if kind == "direct" else "say/after"}


INTERRUPTED = "“We will win,” she said, “and soon.” Then she left."


def test_an_interrupted_quote_the_model_takes_for_one_becomes_one_quote_with_its_speaker():
    speaker = (INTERRUPTED.index("she"), INTERRUPTED.index("she") + 3)
    quotes = [_quote(INTERRUPTED, "We will win,", speaker=speaker), _quote(INTERRUPTED, "and soon.", speaker=speaker)]
    [one] = _refine(_Stub(merge=0.93), INTERRUPTED, quotes)
    assert INTERRUPTED[one["start"]:one["end"]] == "We will win,” she said, “and soon."
    assert one["quote_type"] == "direct" and one["speaker"] == speaker
    assert one["score"] == 0.93  # its least sure decision: the merge (0.93; the start 0.95)
    apart = _refine(_Stub(merge=0.2), INTERRUPTED, quotes)
    assert [(q["start"], q["end"]) for q in apart] == [(q["start"], q["end"]) for q in quotes]


def test_a_direct_and_an_indirect_quote_are_never_merged():
    text = "“We will win,” she said, adding that the vote was close."
    quotes = [_quote(text, "We will win,"), _quote(text, "the vote was close", kind="indirect")]
    assert len(_refine(_Stub(merge=1.0), text, quotes)) == 2


def test_two_direct_quotes_are_not_merged_when_a_word_leads_into_the_second():
    """“A,” she said, “B.” may be one quote; a quoted phrase the sentence runs straight into
    ("urging them to “give him time.”") is a quote of its own, whatever the model says, and
    the model is not asked (the quotes keep the start's certainty)."""
    text = "“Let him decide,” said Biden, urging them to “give him time.” Then he left."
    quotes = [_quote(text, "“Let him decide,”", group=1), _quote(text, "“give him time.”", group=2)]
    out = _refine(_Stub(merge=1.0), text, quotes)
    assert [text[q["start"]:q["end"]] for q in out] == ["“Let him decide,”", "“give him time.”"]
    assert [q["score"] for q in out] == [0.95, 0.95]
    text = "“Let him decide,” said Biden, “give him time.” Then he left."
    quotes = [_quote(text, "“Let him decide,”", group=1), _quote(text, "“give him time.”", group=2)]
    [one] = _refine(_Stub(merge=1.0), text, quotes)
    assert text[one["start"]:one["end"]] == "“Let him decide,” said Biden, “give him time.”"


def test_the_model_drops_no_quote_and_adds_none_it_is_unsure_of():
    text = "He said the plan failed. She called it “a disaster” on Monday. “No,” he said."
    quotes = [_quote(text, "the plan failed", kind="indirect", group=1),
              _quote(text, "it “a disaster”", kind="mixed", group=2), _quote(text, "“No,”", group=3)]
    out = _refine(_Stub(merge=0.0), text, quotes)
    assert [text[q["start"]:q["end"]] for q in out] == ["the plan failed", "it “a disaster”", "“No,”"]
    assert [q["score"] for q in out] == [0.95, 0.95, 0.95]  # the start's certainty (no merge: 1 - 0.0)


def test_a_moved_start_gives_the_type_and_the_end_stays_the_rules():
    text = "Critics saw him as a “strongman” who would win. Others disagreed."
    q = _quote(text, "“strongman”")
    [out] = _refine(_Stub(bounds={(q["start"], q["end"]): text.index("a “strong")}), text, [q])
    assert text[out["start"]:out["end"]] == "a “strongman”"
    assert out["quote_type"] == "mixed"  # words outside the marks now


def test_a_start_moved_into_the_quote_before_goes_back_to_the_rules():
    text = "He said “the plan failed” and she said the vote was close."
    a = _quote(text, "“the plan failed”", group=1)
    b = _quote(text, "the vote was close", kind="indirect", group=2)
    into_a = {(b["start"], b["end"]): text.index("“the plan")}
    out = _refine(_Stub(bounds=into_a), text, [a, b])
    assert [text[q["start"]:q["end"]] for q in out] == ["“the plan failed”", "the vote was close"]
    assert out[1]["quote_type"] == "indirect"  # not "mixed", as the moved start had made it
    clear = {(b["start"], b["end"]): text.index("she said the")}
    out = _refine(_Stub(bounds=clear), text, [a, b])
    assert [text[q["start"]:q["end"]] for q in out] == ["“the plan failed”", "she said the vote was close"]


def test_the_model_looks_only_near_each_quote(model_dir):
    """Text far from every quote and without a cue word changes nothing: the cost grows with the
    quotes and the cue words, not the text."""
    from annotate.converters.quotes import find_quotes

    model = load_model(model_dir)
    text, _ = _article(5)
    pad = "Filler words without any quotation at all. " * 50
    near = model.refine(text + pad, find_quotes(text + pad))
    far = model.refine(text + pad * 40, find_quotes(text + pad * 40))
    assert near and [(q["start"], q["end"], q["score"]) for q in near] == [(q["start"], q["end"], q["score"]) for q in far]


def test_merges_of_two_direct_quotes_need_more_certainty_than_others():
    """A merge of two direct fragments costs a direct quote whenever the gold has them apart: it
    needs P 0.8 (chosen by cross-validation inside the training pool so that direct-quote recall
    stays at 0.98); two indirect quotes merge from 0.6."""
    speaker = (INTERRUPTED.index("she"), INTERRUPTED.index("she") + 3)
    quotes = [_quote(INTERRUPTED, "We will win,", speaker=speaker), _quote(INTERRUPTED, "and soon.", speaker=speaker)]
    assert len(_refine(_Stub(merge=0.65), INTERRUPTED, quotes)) == 2
    assert len(_refine(_Stub(merge=0.78), INTERRUPTED, quotes)) == 2
    assert len(_refine(_Stub(merge=0.82), INTERRUPTED, quotes)) == 1
    text = "He argued the plan had failed and, he added, the vote was close."
    indirect = [_quote(text, "the plan had failed", kind="indirect", group=1),
                _quote(text, "the vote was close", kind="indirect", group=2)]
    assert len(_refine(_Stub(merge=0.65), text, indirect)) == 1


ADDED = "The report is out. Senator Blake criticized the new tax plan for its cost to farmers. “No,” he said."


def test_the_model_adds_the_clause_after_a_cue_the_rules_left_with_the_rule_speaker():
    """'criticized' is a cue word with no rule quote near it: the clause after it becomes a quote
    when the model is sure enough, its speaker the noun phrase before the cue."""
    direct = _quote(ADDED, "“No,”", group=1)
    out = _refine(_Stub(add=0.9), ADDED, [direct])
    assert [ADDED[q["start"]:q["end"]] for q in out] == ["the new tax plan for its cost to farmers", "“No,”"]
    new = out[0]
    assert ADDED[slice(*new["speaker"])] == "Senator Blake"
    assert new["quote_type"] == "indirect" and new["score"] == 0.9 and new["cue"].endswith("/learned")
    assert new["group"] not in {q["group"] for q in out[1:]}
    assert [ADDED[q["start"]:q["end"]] for q in _refine(_Stub(add=0.2), ADDED, [direct])] == ["“No,”"]


def test_a_candidate_runs_to_its_sentence_end_past_abbreviations_and_a_verb_outside_the_lexicon_is_a_cue():
    from annotate.learn.features import cue_candidates

    text = "Mr. Trump has disparaged immigrants from the U.S. and Mexico. Then he left."
    [c] = cue_candidates(text, [])  # "disparaged" is in no cue list: a past tense verb with a speaker
    assert text[c["start"]:c["end"]] == "immigrants from the U.S. and Mexico"
    assert text[slice(*c["speaker"])] == "Mr. Trump"
    text = "Senator Blake cosponsors the bill on farm subsidies. It passed."
    [c] = cue_candidates(text, [])  # nor is "cosponsors": a present tense verb after a word
    assert text[c["start"]:c["end"]] == "the bill on farm subsidies" and c["cue"] == "cosponsors/learned"


def test_no_quote_is_added_next_to_a_rule_quote_nor_after_a_verb_outside_the_lexicon_without_a_speaker():
    lone = "Lately, shelved for its cost, the bill is stuck in the state senate."
    assert _refine(_Stub(add=1.0), lone, []) == []  # "shelved": no cue word, and no noun phrase before it
    text = "Senator Blake criticized the plan, saying it would cost farmers a great deal."
    q = _quote(text, "it would cost farmers a great deal", kind="indirect")
    out = _refine(_Stub(add=1.0), text, [q])  # "criticized" is within 40 characters of the rule quote
    assert [(x["start"], x["end"]) for x in out] == [(q["start"], q["end"])]


def test_a_cue_word_without_a_speaker_before_it_proposes_a_quote_without_a_speaker():
    """"criticized" is a cue word; no noun phrase before it reads as a speaker: the clause after it
    is still a candidate (the model has a feature for the missing speaker), added without one."""
    lone = "Lately, criticized for its cost, the bill is stuck in the state senate."
    [q] = _refine(_Stub(add=0.9), lone, [])
    assert lone[q["start"]:q["end"]] == "for its cost, the bill is stuck in the state senate"
    assert q["speaker"] is None and q["score"] == 0.9
    assert _refine(_Stub(add=0.5), lone, []) == []  # below the add threshold (0.6)


def test_added_quotes_keep_the_accept_unchanged_invariant(model_dir):
    from annotate.learn.features import cue_candidates

    text = ("Senator Blake criticized the new tax plan for its cost to farmers. The mayor praised the "
            "bridge crews for their speed. “We will win,” she said.\n")
    model = load_model(model_dir)
    saved = model.thresholds
    model.thresholds = dict(saved, add=0.0)  # every candidate is added (the loaded model is shared: restored below)
    try:
        assert len(cue_candidates(text, [])) == 2
        task = convert_text(text, doc_id="added", model=model)
    finally:
        model.thresholds = saved
    quotes = [r for r in task["predictions"][0]["result"] if r.get("value", {}).get("labels") == ["Quote"]]
    assert len(quotes) == 3
    assert check_prediction_task(task) == []
    summary = build_dataset(export_items(accepted_export([task])), None, source={}, dry_run=True)
    assert summary.counts.rejected == 0, summary.lines()
    assert summary.counts.gold == 1


def _corpus(root, stored_as_one: bool):
    """Articles with interrupted quotes: in brat as one two-fragment Content, or as two Contents."""
    docs = []
    for k in range(12):
        name, claim = NAMES[k % len(NAMES)], CLAIMS[k % len(CLAIMS)]
        text = f"Story {k}.\n“We think {claim},” {name} said, “and we will say so.”\nThe end.\n"
        a = text.index("“We")
        a_end = text.index(",” ") + 2
        b = text.index("“and")
        b_end = len(text) - len("\nThe end.\n")
        contents = [[(a, a_end), (b, b_end)]] if stored_as_one else [[(a, a_end)], [(b, b_end)]]
        docs.append((f"d{k}", text, contents))
    return write_brat(root, docs)


@pytest.mark.parametrize("stored_as_one", [True, False])
def test_the_model_learns_whether_its_gold_joins_interrupted_quotes(tmp_path, stored_as_one):
    brat = _corpus(tmp_path / "brat", stored_as_one)
    train_model([str(brat)], tmp_path / "m", dev_fraction=0, params={"max_iterations": 50})
    text = "Story 99.\n“We think the port is too small,” Ana Ruiz said, “and we will say so.”\nThe end.\n"
    from annotate.converters.quotes import find_quotes

    rules = find_quotes(text)
    assert len(rules) == 2  # the rules give one Quote per fragment (SPEC)
    out = load_model(tmp_path / "m").refine(text, rules)
    assert len(out) == (1 if stored_as_one else 2)
    assert out[0]["start"] == rules[0]["start"] and out[-1]["end"] == rules[-1]["end"]


@pytest.mark.parametrize("make, says", [
    (lambda p: p / "missing", "no such file or directory"),
    (lambda p: (p / "notes.txt").write_text("x") and p / "notes.txt", "not a gold.jsonl"),
    (lambda p: (p / "empty").mkdir() or p / "empty", "neither gold.jsonl nor a brat corpus"),
])
def test_a_bad_source_is_a_one_line_usage_error(tmp_path, make, says):
    source = make(tmp_path)
    with pytest.raises(UsageError) as info:
        train_model([str(source)], tmp_path / "out")
    assert says in str(info.value) and "\n" not in str(info.value)
    assert not (tmp_path / "out").exists()


def test_a_gold_file_that_is_not_gold_is_a_one_line_usage_error(tmp_path):
    bad = tmp_path / "gold.jsonl"
    bad.write_text('{"id": "a"}\n', encoding="utf-8")
    with pytest.raises(UsageError, match="line 1: not a gold record") as info:
        train_model([str(bad)], tmp_path / "out")
    assert "\n" not in str(info.value)


def test_a_model_of_an_older_feature_set_is_a_one_line_usage_error(model_dir, tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    (old / "model.crfsuite").write_bytes((model_dir / "model.crfsuite").read_bytes())
    card = json.loads((model_dir / "model.json").read_text())
    (old / "model.json").write_text(json.dumps(dict(card, feature_set="3")), encoding="utf-8")  # the previous set
    with pytest.raises(UsageError, match="older annotate .*train it again") as info:
        load_model(old)
    assert "\n" not in str(info.value)


def test_a_directory_without_a_model_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no model.crfsuite"):
        load_model(tmp_path)


def test_cli_train_then_convert_with_the_model(sources, tmp_path):
    """The three-command recipe's last two steps through the CLI: train, then convert --model."""
    from click.testing import CliRunner

    from annotate.cli import cli

    _, brat, gold = sources
    out = tmp_path / "model"
    result = CliRunner().invoke(cli, ["train", str(brat), str(gold), "-o", str(out), "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "Trained annotate-learned-" in result.output
    card = json.loads((out / "model.json").read_text())
    text, _ = _article(20)
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    tasks = tmp_path / "tasks.jsonl"
    result = CliRunner().invoke(cli, ["convert", str(tmp_path / "a.txt"), "--model", str(out), "-o", str(tasks)])
    assert result.exit_code == 0, result.output
    [task] = [json.loads(line) for line in tasks.read_text().splitlines()]
    assert task["predictions"][0]["model_version"] == card["model_version"]
    bad = CliRunner().invoke(cli, ["convert", str(tmp_path / "a.txt"), "--model", str(tmp_path), "-o", "-"])
    assert bad.exit_code == 2


# (a quoted phrase no rule quote holds: converter 0.3.18 reads "labeled the hearing a “witch hunt”"
# as an attribution of its own, so the phrase is said without a cue here)
SCARE = "To Democrats the hearing was a “witch hunt” on Monday. “It is over,” Senator Blake said."


def test_a_quoted_phrase_no_rule_quote_holds_is_added_without_a_speaker_when_the_model_is_sure():
    """“witch hunt” is in quote marks, in no rule quote and no speaker: a candidate quote of its
    own (PolNeAR annotates such phrases); it has no speaker in the rule stage, so none is given."""
    speaker = (SCARE.index("Senator"), SCARE.index(" said"))
    direct = _quote(SCARE, "“It is over,”", speaker=speaker, group=1)
    out = _refine(_Stub(marked=0.9), SCARE, [direct])
    assert [SCARE[q["start"]:q["end"]] for q in out] == ["“witch hunt”", "“It is over,”"]
    new = out[0]
    assert new["speaker"] is None and new["quote_type"] == "direct" and new["score"] == 0.9
    assert new["group"] != direct["group"]
    assert [SCARE[q["start"]:q["end"]] for q in _refine(_Stub(marked=0.3), SCARE, [direct])] == ["“It is over,”"]


def test_a_quoted_phrase_inside_a_quote_or_a_speaker_is_no_candidate():
    from annotate.learn.features import mark_candidates

    text = "He said the hearing was a “witch hunt” and the “Freedom Caucus” chairman agreed. Then “go.”"
    inside = _quote(text, "the hearing was a “witch hunt”", kind="mixed")
    spans = [(inside["start"], inside["end"]), (text.index("the “Freedom"), text.index(" chairman"))]
    assert [text[c["start"]:c["end"]] for c in mark_candidates(text, spans)] == ["“go.”"]


def test_merge_features_tell_a_second_fragment_followed_by_its_own_cue():
    """“A,” she said. “B,” he added. — B ends with a comma and a cue follows: on the PolNeAR
    training pool 23 of 24 such pairs are two quotes in the gold, against about 1 in 20 otherwise."""
    from annotate.learn.features import merge_features

    text = "“We will win,” she said. “We are ready,” he added. “Go.” Then they left."
    a, b, c = _quote(text, "“We will win,”"), _quote(text, "“We are ready,”"), _quote(text, "“Go.”")
    ab = merge_features(text, a, b)
    assert "bend=," in ab and "bend|bafter=,|cue" in ab
    bc = merge_features(text, b, c)
    assert "bend=." in bc and "bend|bafter=.|w" in bc


def test_cue_candidates_scanned_only_far_from_rule_quotes_are_those_of_a_full_scan(monkeypatch):
    """The cue scan skips text within ADD_NEAR of a rule quote (a cue there is never a candidate):
    the candidates are the same as scanning the whole text, on every seed article."""
    from annotate.converters.quotes import find_quotes
    from annotate.learn import features

    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    texts.append("Senator Blake criticized the plan. " + "“No,” he said. " * 3 + "Mr. Trump has disparaged immigrants.")
    fast = [features.cue_candidates(t, find_quotes(t)) for t in texts]
    monkeypatch.setattr(features, "_gaps", lambda spans, size: [(0, size)])
    full = [features.cue_candidates(t, find_quotes(t)) for t in texts]
    assert fast == full
    assert sum(map(len, full)) >= 2


def test_added_quoted_phrases_keep_the_accept_unchanged_invariant(tmp_path):
    """A model trained on gold that holds quoted phrases adds them; accepted unchanged, the
    prediction is a valid gold record (an unattributed Quote)."""
    docs = []
    for k in range(12):
        name, claim = NAMES[k % len(NAMES)], CLAIMS[k % len(CLAIMS)]
        text = f"Story {k}.\nThe “{claim.split()[-1]} plan” is on the table since Monday.\n“We think {claim},” {name} said.\n"
        spans = [(text.index("“We"), text.index(",” ") + 2)]
        if k % 3:
            spans.append((text.index("“"), text.index(" is on")))
        docs.append((f"d{k}", text, [[span] for span in spans]))
    root = write_brat(tmp_path / "brat", docs)
    train_model([str(root)], tmp_path / "m", dev_fraction=0, params={"max_iterations": 50})
    model = load_model(tmp_path / "m")
    assert {"q0", "q1"} <= model._labels
    model.thresholds = dict(model.thresholds, add_marked=0.0)  # every quoted phrase is added
    task = convert_text(SCARE + "\n", doc_id="marked", model=model)
    texts = [r["value"]["text"] for r in task["predictions"][0]["result"] if r.get("value", {}).get("labels") == ["Quote"]]
    assert "“witch hunt”" in texts and len(texts) == 2
    assert check_prediction_task(task) == []
    summary = build_dataset(export_items(accepted_export([task])), None, source={}, dry_run=True)
    assert summary.counts.rejected == 0, summary.lines()


def test_a_direct_quote_opening_its_line_keeps_its_start_without_asking_the_model(model_dir):
    """On the PolNeAR training pool the start CRF moved none of 2,100 direct quotes whose opening
    mark begins the line: such a start is the rules', certain, and costs no CRF call."""
    from annotate.learn.features import fixed_start

    text = "Intro line.\n“We will win,” she said. He said “soon” then.\n"
    opening = _quote(text, "“We will win,”")
    inner = _quote(text, "“soon”")
    assert fixed_start(text, opening) and not fixed_start(text, inner)
    assert not fixed_start(text, dict(opening, quote_type="mixed"))
    model = load_model(model_dir)
    calls = []
    real = model._tagger

    class Counting:
        def __getattr__(self, name):
            calls.append(name)
            return getattr(real, name)

    model._tagger = Counting()
    try:
        assert model._start(text, opening) == (opening["start"], 1.0)
        assert calls == []
        model._start(text, inner)
        assert "tag" in calls
    finally:
        model._tagger = real


def test_threads_sharing_a_model_get_the_answers_of_one_thread(model_dir):
    """The backend's threads share one Model: each has its own tagger, so one thread's set()
    never lands between another's set() and tag() (it did: starts from another quote's window)."""
    import threading

    from annotate.converters.quotes import find_quotes

    model = load_model(model_dir)
    texts = [_article(k)[0] * 3 for k in range(6)]
    want = [model.refine(t, find_quotes(t)) for t in texts]
    got: dict[int, list] = {}

    def work(k):
        for _ in range(30):
            out = model.refine(texts[k], find_quotes(texts[k]))
            if out != want[k]:
                got[k] = out
                return

    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == {}


def test_topic_candidates_run_to_the_clause_end_and_skip_quotes_and_speakers():
    """The phrase after a word of saying or judging and a preposition, up to the first comma,
    stop or clause word ("because", "saying", ...), past "Mr." and "U.S."; none inside a span."""
    from annotate.learn.features import topic_candidates

    text = ("Sen. Jane Roe has been critical of Mr. Trump, saying he lied. Others called for change "
            "in the U.S. party. She spoke about how the plan failed because of costs. "
            "He said the critics of the tax were wrong.")
    found = [text[c["start"]:c["end"]] for c in topic_candidates(text, [])]
    assert found == ["Mr. Trump", "change in the U.S. party", "how the plan failed", "the tax were wrong"]
    speakers = [c["speaker"] and text[c["speaker"][0]:c["speaker"][1]] for c in topic_candidates(text, [])]
    assert speakers[:3] == ["Sen. Jane Roe", "Others", "She"]
    said = text.index("the critics")
    inside = [(said, len(text) - 1)]  # a rule quote holds "the critics of the tax were wrong"
    assert [text[c["start"]:c["end"]] for c in topic_candidates(text, inside)] == found[:3]
    assert topic_candidates("The bridge of the river is old.", []) == []  # "bridge": no word of saying


def _topics(root, marked: bool):
    """Articles where someone is critical of something: the phrase marked as a Content or not."""
    docs = []
    for k in range(16):
        name, other = NAMES[k % len(NAMES)], NAMES[(k + 2) % len(NAMES)]
        topic = ["the new budget", "the bridge plan", "tax increases", "the union deal"][k % 4]
        text = f"Story {k}.\n{name} has long been critical of {topic}.\n{other} left early.\n"
        s = text.index(topic)
        docs.append((f"d{k}", text, [[(s, s + len(topic))]] if marked else []))
    return write_brat(root, docs)


@pytest.mark.parametrize("marked", [True, False])
def test_the_model_learns_whether_its_gold_marks_what_a_statement_is_about(tmp_path, marked):
    from annotate.learn.model import THRESHOLDS

    brat = _topics(tmp_path / "brat", marked)
    train_model([str(brat)], tmp_path / "m", dev_fraction=0, params={"max_iterations": 50})
    text = "Story 99.\nThe mayor has long been critical of the port expansion.\nThen he left.\n"
    from annotate.converters.quotes import find_quotes

    rules = find_quotes(text)
    out = load_model(tmp_path / "m").refine(text, rules)
    topics = [text[q["start"]:q["end"]] for q in out if q["cue"] == "topic"]
    assert topics == (["the port expansion"] if marked else [])
    if marked:
        [q] = [q for q in out if q["cue"] == "topic"]
        assert q["quote_type"] == "indirect" and q["score"] >= THRESHOLDS["add_topic"]
        assert text[q["speaker"][0]:q["speaker"][1]] == "The mayor"  # the sentence's subject, as for a cue
