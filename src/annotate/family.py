"""Blind double annotation: one Label Studio project per annotator, read as one project.

Open-source Label Studio shows every user every other user's annotations on a task; the only
way to keep annotators from seeing each other's work is a project each. A *family* is the
projects of one title T: `T · <email>` for each annotator (`member_title`) and, if it exists,
`T` itself, where `adjudicate --apply` puts the agreed ground truth and the disputed versions
for the lead to review.

- `push --annotators` is annotate.familypush (above both `push` and this module).
- `find_family(client, title)`: the family's projects, from one project listing.
- `join_key(task)`: what makes tasks of different projects the same article: `data.doc_id`
  and the hash of the text (so a doc_id whose text differs is never joined).
- `merge_exports(sources, out)`: several full-JSON exports -> one, each article once with
  every project's annotations (their ids and `completed_by` untouched: Label Studio numbers
  annotations and users server-wide), predictions once. `pull`, `agree`, `report` and
  `adjudicate` read that file through `annotations.open_source` as if it were one project.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ProjectError, UsageError
from .io import sha256_text

SEP = " \u00b7 "  # between a family's title and an annotator's email: "T · a@x.org"
FAMILY_KEY = "annotate_family"  # on a merged task: [{"project", "title", "task"}, ...] it was joined from
_EMAIL = re.compile(r"^[^@\s,\u00b7]+@[^@\s,\u00b7]+\.[^@\s,\u00b7]+$")


def member_title(title: str, email: str) -> str:
    """The title of an annotator's project in the family `title`: "T · a@x.org"."""
    return f"{title}{SEP}{email}"


def parse_annotators(text: str | Iterable[str]) -> list[str]:
    """The e-mails of `--annotators a@x.org,b@x.org` (lower-cased, in order, each once);
    a UsageError names the first that is not an e-mail."""
    from .users import unique_emails

    items = text.split(",") if isinstance(text, str) else [p for t in text for p in str(t).split(",")]
    items = [i for i in items if i.strip()]
    if not items:
        raise UsageError("--annotators: give the annotators' e-mail addresses (a@x.org,b@x.org)")
    try:
        emails = unique_emails(items)
    except UsageError as exc:
        raise UsageError(f"--annotators: {exc}") from None
    bad = [e for e in emails if not _EMAIL.match(e)]
    if bad:
        raise UsageError(f"--annotators: {bad[0]!r} cannot name a project (no {SEP.strip()!r} or comma)")
    return emails


def check_title(title: str) -> str:
    """A family is named by a title: not an id, not a member's title."""
    key = str(title).strip()
    if key.isdigit():
        raise UsageError(f"--annotators needs the project's title, not an id ({key}): the annotators' "
                         f"projects are titled '<title>{SEP}<email>'")
    if SEP.strip() in key:
        raise UsageError(f"a family title cannot contain {SEP.strip()!r} (it separates the title from "
                         f"the annotator's e-mail): {key!r}")
    if len(key) < 3:
        raise UsageError(f"project title {key!r} is too short: Label Studio needs at least 3 characters")
    return key


# --------------------------------------------------------------------------- finding a family


@dataclass
class Family:
    """The projects of one title: `head` (titled exactly `title`, or None) and one member
    project per annotator e-mail."""

    title: str
    head: object | None = None
    members: dict[str, object] = field(default_factory=dict)  # email -> project, in email order

    def __bool__(self) -> bool:  # a family is a title with annotator projects
        return bool(self.members)

    @property
    def projects(self) -> list:
        """The head (when there is one), then the members in e-mail order."""
        return ([self.head] if self.head is not None else []) + list(self.members.values())

    def describe(self) -> str:
        return ", ".join(repr(p.title) for p in self.projects)


def member_email(title: str, project_title: str) -> str | None:
    """The e-mail of a `title · email` project title, or None when it is not a member's."""
    prefix = title + SEP
    if not project_title.startswith(prefix):
        return None
    email = project_title[len(prefix):].strip().lower()
    return email if _EMAIL.match(email) else None


def find_family(client, title: str) -> Family:
    """The family of `title` from one project listing (titles containing it).

    Several projects with one title: the oldest is used when every younger one is empty (a
    concurrent push's twin); otherwise a ProjectError lists the ids, as for any title.
    """
    from . import studio

    key = str(title).strip()
    by_title: dict[str, list] = {}
    for p in studio.projects_titled(client, key):
        if p.title == key or member_email(key, p.title):
            by_title.setdefault(p.title, []).append(p)
    family = Family(key)
    for t, projects in by_title.items():
        chosen = _one_titled(client, t, projects)
        if t == key:
            family.head = chosen
        else:
            family.members[member_email(key, t)] = chosen
    family.members = dict(sorted(family.members.items()))
    return family


def _one_titled(client, title: str, projects: list):
    from .studio import display_client_url

    projects = sorted(projects, key=lambda p: p.id)
    if len(projects) > 1 and any((p.task_number or 0) or (p.total_annotations_number or 0) for p in projects[1:]):
        ids = ", ".join(str(p.id) for p in projects)
        raise ProjectError(f"{len(projects)} projects are titled {title!r} on {display_client_url(client)} "
                           f"(ids {ids}): rename or delete all but one")
    return projects[0]


# --------------------------------------------------------------------------- merging exports


def text_hash(task: dict) -> str | None:
    """The hash of the task's text: of `data.text` itself, else `meta.text_sha256`."""
    data = task.get("data") if isinstance(task.get("data"), dict) else {}
    if isinstance(data.get("text"), str):
        return sha256_text(data["text"])
    meta = task.get("meta") if isinstance(task.get("meta"), dict) else {}
    sha = meta.get("text_sha256")
    return sha if isinstance(sha, str) and sha else None


def join_key(task) -> tuple | None:
    """(doc_id or None, text hash): tasks of two projects with the same key are one article.
    None when the task has no text to hash (it is never joined)."""
    if not isinstance(task, dict):
        return None
    digest = text_hash(task)
    if digest is None:
        return None
    data = task.get("data") if isinstance(task.get("data"), dict) else {}
    doc = data.get("doc_id")
    return (doc if isinstance(doc, str) and doc else None, digest)


def _prediction_key(pred: dict) -> str:
    return json.dumps([pred.get("model_version"), pred.get("result")], sort_keys=True, ensure_ascii=False)


@dataclass
class Source:
    """One project's export file in a family."""

    title: str
    project_id: int | None
    path: Path


def merge_exports(sources: Iterable[Source], out, warn: Callable[[str], None] | None = None,
                  problems=None) -> int:
    """Write one full-JSON export (a JSON array, to the text file `out`) joining the tasks of
    several exports by `join_key`; returns how many tasks it wrote.

    The first source's copy of an article is the merged task (its id, data, meta, project);
    the others add their annotations and any prediction not already there (the same
    model_version and result is the same prediction: an annotation's `parent_prediction`
    is pointed at the copy that is kept). Each merged task lists where it came from under
    `annotate_family`. A doc_id seen with two different texts is told to `warn` and kept
    apart. The articles and their parts wait in a temporary SQLite file (`_MergeStore`), so
    memory holds one task at a time however large the family is.
    """
    from .exportfile import iter_export

    say = warn or (lambda _m: None)
    with _MergeStore() as store:
        for source in sources:
            for task in iter_export(source.path, problems):
                key = join_key(task)
                if key is None:
                    store.add_unjoined(task)
                    continue
                origin = {"project": source.project_id, "title": source.title,
                          "task": task.get("id") if isinstance(task, dict) else None}
                doc, digest = key
                if doc is not None:
                    first = store.first_text(doc, digest, source.title)
                    if first[0] != digest:
                        say(f"doc_id {doc!r} has a different text in {source.title!r} than in {first[1]!r}: "
                            "kept apart (the annotations are not compared)")
                annotations = [a for a in task.get("annotations") or () if isinstance(a, dict)] \
                    if isinstance(task.get("annotations"), list) else []
                predictions = task.get("predictions") if isinstance(task.get("predictions"), list) else []
                article, new = store.article(key, task)
                remap: dict[object, object] = {}
                for pred in predictions:
                    if not isinstance(pred, dict):
                        if new:  # ids only (a quick export): the first copy's
                            store.add_part(article, "predictions", pred)
                        continue
                    content = _prediction_key(pred)
                    kept = store.kept_prediction(article, content, pred.get("id"))
                    if kept is not _NEW:
                        remap[pred.get("id")] = kept
                        continue
                    store.add_part(article, "predictions", pred)
                for ann in annotations:
                    if ann.get("parent_prediction") in remap:
                        ann = {**ann, "parent_prediction": remap[ann["parent_prediction"]]}
                    ann.setdefault("task", origin["task"])
                    ann.setdefault("project", source.project_id)
                    store.add_part(article, "annotations", ann)
                store.add_part(article, FAMILY_KEY, origin)
        out.write("[")
        count = 0
        for i, line in enumerate(store.tasks()):
            out.write(",\n" if i else "\n")
            out.write(line)
            count += 1
        out.write("\n]\n")
    return count


_NEW = object()  # _MergeStore.kept_prediction: a prediction not seen on the article before


class _MergeStore:
    """merge_exports' articles on disk (SQLite in a temporary directory), in first-seen order.

    An article is the JSON of its first copy with empty `annotations`, `predictions` and
    `annotate_family` (their places in the object kept), plus its parts: each annotation,
    prediction and origin as JSON, in the order they were added. `tasks()` puts each article
    together again and gives its JSON, the text `json.dumps(task, ensure_ascii=False)` gave
    when the whole merge was held in memory: JSON keeps the order of an object's keys, and
    every value here came from JSON and goes back to it unchanged."""

    def __init__(self):
        import sqlite3

        self._dir = tempfile.TemporaryDirectory(prefix="annotate-family-")
        self._db = sqlite3.connect(os.path.join(self._dir.name, "merge.db"))
        self._db.executescript("""
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
            CREATE TABLE article (seq INTEGER PRIMARY KEY, key TEXT UNIQUE, json TEXT NOT NULL);
            CREATE TABLE part (n INTEGER PRIMARY KEY, article INTEGER NOT NULL, field TEXT NOT NULL,
                               json TEXT NOT NULL);
            CREATE INDEX part_of ON part (article, n);
            CREATE TABLE prediction (article INTEGER NOT NULL, content TEXT NOT NULL, kept TEXT NOT NULL,
                                     PRIMARY KEY (article, content));
            CREATE TABLE doc (doc TEXT PRIMARY KEY, digest TEXT NOT NULL, title TEXT NOT NULL);
        """)

    def __enter__(self) -> _MergeStore:
        return self

    def __exit__(self, *exc) -> None:
        self._db.close()
        self._dir.cleanup()

    def add_unjoined(self, task) -> None:
        """A task without text: passed on as it is, never joined."""
        self._db.execute("INSERT INTO article (key, json) VALUES (NULL, ?)", (_dump(task),))

    def first_text(self, doc: str, digest: str, title: str) -> tuple[str, str]:
        """(text hash, source title) where doc_id `doc` was first seen (now, if it was not)."""
        self._db.execute("INSERT OR IGNORE INTO doc VALUES (?, ?, ?)", (doc, digest, title))
        return self._db.execute("SELECT digest, title FROM doc WHERE doc = ?", (doc,)).fetchone()

    def article(self, key: tuple, task: dict) -> tuple[int, bool]:
        """(the article's row, whether this task starts it) for a joined task's key."""
        text = json.dumps(list(key), ensure_ascii=False)
        row = self._db.execute("SELECT seq FROM article WHERE key = ?", (text,)).fetchone()
        if row is not None:
            return row[0], False
        base = {**task, "annotations": [], "predictions": [], FAMILY_KEY: []}
        return self._db.execute("INSERT INTO article (key, json) VALUES (?, ?)", (text, _dump(base))).lastrowid, True

    def kept_prediction(self, article: int, content: str, ident) -> object:
        """The id of the article's prediction with this content, or _NEW (and `ident` is kept)."""
        digest = sha256_text(content)
        row = self._db.execute("SELECT kept FROM prediction WHERE article = ? AND content = ?",
                               (article, digest)).fetchone()
        if row is not None:
            return json.loads(row[0])
        self._db.execute("INSERT INTO prediction VALUES (?, ?, ?)", (article, digest, json.dumps(ident)))
        return _NEW

    def add_part(self, article: int, name: str, value) -> None:
        self._db.execute("INSERT INTO part (article, field, json) VALUES (?, ?, ?)", (article, name, _dump(value)))

    def tasks(self) -> Iterator[str]:
        """Each merged task's JSON, in the order the articles were first seen."""
        reader = self._db.cursor()
        for seq, key, text in reader.execute("SELECT seq, key, json FROM article ORDER BY seq"):
            if key is None:
                yield text
                continue
            task = json.loads(text)
            for name, part in self._db.execute("SELECT field, json FROM part WHERE article = ? ORDER BY n", (seq,)):
                task[name].append(json.loads(part))
            yield _dump(task)


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def download_family_export(client, family: Family, progress: Callable[[str], None] | None = None,
                           warn: Callable[[str], None] | None = None) -> Path:
    """Export every project of the family and merge them into one temporary JSON file
    (the caller removes it). One export snapshot per project, no per-task requests."""
    from . import studio

    say = progress or (lambda _m: None)
    parts: list[Source] = []
    try:
        for project in family.projects:
            fd, tmp = tempfile.mkstemp(prefix="annotate-export-", suffix=".json")
            parts.append(Source(project.title, project.id, Path(tmp)))
            with os.fdopen(fd, "wb") as fh:
                say(f"exporting project {project.id} ({project.title})")
                studio.download_export(client, project.id, fh, progress)
        fd, merged = tempfile.mkstemp(prefix="annotate-family-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                count = merge_exports(parts, out, warn=warn)
        except BaseException:
            os.unlink(merged)
            raise
        say(f"joined {len(parts)} projects into {count} tasks")
        return Path(merged)
    finally:
        for part in parts:
            try:
                os.unlink(part.path)
            except OSError:
                pass


def origins(task: dict) -> list[dict]:
    """Where a merged task came from ([] for a task of one project)."""
    found = task.get(FAMILY_KEY) if isinstance(task, dict) else None
    return [o for o in found if isinstance(o, dict)] if isinstance(found, list) else []


def review_projects(task: dict) -> set | None:
    """The ids of the family's head project(s) a merged task came from, or None for a task of
    one project (not joined by merge_exports). A member's title is `T · <email>`: the head is
    the title without the separator, or (a title that holds one, not made by annotate) the
    title T of which another origin is a member."""
    if not isinstance(task, dict) or FAMILY_KEY not in task:
        return None
    found = origins(task)
    titles = [str(o.get("title") or "") for o in found]
    return {o.get("project") for o, t in zip(found, titles, strict=True)
            if SEP not in t or any(other.startswith(t + SEP) for other in titles)}


def head_task(task: dict, head_id: int | None) -> int | None:
    """The id of the article's task in the family's head project, or None."""
    if head_id is None:
        return None
    return next((o["task"] for o in origins(task) if o.get("project") == head_id), None)


def importable(task: dict) -> dict:
    """What to import into another project of the family for this article: its data, meta and
    pre-annotations (not `adjudicate`'s review copies), shaped for Label Studio's import."""
    from .gold import is_review_copy

    preds = []
    for p in task.get("predictions") or ():
        if isinstance(p, dict) and isinstance(p.get("result"), list) and not is_review_copy(p):
            preds.append({k: p[k] for k in ("model_version", "score", "result") if p.get(k) is not None})
    out = {"data": task.get("data") or {}, "predictions": preds}
    if isinstance(task.get("meta"), dict) and task["meta"]:
        out["meta"] = task["meta"]
    return out


def iter_importable(paths: Iterable[Path], problems=None) -> Iterator[tuple[str, dict]]:
    """(where, task to import) for every task of these export files."""
    from .exportfile import iter_export

    for path in paths:
        for n, task in enumerate(iter_export(path, problems), 1):
            if isinstance(task, dict) and isinstance(task.get("data"), dict):
                yield f"task {task.get('id', n)}", importable(task)
