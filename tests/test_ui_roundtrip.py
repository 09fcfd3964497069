"""Annotations made by a person in the real labeling UI, pulled back: what the frontend saves.

Every other test builds its annotation's result JSON itself and sends it through the API. Here
an annotator account (made the way `annotate users add` makes it) logs in to Label Studio in
headless Chromium and works as a person would: presses Submit on an untouched pre-annotated
task, changes a Quote's type and a Stance's polarity and target, deletes a region, draws a new
one with the mouse, draws a relation and picks its label, presses Update (twice), skips a task.
A second account opens a task the first one submitted and presses Update there. Then
`annotate pull` runs on the project and the gold record is checked against what the
prediction (the input the annotator saw) and the UI steps say it must be.

What the UI saves that API-made annotations in the other tests lack (checked here): `origin`
("prediction", "prediction-changed", "manual") on every region and choice item, the region's
`score` copied from the prediction, per-region choices as separate items sharing the region's
id, a random id for a region drawn by hand, `parent_prediction` on the annotation, a skip as an
annotation with `was_cancelled: true` holding the prediction's regions, and `updated_by` naming
whoever pressed Update last, who need not be `completed_by`.

Each scenario has a project of its own, so the tests do not depend on each other's order.
Screenshots of the key steps go to the test's tmp_path.
"""

from __future__ import annotations

import json
import uuid

import pytest

from annotate import studio as ls
from annotate.editreport import edit_report
from annotate.pull import pull
from annotate.push import push
from annotate.users import ensure_accounts

from .conftest import UI_TIMEOUT, wait_for_labeling

pytestmark = [pytest.mark.studio, pytest.mark.browser]

WIDTH, HEIGHT = 1600, 1000
PASSWORD = "ui-roundtrip-pw-1"

# Short articles, so each task renders quickly. The converter finds in them: quotes with their
# speakers (a pronoun or a short name linked by refers_to to the full name) and stances inside
# the quotes with a polarity and a target. The tests look the regions up by their text and say
# so when the converter no longer predicts what a scenario needs.
PESKOV = """Peskov on dialogue

Kremlin spokesman Dmitry Peskov spoke to reporters on Monday. "We are open to dialogue with the United States, but we will not accept sanctions," he said. "Moscow welcomes talks with Washington."

Ukrainian President Volodymyr Zelensky said the sanctions must stay. "We oppose any deal with Russia," Zelensky told parliament.
"""
BUDGET = """Budget row

Finance minister Anna Berg said on Tuesday that the budget would be balanced next year. "We reject the opposition's plan," she told the chamber.

Opposition leader Tom Hale criticised the government. "This budget is a disaster for families," Hale said.
"""

# Two targets of the project's own (named nowhere in the articles), so every Stance has a
# choice of target whatever the converter lists.
FIXED_TARGETS = ("public spending", "tax policy")


# --- accounts and pages ---------------------------------------------------------------------


def make_annotator(studio, name: str) -> dict:
    """A new account that can log in (annotate.users, as `annotate users add` makes it)."""
    email = f"{name}-{uuid.uuid4().hex[:6]}@example.org"
    [account] = ensure_accounts(studio.url, studio.token, [email], password=PASSWORD)
    assert account.created and account.id is not None
    return {"email": email, "id": account.id}


@pytest.fixture(scope="module")
def annotator(studio) -> dict:
    return make_annotator(studio, "ann")


def logged_in(browser, studio, who: dict):
    """A browser context logged in as `who` through Label Studio's login form."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    context.set_default_timeout(UI_TIMEOUT)
    page = context.new_page()
    page.goto(studio.url + "/user/login")
    page.fill("input[name=email]", who["email"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/user/login" not in url)
    whoami = page.evaluate("() => fetch('/api/current-user/whoami').then(r => r.json())")
    assert whoami["email"] == who["email"], whoami
    page.close()
    return context


@pytest.fixture(scope="module")
def ann(browser, studio, annotator):
    context = logged_in(browser, studio, annotator)
    yield context
    context.close()


def pushed(studio, tmp_path, name: str, text: str) -> tuple[int, dict]:
    """One article pushed into a project of its own: (project id, the task as exported)."""
    article = tmp_path / f"{name}.txt"
    article.write_text(text, encoding="utf-8")
    stats = push(studio.url, studio.token, [str(article)], f"UI round trip {name} {uuid.uuid4().hex[:6]}",
                 fixed_targets=FIXED_TARGETS)
    assert stats.created == 1, stats
    [task] = ls.export_tasks(ls.connect(studio.url, studio.token), stats.project_id)
    assert task["predictions"] and task["predictions"][0]["result"], "the converter predicted nothing"
    return stats.project_id, task


def open_task(context, studio, project_id: int, task: dict, path: str | None = None):
    """A new page on the task in the labeling UI, every predicted region drawn."""
    page = context.new_page()
    regions = sum(r["type"] == "labels" for r in task["predictions"][0]["result"])
    page.goto(studio.url + (path or f"/projects/{project_id}/data?task={task['id']}"))
    wait_for_labeling(page, regions)
    return page


def pull_one(studio, project_id: int, out) -> tuple[dict | None, list[dict], object]:
    """`annotate pull` on the project: (its one gold record or None, rejects, summary)."""
    summary = pull(project_id, out, url=studio.url, api_key=studio.token)
    gold = [json.loads(line) for line in (out / "gold.jsonl").read_text().splitlines()]
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text().splitlines()]
    assert len(gold) <= 1
    return (gold[0] if gold else None), rejects, summary


# --- what a result says, read here independently of annotate's parser -------------------------

CHOICE_KEYS = {"quote_type": "quote_type", "polarity": "polarity", "target": "target"}


def regions(result: list[dict]) -> dict[str, dict]:
    """Region id -> {label, start, end, and the per-region choices as gold spans carry them}."""
    out = {}
    for r in result:
        if r["type"] == "labels":
            out[r["id"]] = {"label": r["value"]["labels"][0], "start": r["value"]["start"], "end": r["value"]["end"]}
    for r in result:
        if r["type"] == "choices":
            if r["from_name"] == "attribution":
                out[r["id"]]["unattributed"] = r["value"]["choices"] == ["unattributed"]
            else:
                out[r["id"]][CHOICE_KEYS[r["from_name"]]] = r["value"]["choices"][0]
    return out


def relations(result: list[dict]) -> set[tuple[str, str, str]]:
    out = set()
    for r in result:
        if r["type"] == "relation":
            ends = (r["to_id"], r["from_id"]) if r.get("direction") == "left" else (r["from_id"], r["to_id"])
            out.update((*ends, label) for label in r["labels"])
    return out


def gold_regions(record: dict) -> dict[str, dict]:
    out = {}
    for s in record["spans"]:
        span = {k: v for k, v in s.items() if k not in ("id", "text")}
        if span.get("unattributed") is False:
            del span["unattributed"]
        out[s["id"]] = span
    return out


def gold_relations(record: dict) -> set[tuple[str, str, str]]:
    return {(r["from"], r["to"], r["type"]) for r in record["relations"]}


def find(task: dict, label: str, words: str) -> str:
    """The id of the predicted `label` region whose text is or contains `words`."""
    text = task["data"]["text"]
    hits = [rid for rid, r in regions(task["predictions"][0]["result"]).items()
            if r["label"] == label and words in text[r["start"]:r["end"]]]
    assert hits, f"the converter no longer predicts a {label} holding {words!r}; this test needs one"
    return min(hits, key=lambda rid: regions(task["predictions"][0]["result"])[rid]["end"]
               - regions(task["predictions"][0]["result"])[rid]["start"])


# --- UI steps --------------------------------------------------------------------------------

# Where to click in a highlighted fragment: the middle of its own first line of text (before a
# region nested in it, which would take the click). As in tests/test_workbench_ui.py.
OWN_TEXT_MIDDLE = """el => {
    const own = [...el.childNodes].find(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    const range = document.createRange();
    range.selectNodeContents(own);
    const box = el.getBoundingClientRect(), line = range.getClientRects()[0];
    return {x: line.x - box.x + line.width / 2, y: line.y - box.y + line.height / 2};
}"""


def fragment(page, region_id: str):
    """The first highlighted fragment of a region (classes `htx-highlight-<region id>-<n>`)."""
    return page.locator(f'.htx-highlight[class*="htx-highlight-{region_id}-"]').first


def click_region(page, region_id: str) -> None:
    piece = fragment(page, region_id)
    piece.scroll_into_view_if_needed()
    piece.click(position=piece.evaluate(OWN_TEXT_MIDDLE))


def select(page, region_id: str) -> None:
    """Select a region by clicking its text; wait until it is the selected one."""
    click_region(page, region_id)
    page.locator(f'.htx-highlight.__active[class*="htx-highlight-{region_id}-"]').first.wait_for()


def unselect(page) -> None:
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('.htx-highlight.__active')")


def choose(page, value: str) -> None:
    """Tick a per-region choice of the selected region (a radio or the checkbox)."""
    box = page.locator(f"input[name={json.dumps(value)}]").filter(visible=True).first
    box.click()
    page.wait_for_function("(name) => [...document.getElementsByName(name)].some(i => i.checked)", arg=value)


def delete_selected(page, region_id: str) -> None:
    page.get_by_role("button", name="Delete selected region").click()
    fragment(page, region_id).wait_for(state="detached")


# The viewport boxes of the first and last characters of the `nth` occurrence of `needle` in
# the rendered article (text nodes in document order, across highlight boundaries).
CHAR_BOXES = """([needle, nth]) => {
    const root = document.querySelector('.lsf-richtext__container');
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const nodes = []; let all = '';
    while (walker.nextNode()) { nodes.push([walker.currentNode, all.length]); all += walker.currentNode.data; }
    let at = -1;
    for (let k = 0; k <= nth; k++) { at = all.indexOf(needle, at + 1); if (at < 0) return null; }
    const place = i => { for (let j = nodes.length - 1; j >= 0; j--) if (nodes[j][1] <= i) return [nodes[j][0], i - nodes[j][1]]; };
    const box = i => { const [n, o] = place(i); const r = document.createRange(); r.setStart(n, o); r.setEnd(n, o + 1);
                       const b = r.getBoundingClientRect(); return {x: b.x, y: b.y, w: b.width, h: b.height}; };
    return {first: box(at), last: box(at + needle.length - 1)};
}"""


def draw(page, label: str, words: str, start: int, end: int) -> str:
    """Draw a new `label` region over `words` with the mouse, as a person does: click the label,
    drag across the words. Returns the id Label Studio gave the region (found by its offsets)."""
    unselect(page)  # a label clicked while a region is selected would relabel that region
    page.locator(".lsf-label", has_text=label).first.click()
    boxes = page.evaluate(CHAR_BOXES, [words, 0])
    assert boxes, f"{words!r} is not in the rendered text"
    first, last = boxes["first"], boxes["last"]
    page.mouse.move(first["x"] + 1, first["y"] + first["h"] / 2)
    page.mouse.down()
    page.mouse.move(last["x"] + last["w"] - 1, last["y"] + last["h"] / 2, steps=8)
    page.mouse.up()
    # A region over a line break is drawn in fragments: the first carries data-start, the last data-end.
    first_piece = page.locator(f'.htx-highlight[data-start="{start}"]').last
    first_piece.wait_for()
    classes = first_piece.get_attribute("class").split()
    region_id = next(c for c in classes if c.startswith("htx-highlight-") and c != "htx-highlight-last") \
        .removeprefix("htx-highlight-").rsplit("-", 1)[0]
    page.locator(f'.htx-highlight[class*="htx-highlight-{region_id}-"][data-end="{end}"]').wait_for(state="attached")
    return region_id


def relate(page, from_id: str, to_id: str, label: str) -> None:
    """Draw a relation from one region to another (Create Relation, then a click on the other
    end) and pick its label in the Relations panel."""
    select(page, from_id)
    page.get_by_role("button", name="Create Relation").click()
    click_region(page, to_id)
    page.locator(".lsf-panel-tabs__tab", has_text="Relations").filter(visible=True).first.click()
    item = page.locator(".lsf-relations__item").last  # the newest relation is listed last
    item.hover()
    item.get_by_role("button", name="Show Relation Labels").click()
    page.locator(".lsf-relation-meta [data-testid^=select-trigger]").last.click()
    page.locator(f'[data-testid="select-option-{label}"]').click()
    page.keyboard.press("Escape")
    page.locator(".lsf-relation-meta [data-testid=select-display-value]", has_text=label).last.wait_for()
    page.locator(".lsf-panel-tabs__tab", has_text="Regions").filter(visible=True).first.click()


def turn_newest_relation(page) -> None:
    """Click the arrow of the newest relation in the Relations panel once: it points both ways."""
    page.locator(".lsf-panel-tabs__tab", has_text="Relations").filter(visible=True).first.click()
    item = page.locator(".lsf-relations__item").last
    item.locator(".lsf-relations__direction").click()
    item.locator('svg[data-direction="bi"]').wait_for()
    page.locator(".lsf-panel-tabs__tab", has_text="Regions").filter(visible=True).first.click()


def submit(page, task: dict) -> dict:
    """Press Submit; the annotation the server stored (its answer to the POST)."""
    with page.expect_response(lambda r: r.request.method == "POST"
                              and f"/api/tasks/{task['id']}/annotations" in r.url) as answer:
        page.get_by_role("button", name="Submit current annotation").click()
    assert answer.value.status == 201, answer.value.text()
    page.locator(".lsf-controls button", has_text="Update").wait_for()
    return answer.value.json()


def update(page, annotation_id: int) -> dict:
    """Press Update; the annotation the server stored (its answer to the PATCH)."""
    with page.expect_response(lambda r: r.request.method == "PATCH"
                              and f"/api/annotations/{annotation_id}" in r.url) as answer:
        page.locator(".lsf-controls button", has_text="Update").click()
    assert answer.value.status == 200, answer.value.text()
    return answer.value.json()


def reopen(page, task: dict) -> None:
    """Load the task again after a Submit or Update (the app redraws the view after saving, in
    its own time: a click then could land on the old view)."""
    page.reload()
    wait_for_labeling(page, sum(r["type"] == "labels" for r in task["predictions"][0]["result"]))
    page.locator(".lsf-controls button", has_text="Update").wait_for()


def other(values, current):
    """A value of `values` that is not `current`."""
    return next(v for v in values if v != current)


# --- the scenarios ---------------------------------------------------------------------------


def test_submit_untouched_in_the_ui_gives_the_prediction_as_gold(studio, browser, ann, annotator, tmp_path):
    project_id, task = pushed(studio, tmp_path, "accept", PESKOV)
    predicted = task["predictions"][0]["result"]
    page = open_task(ann, studio, project_id, task)
    try:
        page.screenshot(path=str(tmp_path / "accept-opened.png"))
        saved = submit(page, task)
        page.screenshot(path=str(tmp_path / "accept-submitted.png"))
    finally:
        page.close()
    # What the UI stored: the prediction's items, each marked with where it came from.
    assert saved["completed_by"] == annotator["id"] and saved["was_cancelled"] is False
    assert saved["parent_prediction"] == task["predictions"][0]["id"]
    assert {r.get("origin") for r in saved["result"] if r["type"] != "relation"} == {"prediction"}
    assert regions(saved["result"]) == regions(predicted) and relations(saved["result"]) == relations(predicted)

    record, rejects, summary = pull_one(studio, project_id, tmp_path / "gold")
    assert rejects == [] and summary.counts.gold == 1, rejects
    assert record["id"] == task["data"]["doc_id"] and record["text"] == task["data"]["text"]
    assert gold_regions(record) == regions(predicted)
    assert gold_relations(record) == relations(predicted)
    for span in record["spans"]:
        assert span["text"] == task["data"]["text"][span["start"]:span["end"]]
    n_spans = len(regions(predicted))
    assert record["provenance"]["edits"] == {
        "spans": {"kept": n_spans, "changed": 0, "deleted": 0, "added": 0},
        "relations": {"kept": len(relations(predicted)), "deleted": 0, "added": 0}}
    prov = record["provenance"]
    assert prov["annotator"] == {"id": annotator["id"], "email": annotator["email"]}
    assert prov["annotators"] == [prov["annotator"]]
    assert prov["annotation"] == saved["id"] and prov["task"] == task["id"] and prov["project"] == project_id
    assert prov["prediction"]["model_version"] == task["predictions"][0]["model_version"]
    assert prov["lead_time"] > 0 and prov["ground_truth"] is False and prov["cancelled"] == 0
    # Every quote keeps the speaker it was predicted with, by name through refers_to.
    said = {a: b for a, b, kind in relations(predicted) if kind == "said_by"}
    assert {q["span"]: q["speaker_span"] for q in record["quotes"]} == {
        q: said.get(q) for q, r in regions(predicted).items() if r["label"] == "Quote"}


def test_choices_changed_region_deleted_redrawn_and_relation_drawn_in_the_ui(studio, browser, ann, tmp_path):
    project_id, task = pushed(studio, tmp_path, "edit", BUDGET)
    text = task["data"]["text"]
    predicted = task["predictions"][0]["result"]
    before = regions(predicted)
    targets = [t["value"] for t in task["data"]["targets"]]
    quote = find(task, "Quote", "This budget is a disaster")
    stance = find(task, "Stance", "reject")
    old_stance = find(task, "Stance", "disaster")
    hale = find(task, "Speaker", "Hale")
    assert text[before[hale]["start"]:before[hale]["end"]] == "Hale", "the pronoun-like short name"
    full = find(task, "Speaker", "Opposition leader Tom Hale")
    assert (quote, hale, "said_by") in relations(predicted) and (hale, full, "refers_to") in relations(predicted)
    assert len(targets) >= 2, targets
    new_type = other(("direct", "indirect", "mixed"), before[quote]["quote_type"])
    new_polarity = other(("favor", "against", "neutral"), before[stance]["polarity"])
    new_target = other(targets, before[stance]["target"])
    words = "disaster for families"
    start = text.index(words)
    end = start + len(words)

    page = open_task(ann, studio, project_id, task)
    try:
        select(page, quote)
        choose(page, new_type)
        select(page, stance)
        choose(page, new_polarity)
        choose(page, new_target)
        page.screenshot(path=str(tmp_path / "edit-stance-choices.png"))
        select(page, hale)  # the short name goes; its said_by and refers_to go with it
        delete_selected(page, hale)
        relate(page, quote, full, "said_by")  # the quote is said by the full name instead
        select(page, old_stance)  # the stance span is fixed: deleted and drawn again, longer
        delete_selected(page, old_stance)
        drawn = draw(page, "Stance", words, start, end)
        select(page, drawn)
        choose(page, "against")
        choose(page, targets[0])
        page.screenshot(path=str(tmp_path / "edit-before-submit.png"))
        saved = submit(page, task)
    finally:
        page.close()
    origins = {r["id"]: r.get("origin") for r in saved["result"] if r["type"] == "labels"}
    assert origins[drawn] == "manual" and drawn not in before

    expected = {rid: dict(r) for rid, r in before.items() if rid not in (hale, old_stance)}
    expected[quote]["quote_type"] = new_type
    expected[stance].update(polarity=new_polarity, target=new_target)
    expected[drawn] = {"label": "Stance", "start": start, "end": end, "polarity": "against", "target": targets[0]}
    expected_relations = {r for r in relations(predicted) if hale not in r[:2]} | {(quote, full, "said_by")}

    record, rejects, _ = pull_one(studio, project_id, tmp_path / "gold")
    assert rejects == [], rejects
    assert gold_regions(record) == expected
    assert gold_relations(record) == expected_relations
    assert next(s for s in record["spans"] if s["id"] == drawn)["text"] == words
    q = next(q for q in record["quotes"] if q["span"] == quote)
    assert (q["speaker_span"], q["speaker"], q["quote_type"]) == (full, "Opposition leader Tom Hale", new_type)
    assert drawn in q["stances"] and old_stance not in q["stances"]
    assert record["provenance"]["edits"] == {
        "spans": {"kept": len(before) - 4, "changed": 2, "deleted": 2, "added": 1},
        "relations": {"kept": len(relations(predicted)) - 2, "deleted": 2, "added": 1}}

    # `annotate report` on the same project: the redrawn Stance overlaps the predicted one, so
    # it is that prediction's boundary moved, not a deletion and an addition.
    report = edit_report(str(project_id), url=studio.url, api_key=studio.token)
    assert report["tasks"]["compared"] == 1 and report["problems"] == 0
    [model] = report["models"].values()
    n = {label: sum(r["label"] == label for r in before.values()) for label in ("Speaker", "Quote", "Stance")}
    outcome = {label: {k: v for k, v in counts.items() if k in ("kept", "choice_changed", "boundary_moved",
                                                               "deleted", "added") and v}
               for label, counts in model["labels"].items()}
    assert outcome == {"Speaker": {"kept": n["Speaker"] - 1, "deleted": 1},
                       "Quote": {"kept": n["Quote"] - 1, "choice_changed": 1},
                       "Stance": {k: v for k, v in {"kept": n["Stance"] - 2, "choice_changed": 1,
                                                    "boundary_moved": 1}.items() if v}}
    assert model["relations"]["said_by"]["deleted"] == 1 and model["relations"]["said_by"]["added"] == 1
    assert model["relations"]["refers_to"]["deleted"] == 1


def test_update_twice_in_the_ui_the_last_version_is_gold(studio, browser, ann, tmp_path):
    project_id, task = pushed(studio, tmp_path, "update", PESKOV)
    before = regions(task["predictions"][0]["result"])
    quote = find(task, "Quote", "Moscow welcomes")
    stance = find(task, "Stance", "oppose")
    first_type = other(("direct", "indirect", "mixed"), before[quote]["quote_type"])
    second_type = next(v for v in ("direct", "indirect", "mixed") if v not in (before[quote]["quote_type"], first_type))
    new_polarity = other(("favor", "against", "neutral"), before[stance]["polarity"])

    page = open_task(ann, studio, project_id, task)
    try:
        saved = submit(page, task)  # as predicted
        reopen(page, task)
        select(page, quote)
        choose(page, first_type)
        once = update(page, saved["id"])
        reopen(page, task)
        select(page, quote)
        choose(page, second_type)
        select(page, stance)
        choose(page, new_polarity)
        twice = update(page, saved["id"])
        page.screenshot(path=str(tmp_path / "update-twice.png"))
    finally:
        page.close()
    assert once["id"] == twice["id"] == saved["id"]

    record, rejects, summary = pull_one(studio, project_id, tmp_path / "gold")
    assert rejects == [] and summary.counts.gold == 1, rejects
    expected = {rid: dict(r) for rid, r in before.items()}
    expected[quote]["quote_type"] = second_type
    expected[stance]["polarity"] = new_polarity
    assert gold_regions(record) == expected
    prov = record["provenance"]
    assert prov["annotation"] == saved["id"] and prov["annotations"] == [saved["id"]]
    assert prov["updated_at"] > prov["created_at"]
    assert prov["edits"]["spans"] == {"kept": len(before) - 2, "changed": 2, "deleted": 0, "added": 0}


def test_a_skipped_task_is_counted_and_left_out(studio, browser, ann, annotator, tmp_path):
    project_id, task = pushed(studio, tmp_path, "skip", BUDGET)
    # Skip is offered in the labeling stream ("Label All Tasks"), not on a task opened from the list.
    page = open_task(ann, studio, project_id, task, path=f"/projects/{project_id}/data?labeling=1")
    try:
        with page.expect_response(lambda r: r.request.method == "POST"
                                  and f"/api/tasks/{task['id']}/annotations" in r.url) as answer:
            page.locator(".lsf-controls button", has_text="Skip").click()
        assert answer.value.status == 201
        skipped = answer.value.json()
    finally:
        page.close()
    # Label Studio keeps the skip as an annotation: cancelled, holding the prediction's regions.
    assert skipped["was_cancelled"] is True and skipped["completed_by"] == annotator["id"]
    assert regions(skipped["result"]) == regions(task["predictions"][0]["result"])

    record, rejects, summary = pull_one(studio, project_id, tmp_path / "gold")
    assert record is None and rejects == []
    assert (summary.counts.tasks, summary.counts.gold, summary.counts.cancelled) == (1, 0, 1)


def test_a_second_annotator_who_presses_update_on_the_first_ones_task_is_named(studio, browser, ann, annotator,
                                                                                 tmp_path):
    """Open-source Label Studio opens a task on its latest annotation, whoever made it, and
    offers Update: the second annotator's change lands in the first one's annotation
    (`completed_by` stays the first, `updated_by` becomes the second). The gold record, which
    holds the second annotator's work, must name them.

    Bob also gives a quote its full-name speaker the way a person easily does it: he selects
    the Speaker, draws the relation to the Quote (so it points from the Speaker) and clicks its
    arrow once, which makes it point both ways. That said_by can only mean Quote -> Speaker."""
    project_id, task = pushed(studio, tmp_path, "second", BUDGET)
    predicted = task["predictions"][0]["result"]
    before = regions(predicted)
    quote = find(task, "Quote", "We reject")
    disaster = find(task, "Quote", "This budget is a disaster")
    hale = find(task, "Speaker", "Hale")
    full = find(task, "Speaker", "Opposition leader Tom Hale")
    page = open_task(ann, studio, project_id, task)
    try:
        saved = submit(page, task)
    finally:
        page.close()
    bob = make_annotator(studio, "bob")
    context = logged_in(browser, studio, bob)
    try:
        page = open_task(context, studio, project_id, task)
        new_type = other(("direct", "indirect", "mixed"), before[quote]["quote_type"])
        select(page, quote)
        choose(page, new_type)
        select(page, hale)
        delete_selected(page, hale)
        relate(page, full, disaster, "said_by")
        turn_newest_relation(page)
        page.screenshot(path=str(tmp_path / "second-annotator-update.png"))
        changed = update(page, saved["id"])
    finally:
        context.close()
    assert changed["completed_by"] == annotator["id"] and changed["updated_by"] == bob["id"]

    record, rejects, _ = pull_one(studio, project_id, tmp_path / "gold")
    assert rejects == [], rejects
    expected = {rid: dict(r) for rid, r in before.items() if rid != hale}
    expected[quote]["quote_type"] = new_type  # bob's changes
    assert gold_regions(record) == expected
    assert gold_relations(record) == {r for r in relations(predicted) if hale not in r[:2]} | {
        (disaster, full, "said_by")}
    said = next(r for r in changed["result"] if r["type"] == "relation" and r["from_id"] == full)
    assert (said["to_id"], said["direction"]) == (disaster, "bi")  # what the UI stored
    prov = record["provenance"]
    assert prov["annotator"] == {"id": annotator["id"], "email": annotator["email"]}  # Label Studio's completed_by
    assert {"id": bob["id"], "email": bob["email"]} in prov["annotators"], prov["annotators"]
