"""Raw text -> clean text -> pre-annotations -> Label Studio tasks.

A stream of small generator steps over plain dicts (no I/O, no network):

    clean -> find_all_quotes -> find_all_stances -> to_tasks

`convert_documents` chains them; `annotate_text` pre-annotates text exactly as given (no
cleaning), which is what the ML backend needs for text that already lives on the server.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..io import sha256_text
from .clean import clean_text, find_title
from .quotes import find_quotes
from .stance import find_stances, find_target_mentions, find_targets
from .tasks import build_task

CONVERTER_VERSION = "0.3.1"
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


def find_all_quotes(docs: Iterable[dict]) -> Iterator[dict]:
    """Add `quotes`: Quote fragments with quote_type and speaker mention."""
    for doc in docs:
        yield {**doc, "quotes": find_quotes(doc["text"])}


def find_all_stances(docs: Iterable[dict]) -> Iterator[dict]:
    """Add `targets` (entities in the text) and `stances` inside quotes."""
    for doc in docs:
        mentions = find_target_mentions(doc["text"])
        targets = find_targets(doc["text"], mentions=mentions)
        stances = find_stances(doc["text"], doc["quotes"], targets, mentions=mentions)
        yield {**doc, "targets": targets, "stances": stances}


def to_tasks(docs: Iterable[dict]) -> Iterator[dict]:
    """Turn each doc into a Label Studio task dict (SPEC section 3)."""
    for doc in docs:
        yield build_task(doc, MODEL_VERSION, CONVERTER_VERSION)


def convert_documents(docs: Iterable[dict]) -> Iterator[dict]:
    """Docs with `raw`, `doc_id`, `source_file` -> tasks, one at a time (memory stays flat)."""
    return to_tasks(find_all_stances(find_all_quotes(clean(docs))))


def default_doc_id(raw: str) -> str:
    return "doc_" + sha256_text(raw)[:16]


def convert_text(raw: str, doc_id: str | None = None, source_file: str = "") -> dict:
    """Clean and pre-annotate one raw article; returns the task."""
    doc = {"raw": raw, "doc_id": doc_id or default_doc_id(raw), "source_file": source_file}
    return next(convert_documents([doc]))


def annotate_text(text: str, doc_id: str | None = None, title: str | None = None) -> dict:
    """Pre-annotate `text` exactly as given (offsets index into it); returns the task. Its
    `data.title` is `title` when given, else the headline found in the text (see find_title)."""
    doc = {"raw": text, "text": text, "doc_id": doc_id or default_doc_id(text), "source_file": "",
           "title": title or find_title(text)}
    return next(to_tasks(find_all_stances(find_all_quotes([doc]))))
