"""Unit tier: the fast paths pull runs on every task of an export say what the plain code says."""

import random
from collections import OrderedDict

from annotate.exportfile import _deeper_than
from annotate.labeling import is_int


def depth(value) -> int:
    """Levels of lists/objects, by plain recursion (a scalar is 0, [] is 1, [[1]] is 2)."""
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    return 0


def random_value(rng, levels):
    if levels <= 0 or rng.random() < 0.3:
        return rng.choice([1, "x", None, 2.5, True, [], {}, OrderedDict(), 10**30])
    r = rng.random()
    if r < 0.4:
        return [random_value(rng, levels - rng.randint(1, 2)) for _ in range(rng.randint(0, 4))]
    if r < 0.8:
        return {str(i): random_value(rng, levels - rng.randint(1, 2)) for i in range(rng.randint(0, 4))}
    return OrderedDict((str(i), random_value(rng, levels - 1)) for i in range(rng.randint(0, 3)))


def test_deeper_than_is_the_recursive_depth_compared_with_the_limit():
    rng = random.Random(7)
    for _ in range(3000):
        value = random_value(rng, rng.randint(0, 10))
        d = depth(value)
        for limit in (0, 1, 2, 3, 5, 8):
            assert _deeper_than(value, limit) is (d > limit), (value, limit)


def test_deeper_than_at_the_edges():
    nested = []
    for _ in range(64):  # 64 levels of lists: at the limit, not over it
        nested = [nested]
    assert depth(nested) == 65 and _deeper_than(nested, 65) is False and _deeper_than(nested, 64) is True
    assert _deeper_than("a string", 0) is False
    assert _deeper_than({}, 0) is True and _deeper_than({}, 1) is False
    assert _deeper_than(OrderedDict(a=OrderedDict(b=[1])), 2) is True  # dict subclasses are walked as objects


def test_is_int_is_an_int_and_not_a_bool():
    class Count(int):
        pass

    assert is_int(3) and is_int(-1) and is_int(10**30) and is_int(Count(2))
    assert not is_int(True) and not is_int(False) and not is_int(1.0) and not is_int("1") and not is_int(None)


# --- the annotation's result parsed once (check_record_result) -----------------------------------

def _seed_task() -> dict:
    """A seed article converted, its prediction accepted as the annotation (a valid task)."""
    import copy
    import hashlib
    from pathlib import Path

    from annotate import convert_text

    path = sorted((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))[0]
    task = convert_text(path.read_text(encoding="utf-8"), source_file=f"seeds/{path.name}")
    task["meta"]["text_sha256"] = hashlib.sha256(task["data"]["text"].encode()).hexdigest()
    task["annotations"] = [{"id": 1, "completed_by": 1, "result": copy.deepcopy(task["predictions"][0]["result"])}]
    return task


def _broken(rng: random.Random, result: list, text: str) -> list:
    """The result with one to three random breakages of the kinds an annotator or a hand edit makes."""
    import copy

    result = copy.deepcopy(result)
    for _ in range(rng.randint(1, 3)):
        if not result:
            break
        i = rng.randrange(len(result))
        item = result[i]
        value = item.get("value") if isinstance(item, dict) else None
        kind = rng.randrange(14)
        if kind == 0:
            del result[i]
        elif kind == 1:
            result.append(copy.deepcopy(item))
        elif kind == 2 and isinstance(value, dict) and "end" in value:
            value["end"] = len(text) + rng.randint(1, 9)  # out of range: the record's span text differs
        elif kind == 3 and isinstance(value, dict) and "start" in value:
            value["start"] = -rng.randint(1, 5)
        elif kind == 4 and isinstance(value, dict) and "start" in value:
            value["end"] = value["start"]
        elif kind == 5 and isinstance(value, dict):
            value["start"] = str(value.get("start"))
        elif kind == 6 and isinstance(value, dict) and "labels" in value:
            value["labels"] = rng.choice([["Person"], ["Quote", "Speaker"], [], "Quote", [1]])
        elif kind == 7 and isinstance(value, dict) and "choices" in value:
            value["choices"] = rng.choice([["maybe"], ["favor", "against"], [], "direct", ["Atlantis"]])
        elif kind == 8 and isinstance(item, dict):
            item["id"] = rng.choice(["ghost", "", None, 3])
        elif kind == 9 and isinstance(item, dict) and item.get("type") == "relation":
            item[rng.choice(["from_id", "to_id"])] = rng.choice(["ghost", item.get("from_id"), None])
        elif kind == 10 and isinstance(item, dict) and item.get("type") == "relation":
            item["labels"] = rng.choice([[], ["likes"], "said_by", ["refers_to"], None])
        elif kind == 11 and isinstance(item, dict):
            item[rng.choice(["from_name", "to_name", "type"])] = rng.choice(["polarity", "body", "textarea", None])
        elif kind == 12 and isinstance(value, dict) and isinstance(value.get("text"), str):
            value["text"] = rng.choice(["XX" + value["text"], " ".join(value["text"].split()) + "  "])
        elif kind == 13:
            result.insert(i, rng.choice(["x", 3, None, [1], {"type": "labels"}]))
    return result


def test_check_record_result_says_what_check_result_says():
    """pull checks the record's spans and relations (the annotation's result parsed once, by
    build_record) instead of parsing the result again: the same errors, on valid and broken
    results, including offsets outside the text where the record's span text is a shorter slice."""
    from annotate.gold import build_record
    from annotate.validate import check_record_result, check_result

    rng = random.Random(18)
    task = _seed_task()
    text = task["data"]["text"]
    good = task["annotations"][0]["result"]
    cases = [good] + [_broken(rng, good, text) for _ in range(400)]
    failing = 0
    for result in cases:
        annotation = {**task["annotations"][0], "result": result}
        record = build_record({**task, "annotations": [annotation]}, annotation)
        expected = check_result(result, text, record["targets"], path="/annotations/0/result")
        assert check_record_result(result, record, path="/annotations/0/result") == expected
        failing += bool(expected)
    assert not check_result(good, text, task["data"].get("targets") and [t["value"] for t in task["data"]["targets"]] or [])
    assert failing > 200  # most breakages are seen (some are harmless: a whitespace-collapsed value.text)


def test_edit_summary_matching_by_set_is_the_scan_it_replaced():
    """_compare marks a prediction region matched through a set, where it scanned
    mapping.values(): the same counts, duplicate region ids included."""
    from annotate.gold import _compare, _region_content, _region_key
    from annotate.labeling import parse_regions

    def scanned(p_spans, p_rels, a_spans, a_rels):  # the code before, verbatim
        from collections import Counter
        p_by_id = {s["id"]: s for s in p_spans}
        mapping, counts, unmatched = {}, Counter(kept=0, changed=0, deleted=0, added=0), []
        for s in a_spans:
            p = p_by_id.get(s["id"])
            if p is not None and p["id"] not in mapping.values():
                mapping[s["id"]] = p["id"]
            else:
                unmatched.append(s)
        free = {}
        for p in p_spans:
            if p["id"] not in mapping.values():
                free.setdefault(_region_key(p), []).append(p)
        for s in unmatched:
            candidates = free.get(_region_key(s))
            if candidates:
                mapping[s["id"]] = candidates.pop(0)["id"]
        a_by_id = {s["id"]: s for s in a_spans}
        for a_id, p_id in mapping.items():
            counts["kept" if _region_content(a_by_id[a_id]) == _region_content(p_by_id[p_id]) else "changed"] += 1
        counts["added"] = len(a_by_id) - len(mapping)
        counts["deleted"] = len(p_by_id) - len(set(mapping.values()))
        p_rel = {(r["from"], r["to"], r["type"]) for r in p_rels}
        a_rel = {(mapping.get(r["from"], "+" + r["from"]), mapping.get(r["to"], "+" + r["to"]), r["type"])
                 for r in a_rels}
        return {"spans": dict(counts),
                "relations": {"kept": len(p_rel & a_rel), "deleted": len(p_rel - a_rel), "added": len(a_rel - p_rel)}}

    rng = random.Random(5)
    task = _seed_task()
    text = task["data"]["text"]
    prediction = parse_regions(task["predictions"][0]["result"])
    for _ in range(300):
        annotation = parse_regions(_broken(rng, task["predictions"][0]["result"], text))
        assert _compare(*prediction, *annotation) == scanned(*prediction, *annotation)


def test_strings_is_a_non_empty_list_of_strings():
    from annotate.validate import _strings

    class Name(str):
        pass

    for value in (["a"], ["a", "b"], [Name("x")], ["a", Name("b")]):
        assert _strings(value)
    for value in ([], None, "a", ["a", 1], [None], [["a"]], ("a",), {"a": 1}):
        assert not _strings(value)


def test_parse_regions_reads_what_parse_result_reads():
    """parse_regions builds the spans without parse_result's Region/Relation objects: the same
    spans and relations, in the same order, on valid and broken results (duplicate ids, choices
    before their region, left relations, several labels)."""
    import copy

    from annotate.labeling import SPAN_FIELDS, UNATTRIBUTED, parse_regions, parse_result

    def through_parse_result(result):  # the code before, verbatim
        regions, relations = parse_result(result)
        spans = []
        for region in regions:
            span = {"id": region.id, "label": region.label, "start": region.start, "end": region.end}
            for name, value in region.choices.items():
                target = SPAN_FIELDS.get(name)
                if target == "unattributed":
                    if value == UNATTRIBUTED:
                        span["unattributed"] = True
                elif target is not None:
                    span[target] = value
            spans.append(span)
        return spans, [{"from": r.from_id, "to": r.to_id, "type": r.type} for r in relations]

    rng = random.Random(11)
    task = _seed_task()
    text = task["data"]["text"]
    good = task["predictions"][0]["result"]
    extra = [{"from_id": "a", "to_id": "b", "type": "relation", "direction": "left", "labels": ["said_by", "refers_to", 3]},
             {"id": good[0]["id"], "type": "labels", "from_name": "label", "to_name": "text",
              "value": {"start": 0, "end": 1, "labels": ["Quote"]}},
             {"id": "late", "type": "choices", "from_name": "polarity", "value": {"choices": ["favor"]}},
             {"id": "late", "type": "labels", "value": {"start": 5, "end": 9, "labels": ["Stance"]}},
             {"id": "u", "type": "choices", "from_name": "attribution", "value": {"choices": ["unattributed"]}},
             {"id": "u", "type": "labels", "from_name": "other", "value": {"start": 1, "end": 2, "labels": ["Quote"]}},
             {"id": "u", "type": "labels", "value": {"start": 1, "end": 2, "labels": ["Quote"]}},
             {"type": "labels", "value": None}, {"type": "choices", "id": "u", "from_name": "x", "value": []}]
    cases = [good, good + extra, "not a list", None, []]
    for _ in range(500):
        result = _broken(rng, good + rng.sample(extra, rng.randint(0, len(extra))), text)
        rng.shuffle(result)
        cases.append(result)
    for result in cases:
        before = copy.deepcopy(result)
        assert repr(parse_regions(result)) == repr(through_parse_result(result))  # key order too
        assert result == before
