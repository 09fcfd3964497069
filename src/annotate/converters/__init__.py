"""Raw text -> clean text -> pre-annotations -> Label Studio tasks.

A stream of small generator steps over plain dicts (no I/O, no network):

    clean -> find_all_quotes -> find_all_stances -> to_tasks

`convert_documents` chains them; `annotate_text` pre-annotates text exactly as given (no
cleaning), which is what the ML backend needs for text that already lives on the server.
Each takes an optional learned `model` (annotate.learn): it re-tags the rule quotes, and the
prediction then names it; without one the output is the rules' own, byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from copy import deepcopy

from ..io import sha256_text
from .antecedents import speaker_links
from .clean import clean_text, find_title
from .letters import Respeller, fold_letters
from .quotes import find_quotes
from .stance import find_stances
from .targets import candidate_targets, final_targets, target_mentions
from .tasks import build_task, task_hash
from .text import whole_characters

CONVERTER_VERSION = "0.3.20"
MODEL_VERSION = f"annotate-rules-{CONVERTER_VERSION}"

__all__ = [
    "CONVERTER_VERSION", "MODEL_VERSION", "annotate_text", "clean", "clean_text",
    "convert_documents", "convert_text", "find_all_quotes", "find_all_stances", "find_title", "to_tasks",
]


def clean(docs: Iterable[dict]) -> Iterator[dict]:
    """Add clean `text`, `title`, `published`, `source` from each doc's `raw`; a doc that
    brings its own non-empty `title` (a source with a title field) keeps it."""
    for doc in docs:
        cleaned = clean_text(doc["raw"])
        if doc.get("title"):
            cleaned["title"] = doc["title"]
        yield {**doc, **cleaned}


def find_all_quotes(docs: Iterable[dict], model=None) -> Iterator[dict]:
    """Add `quotes`: Quote fragments with quote_type and speaker mention. With a learned
    `model` (annotate.learn.load_model), the rule quotes are re-tagged by it."""
    for doc in docs:
        work = fold_letters(doc["text"])  # "José Álvarez" read as "Jose Alvarez" (letters.py)
        quotes = find_quotes(work)
        if model is not None:
            quotes = model.refine(work, quotes)
        yield {**doc, "quotes": quotes}


def find_all_stances(docs: Iterable[dict], fixed_targets: Sequence[str] = ()) -> Iterator[dict]:
    """Add `stances` inside quotes and `targets`: the targets the stances use, then the
    people, countries, organisations and issues the quotes talk about (see targets.py).

    `fixed_targets` (a project's own list), and a doc's own `targets`, are always listed
    and can be the target of a proposed stance."""
    for doc in docs:
        text = doc["text"]
        fixed = _fixed(fixed_targets, doc.get("targets"))
        work = fold_letters(text)  # the rules read letters with diacritics as ASCII (letters.py)
        if work is not text:
            fixed_work = [fold_letters(f) for f in fixed]
            title = fold_letters(doc.get("title", ""))
        else:
            fixed_work, title = fixed, doc.get("title", "")
        mentions = target_mentions(work, fixed_work)
        candidates = candidate_targets(work, mentions, doc["quotes"], title, fixed_work)
        links = speaker_links(work, doc["quotes"])  # "she" -> "singer Rosa Flint": never her own target
        stances = find_stances(work, doc["quotes"], [c.name for c in candidates], mentions=mentions, links=links)
        targets = final_targets(candidates, stances)
        if work is not text:  # targets back in the article's (or the project's) own spelling
            respell = Respeller(text, work, fixed)
            targets = list(dict.fromkeys(respell(t) for t in targets))
            for stance in stances:
                stance["target"] = respell(stance["target"])
        yield {**doc, "targets": targets, "stances": stances, "links": links}


def _fixed(*lists) -> list[str]:
    """The fixed targets in order, each once: strings or Label Studio's {"value": ...} items."""
    out: list[str] = []
    for items in lists:
        for item in items or ():
            value = item.get("value") if isinstance(item, dict) else item
            if isinstance(value, str) and value.strip() and value.strip() not in out:
                out.append(value.strip())
    return out


def to_tasks(docs: Iterable[dict], model=None) -> Iterator[dict]:
    """Turn each doc into a Label Studio task dict (SPEC section 3).

    With a learned `model` the prediction's `model_version` is `model.version` and its task-level
    `score` is the score of its least certain quote (the CRF's marginals; 1.0 without quotes),
    so sorting tasks by prediction score, ascending, puts the least certain first."""
    if model is None:
        for doc in docs:
            yield build_task(doc, MODEL_VERSION, CONVERTER_VERSION)
        return
    for doc in docs:
        task = build_task(doc, model.version, CONVERTER_VERSION)
        prediction = task["predictions"][0]
        prediction["score"] = learned_score(doc["quotes"])
        task["meta"]["task_hash"] = task_hash(task["data"]["text"], task["predictions"])
        yield task


def learned_score(quotes: list[dict]) -> float:
    """A learned model's prediction score: its least certain quote's (1.0 without quotes)."""
    return min((q["score"] for q in quotes), default=1.0)


def convert_documents(docs: Iterable[dict], fixed_targets: Sequence[str] = (), model=None) -> Iterator[dict]:
    """Docs with `raw`, `doc_id`, `source_file` (and optionally `title`, `targets`) -> tasks,
    one at a time (memory stays flat). `fixed_targets` are offered in every task; a learned
    `model` (annotate.learn.load_model) refines the rule quotes."""
    return to_tasks(find_all_stances(find_all_quotes(clean(docs), model), fixed_targets), model)


def default_doc_id(raw: str) -> str:
    return "doc_" + sha256_text(raw)[:16]


def convert_text(raw: str, doc_id: str | None = None, source_file: str = "",
                 fixed_targets: Sequence[str] = (), model=None) -> dict:
    """Clean and pre-annotate one raw article; returns the task. A lone surrogate (half of a
    character, no text: it cannot be written as UTF-8) is read as U+FFFD."""
    raw = whole_characters(raw)
    doc = {"raw": raw, "doc_id": doc_id or default_doc_id(raw), "source_file": source_file}
    return next(convert_documents([doc], fixed_targets, model))


def annotate_text(text: str, doc_id: str | None = None, title: str | None = None,
                  fixed_targets: Sequence[str] = (), model=None, offered_targets: Sequence[str] = ()) -> dict:
    """Pre-annotate `text` exactly as given (offsets index into it); returns the task. Its
    `data.title` is `title` when given, else the headline found in the text (see find_title).
    `fixed_targets` (e.g. a project's own list) are listed first and can be stance targets;
    a learned `model` refines the rule quotes.

    `offered_targets` is the target list a task already brings (the ML backend's case): when
    every target the converter finds is among them, the task is the same as without; else the
    stances are proposed again toward `offered_targets` as fixed targets, the only ones Label
    Studio can show. The quotes are found once either way. A lone surrogate (half of a
    character, which no task can carry) is read as U+FFFD, one for one: the offsets hold."""
    text = whole_characters(text)
    # A lone carriage return (old Mac line ends) breaks a line as "\n" does: the rules read a
    # copy with "\n" in its place (the same length, so every offset holds) and the task keeps
    # the text as given. "\r\n" needs nothing: its "\n" is the line break.
    work = _LONE_CR.sub("\n", text) if "\r" in text else text
    doc = {"raw": text, "text": work, "doc_id": doc_id or default_doc_id(text), "source_file": "",
           "title": title or find_title(work)}
    quoted = next(find_all_quotes([doc], model))
    task = _stanced_task(quoted, fixed_targets, model, copy=bool(offered_targets))
    if offered_targets and not {t["value"] for t in task["data"]["targets"]} <= set(offered_targets):
        task = _stanced_task(quoted, [*fixed_targets, *offered_targets], model, copy=False)
    if work is not text:
        _restore_text(task, text)
    return task


def _stanced_task(quoted: dict, fixed_targets: Sequence[str], model, copy: bool) -> dict:
    """The task of a doc whose quotes are found: stances, targets and the prediction (with
    `copy`, on a copy of the quotes, so that the doc can be given stances a second time)."""
    if copy:
        quoted = {**quoted, "quotes": deepcopy(quoted["quotes"])}
    return next(to_tasks(find_all_stances([quoted], fixed_targets), model))


_LONE_CR = re.compile(r"\r(?!\n)")


def _restore_text(task: dict, text: str) -> None:
    """Put `text` back into a task made from a copy of it with characters replaced one for one."""
    task["data"]["text"] = text
    predictions = task["predictions"]
    for prediction in predictions:
        for item in prediction["result"]:
            value = item.get("value") or {}
            if "text" in value and "start" in value:
                value["text"] = text[value["start"]:value["end"]]
    task["meta"]["text_sha256"] = sha256_text(text)
    task["meta"]["task_hash"] = task_hash(text, predictions)
