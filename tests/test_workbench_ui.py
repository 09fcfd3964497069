"""The labeling layout at an ordinary laptop size (1600x1000), in a real headless Chromium.

The article scrolls in its own pane; the controls of the selected region (Quote type and
Attribution for a Quote, Polarity and Target for a Stance) sit in a column beside it, so
they are in view without scrolling the page, wherever the region is in the article.

Needs Debian's chromium and playwright like tests/test_browser.py: skipped without them,
failed under CI=true (conftest's `need`).
"""

from __future__ import annotations

import json

import pytest

from annotate import studio as ls
from annotate.labeling import Region, region_id
from annotate.push import push

from .conftest import SEEDS, open_task

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1600, 1000
POLARITIES = ("favor", "against", "neutral")
QUOTE_TYPES = ("direct", "indirect", "mixed")


@pytest.fixture(scope="module")
def longest_seed(studio):
    """The seeds pushed into a fresh project; returns (project id, the seed task with the longest text)."""
    stats = push(studio.url, studio.token, [str(SEEDS)], "Workbench layout (browser test)")
    assert stats.created == len(list(SEEDS.glob("*.txt")))
    tasks = ls.export_tasks(ls.connect(studio.url, studio.token), stats.project_id)
    task = max(tasks, key=lambda t: len(t["data"]["text"]))
    assert len(task["data"]["text"]) > 3000, "the longest seed is meant to be a long article"
    assert task["data"]["targets"], "a Stance needs a target list to choose from"
    return stats.project_id, task


def labeled(result: list[dict], label: str) -> list[dict]:
    return [r for r in result if r["type"] == "labels" and r["value"]["labels"] == [label]]


def middle_region(result: list[dict], text: str, label: str) -> dict | None:
    """The `label` region closest to the middle of the text, if one starts in the middle third
    and shares its start with no other region (a click on its first character selects it)."""
    starts = [r["value"]["start"] for r in result if r["type"] == "labels"]
    middle = len(text) / 2
    candidates = [r for r in labeled(result, label) if len(text) / 3 <= r["value"]["start"] <= 2 * len(text) / 3
                  and starts.count(r["value"]["start"]) == 1]
    return min(candidates, key=lambda r: abs(r["value"]["start"] - middle), default=None)


def stance_in_the_middle(studio, task) -> tuple[dict, bool]:
    """(a Stance region in the middle of the article, whether it lives in a new annotation).

    The predicted one when the converter found one there. Otherwise the test does not depend on
    the stance rules: it adds an annotation holding the prediction plus a Stance on the first
    word after the middle that no region covers (polarity and target chosen, as a
    prediction would carry them), and the task opens on that annotation.
    """
    text = task["data"]["text"]
    result = task["predictions"][0]["result"]
    found = middle_region(result, text, "Stance")
    if found is not None:
        return found, False
    covered = set()
    for r in result:
        if r["type"] == "labels":
            covered.update(range(r["value"]["start"], r["value"]["end"]))
    start = next(i for i in range(len(text) // 2, len(text))
                 if text[i].isalpha() and not text[i - 1].isalnum() and i not in covered)
    end = start
    while end < len(text) and text[end].isalnum() and end not in covered:
        end += 1
    stance = Region(region_id("Stance", start, end), "Stance", start, end,
                    choices={"polarity": "neutral", "target": task["data"]["targets"][0]["value"]})
    added = stance.to_result(text)
    client = ls.connect(studio.url, studio.token)
    client.annotations.create(id=task["id"], result=result + added, lead_time=1.0)
    return added[0], True


def highlight(page, region: dict):
    """The first highlighted fragment of a region (classes `htx-highlight-<region id>-<n>`)."""
    return page.locator(f'[class*="htx-highlight-{region["id"]}-"]').first


# Where to click in a highlighted fragment, relative to its bounding box: the middle of the
# first line of its own text (before any region nested in it, which would take the click).
OWN_TEXT_MIDDLE = """el => {
    const own = [...el.childNodes].find(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    const range = document.createRange();
    range.selectNodeContents(own);
    const box = el.getBoundingClientRect(), line = range.getClientRects()[0];
    return {x: line.x - box.x + line.width / 2, y: line.y - box.y + line.height / 2};
}"""


def select(page, region: dict) -> None:
    """Click the region's own text (playwright scrolls whatever must scroll to show it)."""
    fragment = highlight(page, region)
    fragment.scroll_into_view_if_needed()
    fragment.click(position=fragment.evaluate(OWN_TEXT_MIDDLE))
    label = region["value"]["labels"][0]
    page.locator(f".htx-highlight.__active[data-label$=':{label}']").first.wait_for()
    active = page.locator(".htx-highlight.__active").first.get_attribute("class")
    assert f"htx-highlight-{region['id']}-" in active, (region["id"], active)


def assert_in_viewport(page, target, what: str) -> dict:
    """The element (a CSS selector or a locator) is drawn and lies wholly inside the window."""
    element = (page.locator(target) if isinstance(target, str) else target).filter(visible=True).first
    element.wait_for()
    box = element.bounding_box()
    assert box is not None, what
    assert 0 <= box["x"] and box["x"] + box["width"] <= WIDTH, (what, box)
    assert 0 <= box["y"] and box["y"] + box["height"] <= HEIGHT, (what, box)
    return box


def choice_input(value: str) -> str:
    return f"input[name={json.dumps(value)}]"


# How far the page and the app's own scroller (main content) are scrolled, and the text pane's scroll state.
SCROLLS = """() => {
    const pane = document.querySelector('.qa-text');
    const main = document.querySelector('.lsf-main-content');
    return {window: window.scrollY, main: main ? main.scrollTop : null,
            pane: pane ? pane.scrollTop : null, paneHeight: pane ? pane.clientHeight : null,
            paneContent: pane ? pane.scrollHeight : null};
}"""


def test_a_stance_in_the_middle_of_the_longest_seed_has_its_controls_in_view(studio, browser, longest_seed):
    project_id, task = longest_seed
    stance, annotated = stance_in_the_middle(studio, task)
    regions = len(labeled(task["predictions"][0]["result"], "Speaker"))  # drawn in any case
    page = open_task(browser, studio, project_id, task["id"], width=WIDTH, height=HEIGHT, regions=regions)
    try:
        if annotated:  # the added Stance lives in the annotation, which must be the one on screen
            highlight(page, stance).wait_for(state="attached")
        before = page.evaluate(SCROLLS)
        # The article is longer than its pane: the pane is the scroller, not the page.
        assert before["pane"] == 0 and before["paneContent"] > before["paneHeight"] + 200, before
        assert before["paneHeight"] >= 300, before

        select(page, stance)

        after = page.evaluate(SCROLLS)
        assert after["window"] == 0 and after["main"] == 0, after  # the page did not move
        assert after["pane"] > 0, after  # the text pane scrolled on its own to the middle
        # The selected Stance is visible inside the pane.
        pane = page.locator(".qa-text").bounding_box()
        mark = highlight(page, stance).bounding_box()
        assert pane["y"] <= mark["y"] and mark["y"] + mark["height"] <= pane["y"] + pane["height"], (pane, mark)

        # Its controls sit beside the text, labelled, inside the 1600x1000 window.
        for header in ("Polarity", "Target"):
            assert_in_viewport(page, page.locator(".qa-side").get_by_text(header, exact=True), header)
        for value in POLARITIES:
            box = assert_in_viewport(page, choice_input(value), f"polarity {value}")
            assert box["x"] >= pane["x"] + pane["width"], ("beside the text, not over it", value, box, pane)
        for target in task["data"]["targets"]:
            assert_in_viewport(page, choice_input(target["value"]), f"target {target['value']}")
        # Still nothing scrolled but the pane.
        final = page.evaluate(SCROLLS)
        assert final["window"] == 0 and final["main"] == 0, final
    finally:
        page.close()


def test_a_quote_in_the_middle_shows_quote_type_and_attribution_in_view(studio, browser, longest_seed):
    project_id, task = longest_seed
    result = task["predictions"][0]["result"]
    quote = middle_region(result, task["data"]["text"], "Quote")
    assert quote is not None, "the longest seed has no predicted Quote in its middle third"
    page = open_task(browser, studio, project_id, task["id"], width=WIDTH, height=HEIGHT,
                     regions=len(labeled(result, "Speaker")))
    try:
        select(page, quote)
        scrolls = page.evaluate(SCROLLS)
        assert scrolls["window"] == 0 and scrolls["main"] == 0, scrolls
        for header in ("Quote type", "Attribution"):
            assert_in_viewport(page, page.locator(".qa-side").get_by_text(header, exact=True), header)
        for value in (*QUOTE_TYPES, "unattributed"):
            assert_in_viewport(page, choice_input(value), value)
        # The Stance controls are not shown for a Quote.
        assert not page.locator(choice_input("favor")).filter(visible=True).count()
    finally:
        page.close()


def test_relation_arrows_are_quiet_until_one_is_hovered_in_the_relations_panel(studio, browser, longest_seed):
    """28 relations on a 3.7 KB article: the arrows are drawn faint and without their label
    boxes; hovering a relation in the Relations panel draws that one in full, with its label."""
    project_id, task = longest_seed
    result = task["predictions"][0]["result"]
    relations = [r for r in result if r["type"] == "relation"]
    assert len(relations) >= 10
    page = open_task(browser, studio, project_id, task["id"], width=WIDTH, height=HEIGHT,
                     regions=len(labeled(result, "Speaker")))
    try:
        arrows = page.locator(".relations-overlay g[class*=relationItem]")
        page.wait_for_function(f"() => document.querySelectorAll('.relations-overlay g[class*=relationItem]')"
                               f".length >= {len(relations)}")
        quiet = arrows.evaluate_all("gs => gs.map(g => [Number(getComputedStyle(g).opacity),"
                                    " g.querySelector('text') ? g.querySelector('text').getClientRects().length : 0])")
        assert all(opacity <= 0.5 and not label_shown for opacity, label_shown in quiet), quiet

        page.locator(".lsf-panel-tabs__tab", has_text="Relations").first.click()
        page.locator(".lsf-relations__item").first.hover()
        shown = page.locator(".relations-overlay g[class*=_highlighted] text").first
        shown.wait_for()
        assert shown.text_content() in {r["labels"][0] for r in relations if r.get("labels")}
        box = shown.bounding_box()
        pane = page.locator(".qa-text").bounding_box()
        assert box["x"] >= pane["x"] - 1, ("the label is not cut at the pane's left edge", box, pane)
    finally:
        page.close()
