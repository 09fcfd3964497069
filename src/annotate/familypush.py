"""`push --annotators`: blind double annotation, one project per annotator (see annotate.family).

`push_family` makes the accounts (annotate.users), a project `T · <email>` per annotator with
our labeling config, and pushes the same tasks into each, as `push` does for one project
(validated once, deduplicated by task_hash). An annotator new to an existing family first gets
every task the family already has. It sits above both `push` and `family`.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .family import (
    Family,
    check_title,
    find_family,
    iter_importable,
    member_title,
    parse_annotators,
)


@dataclass
class FamilyPushStats:
    """What `push --annotators` did (or, with dry_run, would do), one PushStats per annotator."""

    title: str
    dry_run: bool = False
    members: list = field(default_factory=list)  # [(email, PushStats)], in --annotators order
    accounts: list = field(default_factory=list)  # users.Account, one per annotator
    new_accounts: list[str] = field(default_factory=list)  # dry run: the e-mails that have no account
    notes: list[str] = field(default_factory=list)  # what happened to the family as a whole

    @property
    def invalid(self) -> int:  # the same input went to every member
        return max((s.invalid for _, s in self.members), default=0)

    @property
    def conflicts(self) -> int:
        return sum(s.conflicts for _, s in self.members)

    @property
    def failed(self) -> bool:
        return bool(self.invalid or self.conflicts)

    @property
    def problems(self) -> list[str]:
        """Each problem line once (an invalid task is reported by every member's push)."""
        seen: dict[str, None] = {}
        for _, s in self.members:
            seen.update(dict.fromkeys(s.problems))
        return list(seen)

    def summary(self) -> str:
        lines = [f"family {self.title!r}: {len(self.members)} annotator project(s)"]
        if self.dry_run and self.new_accounts:
            lines.append("would create accounts for " + ", ".join(self.new_accounts))
        made = [a.email for a in self.accounts if a.created]
        if made:
            lines.append("accounts created: " + ", ".join(made))
        had = [a.email for a in self.accounts if not a.created]
        if had:
            lines.append("accounts already there: " + ", ".join(had))
        lines += self.notes
        lines += [s.summary() for _, s in self.members]
        return "\n".join(lines)


def push_family(url: str, api_key: str | None, inputs: Iterable[str], title: str, annotators, *,
                batch_size: int = 500, dry_run: bool = False, warn: Callable[[str], None] | None = None,
                progress: Callable[[int], None] | None = None,
                on_account: Callable[[object], None] | None = None,
                jobs: int | None = None, fixed_targets: Iterable[str] = (), model=None) -> FamilyPushStats:
    """`annotate push INPUT --project T --annotators a@x.org,b@x.org`.

    Every annotator gets an account (`users.ensure_accounts`; `on_account` receives each one
    as soon as it is settled, so a generated password is shown even if a later step fails)
    and a project `T · <email>` with our labeling config, into which the input is pushed as
    `push` does (deduplicated by task_hash, updated by doc_id). An annotator new to an
    existing family first gets every task the family's other annotators have. Annotators of
    the family not named in `annotators` are left as they are (and the summary says so).
    Nothing is written with `dry_run`. The input is read once (spooled to a temporary file).
    """
    from . import studio
    from .errors import Interrupted
    from .push import PushStats, check_inputs, iter_input_tasks, push_tasks

    key = check_title(title)
    emails = parse_annotators(annotators)
    check_inputs(inputs)  # a bad path is a UsageError before anything is written
    stats = FamilyPushStats(key, dry_run=dry_run)
    client = studio.connect(url, api_key)
    family = find_family(client, key)
    new = [e for e in emails if e not in family.members]
    left = [e for e in family.members if e not in emails]
    if family.members and new:
        stats.notes.append(f"new in the family: {', '.join(new)} (given every task the family already has)")
    if left:
        stats.notes.append(f"in the family but not in --annotators, left as they are: {', '.join(left)}")
    if dry_run:
        from .users import list_accounts

        known = {str(a.get("email") or "").lower() for a in list_accounts(url, api_key)}
        stats.new_accounts = [e for e in emails if e not in known]
    else:
        from .users import ensure_accounts

        stats.accounts = ensure_accounts(url, api_key, emails, report=on_account)
    spool = _Spool()
    backfill: list[Path] = []
    try:
        spool.fill(iter_input_tasks(inputs, warn=warn, jobs=jobs, fixed_targets=fixed_targets, model=model))
        if family.members and new:
            backfill = _export_family_tasks(client, family)
        verdicts: dict[str, list[str]] = {}
        for n, email in enumerate(emails):
            member = PushStats(dry_run=dry_run, project_title=member_title(key, email))
            stats.members.append((email, member))
            project = family.members.get(email)
            if dry_run:
                pid = project.id if project is not None else None
                if project is not None:
                    member.project_id = project.id
            else:
                project, member.project_created = studio.ensure_project(client, member_title(key, email))
                pid = member.project_id = project.id
            if email in new and backfill:
                copied = PushStats(dry_run=dry_run)
                push_tasks(client, pid, iter_importable(backfill), batch_size=batch_size, dry_run=dry_run,
                           stats=copied, verdicts=verdicts)
                verb = "would copy" if dry_run else "copied"
                stats.notes.append(f"{email}: {verb} {copied.created} task(s) the family already had")
                if copied.invalid or copied.conflicts:
                    member.problems += copied.problems
                    member.invalid += copied.invalid
                    member.conflicts += copied.conflicts
            push_tasks(client, pid, spool.read(), batch_size=batch_size, dry_run=dry_run, stats=member,
                       progress=progress if n == 0 else None, verdicts=verdicts)
    except KeyboardInterrupt:
        done = "; ".join(s.summary() for _, s in stats.members) or "nothing pushed yet"
        raise Interrupted(f"{done}; re-running resumes (tasks already in a project are skipped)") from None
    finally:
        spool.close()
        for path in backfill:
            _unlink(path)
    return stats


class _Spool:
    """The input's (where, task) pairs in a temporary JSONL file: read once, pushed N times."""

    def __init__(self):
        fd, name = tempfile.mkstemp(prefix="annotate-push-", suffix=".jsonl")
        self.path = Path(name)
        self._fh = os.fdopen(fd, "w", encoding="utf-8")

    def fill(self, pairs: Iterable[tuple[str, dict]]) -> None:
        for where, task in pairs:
            self._fh.write(json.dumps([where, task], ensure_ascii=False) + "\n")
        self._fh.close()

    def read(self) -> Iterator[tuple[str, dict]]:
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                where, task = json.loads(line)
                yield where, task

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()
        _unlink(self.path)


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _export_family_tasks(client, family: Family) -> list[Path]:
    """Export files that together hold every task of the family's annotator projects: the
    largest project's, then any other project holding a task_hash the ones before lack
    (usually none: every annotator has the same tasks). The caller removes the files."""
    from . import studio

    members = sorted(family.members.values(), key=lambda p: -(p.task_number or 0))
    paths: list[Path] = []
    covered: set[str] = set()
    try:
        for project in members:
            hashes = {t.task_hash for t in studio.iter_task_index(client, project.id) if t.task_hash}
            if paths and not hashes - covered:
                continue
            covered |= hashes
            fd, tmp = tempfile.mkstemp(prefix="annotate-export-", suffix=".json")
            paths.append(Path(tmp))
            with os.fdopen(fd, "wb") as fh:
                studio.download_export(client, project.id, fh, None)
    except BaseException:
        for path in paths:
            _unlink(path)
        raise
    return paths
