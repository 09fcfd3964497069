"""Red team: the multi-annotator path (blind double annotation families, agree, adjudicate,
pull over a family) fed with what annotators and hand-broken exports really do.

Unit tier: member exports built here and joined with `family.merge_exports`, as
`--project T` does with the projects' downloads. Studio tier: the same on a real Label Studio
with each annotator working through their own account's token."""

from __future__ import annotations

import copy
import io
import json
import re
import uuid

import pytest
from click.testing import CliRunner

from annotate.adjudicate import plan_adjudication
from annotate.cli import cli
from annotate.family import Source, member_title, merge_exports

from .test_agreement import annotation, region, rel

TEXT = 'Peskov said "We are open to dialogue with Washington." He added that talks were possible.'
TITLE = "Quotes"
A, B, LEAD = 11, 12, 1
A_MAIL, B_MAIL = "ann@example.org", "bob@example.org"


def result(quote_type: str = "direct") -> list[dict]:
    """A full annotation of TEXT: Peskov said the quote; `quote_type` is what annotators differ on."""
    return (region("sp", "Speaker", TEXT, "Peskov")
            + region("q1", "Quote", TEXT, '"We are open to dialogue with Washington."', quote_type=quote_type)
            + [rel("q1", "sp", "said_by")])


def member_task(tid: int, project: int, annotations: list[dict]) -> dict:
    for a in annotations:
        a["project"], a["task"] = project, tid
    return {"id": tid, "project": project,
            "data": {"text": TEXT, "doc_id": "doc1", "targets": [{"value": "United States"}]},
            "annotations": annotations,
            "predictions": [{"id": tid, "model_version": "annotate-rules-0.3", "result": result()}]}


def merged(tmp_path, projects: dict[tuple[str, int], list[dict]]) -> list[dict]:
    """The family export `--project T` reads: each project's export joined by merge_exports."""
    sources = []
    for n, ((title, pid), tasks) in enumerate(projects.items()):
        path = tmp_path / f"p{n}.json"
        path.write_text(json.dumps(tasks))
        sources.append(Source(title, pid, path))
    out = io.StringIO()
    merge_exports(sources, out)
    return json.loads(out.getvalue())


# --- an annotator's own star in their own project ---------------------------------------------


def starred_family(tmp_path, head: list[dict] | None = None) -> list[dict]:
    """Ann and Bob disagree on the quote_type; Ann starred her own annotation (ground truth) in
    her own project, which every member of an open-source organisation can do."""
    projects = {
        (member_title(TITLE, A_MAIL), 2): [member_task(21, 2, [annotation(1, A, result("direct"), 5.0,
                                                                            ground_truth=True)])],
        (member_title(TITLE, B_MAIL), 3): [member_task(31, 3, [annotation(2, B, result("mixed"), 5.0)])],
    }
    if head is not None:
        projects = {(TITLE, 1): [member_task(41, 1, head)], **projects}
    return merged(tmp_path, projects)


def test_an_annotators_own_star_does_not_settle_a_family_dispute(tmp_path):
    """Blind double annotation: the two versions disagree, so the article goes to the lead's
    review. Ann's star on her own annotation, in her own project, is not a review: before, the
    plan called the article `resolved` (left alone, no review copies) and `pull` took Ann's
    version as the gold."""
    plan = plan_adjudication(starred_family(tmp_path), {A: A_MAIL, B: B_MAIL}, family_head=None)
    assert len(plan.resolved) == 0
    assert len(plan.disputed) == 1
    assert sorted(r["annotator"] for r in plan.disputed[0]["review"]) == [A_MAIL, B_MAIL]


def test_the_leads_ground_truth_in_the_review_project_settles_it(tmp_path):
    """The lead's starred annotation in the family's head project T is the resolution."""
    lead = annotation(3, LEAD, result("mixed"), 9.0, ground_truth=True)
    plan = plan_adjudication(starred_family(tmp_path, head=[lead]), {A: A_MAIL, B: B_MAIL, LEAD: "lead@example.org"},
                             family_head=1)
    assert [(r["annotation_id"], r["annotator"]) for r in plan.resolved] == [(3, "lead@example.org")]
    assert len(plan.disputed) == 0


def test_an_agreed_copy_in_the_review_project_is_settled_until_its_annotator_submits_again(tmp_path):
    """adjudicate --apply copied the agreed version into T as ground truth under Ann's name. A
    re-run leaves it alone. Once Ann submits a new version in her own project the copy no
    longer stands for her (a copy does not follow its original): the article is compared
    again, and the stale copy is not what settles it."""
    copied = annotation(3, A, result("direct"), 5.0, ground_truth=True)
    projects = {
        (TITLE, 1): [member_task(41, 1, [copied])],
        (member_title(TITLE, A_MAIL), 2): [member_task(21, 2, [annotation(1, A, result("direct"), 5.0)])],
        (member_title(TITLE, B_MAIL), 3): [member_task(31, 3, [annotation(2, B, result("direct"), 5.0)])],
    }
    names = {A: A_MAIL, B: B_MAIL}
    plan = plan_adjudication(merged(tmp_path, projects), names, family_head=1)
    assert [r["annotation_id"] for r in plan.resolved] == [3] and not plan.agreed and not plan.disputed

    projects[(member_title(TITLE, A_MAIL), 2)][0]["annotations"].append(annotation(4, A, result("mixed"), 5.0))
    plan = plan_adjudication(merged(tmp_path, projects), names, family_head=1)
    assert not plan.resolved and len(plan.disputed) == 1


def test_a_ground_truth_twice_by_one_annotator_settles_a_single_project():
    """One project: the lead starred Ann's first annotation; Ann later added a second one.
    `pull` exports the starred one, so adjudicate leaves the task alone (before, it looked
    only at each annotator's latest annotation and marked a second ground truth)."""
    from .test_agreement import task

    one = task(1, TEXT, [annotation(1, A, result("direct"), 5.0, ground_truth=True),
                         annotation(2, B, result("mixed"), 5.0), annotation(3, A, result("mixed"), 5.0)])
    plan = plan_adjudication([one], {A: A_MAIL, B: B_MAIL})
    assert [r["annotation_id"] for r in plan.resolved] == [1] and not plan.agreed


def test_pull_of_a_family_ignores_an_annotators_own_star(tmp_path):
    """`pull --project T` of the starred family: no review happened, so the gold is the most
    recent annotation (Bob's, 00:00:02), not Ann's self-starred one (00:00:01), and it is
    not a ground truth."""
    from annotate.pull import process_task

    (task,) = starred_family(tmp_path)
    outcome = process_task(task, users={A: A_MAIL, B: B_MAIL})
    assert outcome.status == "gold"
    assert outcome.record["provenance"]["annotation"] == 2
    assert outcome.record["provenance"]["ground_truth"] is False
    assert outcome.disagreement



def test_edit_report_of_a_family_takes_the_annotation_pull_takes(tmp_path):
    """`report` measures the final annotation, the one `pull` exports: in the starred family
    that is Bob's (the most recent), not Ann's self-starred one."""
    from annotate.editreport import final_annotation

    (task,) = starred_family(tmp_path)
    assert final_annotation(task)["id"] == 2


# --- studio tier ------------------------------------------------------------------------------


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def push_family(studio_env, prefix: str):
    """One seed article pushed to a new blind family of Ann and Bob (fresh accounts):
    (title, ann's e-mail, bob's e-mail, their passwords, an admin client, the Family)."""
    from annotate import studio as ls
    from annotate.family import find_family

    from .conftest import SEEDS

    tag = uuid.uuid4().hex[:8]
    title = f"{prefix} {tag}"
    a, b = f"ann-{tag}@example.org", f"bob-{tag}@example.org"
    seed = sorted(SEEDS.glob("*.txt"))[0]
    pushed = run("push", str(seed), "--project", title, "--annotators", f"{a},{b}")
    assert pushed.exit_code == 0, pushed.output
    passwords = dict(re.findall(r"New account (\S+) with password (\S+)", pushed.stdout))
    admin = ls.connect(studio_env.url, studio_env.token)
    return title, a, b, passwords, admin, find_family(admin, title)


def test_annotator_star_in_own_project_goes_to_review_on_a_real_server(studio_env):
    """On Label Studio: Ann and Bob annotate one article in their own projects through their own
    accounts and disagree on a quote_type; Ann stars her annotation with her own token. Before,
    adjudicate said `resolved` and wrote nothing (no review project even); now the article is
    disputed and both versions become review tabs in T."""
    from label_studio_sdk import LabelStudio

    from annotate import studio as ls
    from annotate.users import user_token


    title, a, b, passwords, admin, family = push_family(studio_env, "Star")
    for email in (a, b):
        client = LabelStudio(base_url=studio_env.url, api_key=user_token(studio_env.url, email, passwords[email]))
        (ref,) = ls.iter_task_index(admin, family.members[email].id)
        res = copy.deepcopy(client.tasks.get(ref.id).predictions[0].result)
        if email == b:
            item = next(r for r in res if r["from_name"] == "quote_type")
            item["value"]["choices"] = ["indirect" if item["value"]["choices"] != ["indirect"] else "direct"]
        made = client.annotations.create(id=ref.id, result=res, lead_time=3.0)
        if email == a:
            client.annotations.update(id=made.id, ground_truth=True)
            assert client.annotations.get(id=made.id).ground_truth is True  # allowed to any member
    result = run("adjudicate", "--project", title, "--apply", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["counts"]["resolved"] == 0 and report["counts"]["disputed"] == 1
    assert report["counts"]["review_created"] == 2
    head = ls.find_project(admin, title)
    (task,) = ls.export_tasks(admin, head.id)
    assert sorted(p["model_version"] for p in task["predictions"] if p["model_version"].endswith(" (annotator)")) \
        == sorted(f"{e} (annotator)" for e in (a, b))


# --- annotators removed from the organisation -------------------------------------------------


def two_removed_disagree() -> list[dict]:
    """One task, two annotators (ids 4 and 5) who disagree on the quote_type; both were removed
    from the organisation since, so Label Studio's user list names each of them "Deleted"."""
    from .test_agreement import task

    return [task(1, TEXT, [annotation(1, 4, result("direct"), 5.0), annotation(2, 5, result("mixed"), 7.0)])]


REMOVED = {4: "Deleted", 5: "Deleted", 6: "kim@example.org"}


def test_two_removed_annotators_are_two_annotators_in_agree():
    """Before: one row "Deleted" with tasks 2, and a pair "Deleted / Deleted" (a person compared
    with themselves)."""
    from annotate.agreement import compute_agreement

    report = compute_agreement(two_removed_disagree(), REMOVED)
    assert [(r["annotator"], r["tasks"]) for r in report["annotators"]] == \
        [("Deleted (user 4)", 1), ("Deleted (user 5)", 1)]
    (pair,) = report["pairs"]
    assert (pair["a"], pair["b"]) == ("Deleted (user 4)", "Deleted (user 5)")


def test_two_removed_annotators_get_two_review_tabs():
    """Before: both versions were queued as model_version "Deleted (annotator)"; the next run
    found one copy under that name and overwrote it with the other version, every run."""
    plan = plan_adjudication(two_removed_disagree(), REMOVED)
    (item,) = plan.disputed
    assert [r["model_version"] for r in item["review"]] == \
        ["Deleted (user 4) (annotator)", "Deleted (user 5) (annotator)"]
    # the review copies as --requeue made them: the re-run finds each one present
    task = two_removed_disagree()[0]
    task["predictions"] = [{"id": 10 + n, "model_version": r["model_version"], "result": r["_result"]}
                           for n, r in enumerate(item["review"])]
    again = plan_adjudication([task], REMOVED)
    assert [r["need"] for r in again.disputed[0]["review"]] == ["present", "present"]


def test_exclude_takes_the_name_the_table_shows():
    from annotate.agreement import compute_agreement, distinct_names
    from annotate.annotations import without_annotators

    tasks = [dict(t, annotations=t["annotations"] + [annotation(3, 6, result("direct"), 1.0)])
             for t in two_removed_disagree()]
    kept = list(without_annotators(tasks, distinct_names(REMOVED), ["Deleted (user 5)"]))
    report = compute_agreement(kept, REMOVED)
    assert [r["annotator"] for r in report["annotators"]] == ["Deleted (user 4)", "kim@example.org"]


def test_two_removed_annotators_on_a_real_server(studio_env):
    """Two annotators disagree on one task, then both are removed from the organisation
    (Label Studio lists each as "Deleted"): agree shows two annotators, and adjudicate's two
    review tabs keep both versions across re-runs (before: one name, overwritten each run)."""
    from label_studio_sdk import LabelStudio

    from annotate import studio as ls
    from annotate.users import ensure_accounts, user_token

    from .conftest import SEEDS

    tag = uuid.uuid4().hex[:8]
    title = f"Removed {tag}"
    seed = sorted(SEEDS.glob("*.txt"))[0]
    assert run("push", str(seed), "--project", title).exit_code == 0
    admin = ls.connect(studio_env.url, studio_env.token)
    pid = ls.find_project(admin, title).id
    (ref,) = ls.iter_task_index(admin, pid)
    accounts = ensure_accounts(studio_env.url, studio_env.token, [f"x-{tag}@example.org", f"y-{tag}@example.org"])
    versions = {}
    for n, acc in enumerate(accounts):
        client = LabelStudio(base_url=studio_env.url, api_key=user_token(studio_env.url, acc.email, acc.password))
        res = copy.deepcopy(client.tasks.get(ref.id).predictions[0].result)
        if n:
            item = next(r for r in res if r["from_name"] == "quote_type")
            item["value"]["choices"] = ["indirect" if item["value"]["choices"] != ["indirect"] else "direct"]
        client.annotations.create(id=ref.id, result=res, lead_time=2.0)
        versions[acc.id] = res
    org = admin.users.whoami().active_organization
    for acc in accounts:
        admin.organizations.members.delete(id=org, user_pk=acc.id)
    names = [f"Deleted (user {acc.id})" for acc in accounts]
    report = json.loads(run("agree", "--project", str(pid), "--json").stdout)
    assert [r["annotator"] for r in report["annotators"]] == sorted(names)
    for _ in range(2):
        result = run("adjudicate", "--project", str(pid), "--apply", "--requeue", "--json")
        assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"]["review_present"] == 2
    (task,) = ls.export_tasks(admin, pid)
    review = {p["model_version"]: p["result"] for p in task["predictions"] if p["model_version"].endswith(" (annotator)")}
    assert review == {f"Deleted (user {acc.id}) (annotator)": versions[acc.id] for acc in accounts}


# --- a hand-made export built to be slow ------------------------------------------------------


def test_many_overlapping_spans_are_matched_in_bounded_memory():
    """Two annotators with 520 mutually overlapping Speaker spans each on one task (270,400
    candidate pairs): the overlap matching keeps 16 bytes a candidate in arrays, not a Python
    tuple with a float (117 bytes a pair measured before; 2,000 spans each took 39 s and
    700 MB for one task), and gives the pairs the tuple sort gave."""
    import tracemalloc

    from annotate.agreement import match_spans

    n = 520
    a = [{"start": i % 500, "end": i % 500 + 5000} for i in range(n)]
    b = [{"start": (i + 3) % 500, "end": (i + 3) % 500 + 5000} for i in range(n)]
    tracemalloc.start()
    try:
        pairs = match_spans(a, b)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak / (n * n) < 80
    # the reference: every overlapping pair as (-IoU, i, j), sorted, taken greedily
    candidates = sorted((-(min(s["end"], t["end"]) - max(s["start"], t["start"]))
                         / (max(s["end"], t["end"]) - min(s["start"], t["start"])), i, j)
                        for i, s in enumerate(a) for j, t in enumerate(b))
    used_a, used_b, expected = set(), set(), []
    for _, i, j in candidates:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            expected.append((i, j))
    assert pairs == expected


def test_a_page_long_speaker_span_is_read_as_a_name_by_its_end():
    """Speaker equivalence reads names; a Speaker span of a whole page is tokenised only in its
    last characters (4,000 such spans took 80 s)."""
    from annotate.agreement import name_tokens

    assert name_tokens("word " * 100_000 + "Retired Lt. Gen. Michael Flynn")[-2:] == ("michael", "flynn")
    assert len(name_tokens("word " * 100_000)) < 100


def test_second_annotator_in_a_real_browser_sees_only_their_own_project(studio_env, browser):
    """Bob logs in to Label Studio in chromium with the password `push --annotators` printed.
    On his own project's task he sees the pre-annotation, not Ann's annotation (her e-mail,
    which the labeling UI shows on an annotation's tab, is nowhere on the page; on Ann's
    project, which open-source Label Studio lets him open, it is: the check can see it). He
    submits in the UI; agree and adjudicate then compare both versions."""
    from label_studio_sdk import LabelStudio

    from annotate import studio as ls
    from annotate.users import user_token

    from .conftest import UI_TIMEOUT, wait_for_labeling

    title, a, b, passwords, admin, family = push_family(studio_env, "Browser")
    ann = LabelStudio(base_url=studio_env.url, api_key=user_token(studio_env.url, a, passwords[a]))
    (ref_a,) = ls.iter_task_index(admin, family.members[a].id)
    res = copy.deepcopy(ann.tasks.get(ref_a.id).predictions[0].result)
    first = next(r["id"] for r in res if r["type"] == "labels")
    ann.annotations.create(id=ref_a.id, result=[r for r in res if r.get("id") != first], lead_time=4.0)
    (ref_b,) = ls.iter_task_index(admin, family.members[b].id)

    page = browser.new_page(viewport={"width": 1600, "height": 1200})
    page.set_default_timeout(UI_TIMEOUT)
    try:
        page.goto(studio_env.url + "/user/login/")
        page.fill("input[name=email]", b)
        page.fill("input[name=password]", passwords[b])
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/user/login" not in url)
        page.goto(f"{studio_env.url}/projects/{family.members[a].id}/data?task={ref_a.id}")
        wait_for_labeling(page)
        assert a in page.content()  # the control: Ann's tab names her
        page.goto(f"{studio_env.url}/projects/{family.members[b].id}/data?task={ref_b.id}")
        wait_for_labeling(page)
        assert a not in page.content()
        seen = page.evaluate(f"() => fetch('/api/tasks/{ref_b.id}').then(r => r.json())")
        assert seen["annotations"] == [] and len(seen["predictions"]) == 1
        page.get_by_role("button", name=re.compile("^Submit")).first.click()
        wait = 0
        while not list(admin.annotations.list(id=ref_b.id)) and wait < 60:
            page.wait_for_timeout(1000)
            wait += 1
    finally:
        page.close()
    (submitted,) = admin.annotations.list(id=ref_b.id)
    assert not submitted.was_cancelled
    report = json.loads(run("agree", "--project", title, "--json").stdout)
    assert report["tasks"]["compared"] == 1 and report["tasks"]["disputed"] == 1
    assert sorted(r["annotator"] for r in report["annotators"]) == sorted([a, b])
    plan = json.loads(run("adjudicate", "--project", title, "--json").stdout)
    assert plan["counts"]["disputed"] == 1 and plan["counts"]["review_needed"] == 2


def test_a_head_title_holding_the_separator_is_still_the_head(tmp_path):
    """`--project "A · B"` finds the family of a head titled "A · B" made by hand (members
    "A · B · <email>"): the lead's star in that head settles the article."""
    from annotate.family import review_projects

    title = f"Quotes{' · '}2024"
    lead = annotation(3, LEAD, result("mixed"), 9.0, ground_truth=True)
    family = merged(tmp_path, {
        (title, 1): [member_task(41, 1, [lead])],
        (member_title(title, A_MAIL), 2): [member_task(21, 2, [annotation(1, A, result("direct"), 5.0)])],
        (member_title(title, B_MAIL), 3): [member_task(31, 3, [annotation(2, B, result("mixed"), 5.0)])],
    })
    assert review_projects(family[0]) == {1}
    plan = plan_adjudication(family, {A: A_MAIL, B: B_MAIL, LEAD: "lead@example.org"}, family_head=1)
    assert [r["annotation_id"] for r in plan.resolved] == [3]


# --- accounts: a server that is not quite Label Studio ---------------------------------------


@pytest.fixture
def odd_server():
    """A local HTTP server with Label Studio's signup and login forms whose JSON answers are
    set by the test (`server.answers[path] = body`)."""
    import http.server
    import threading

    answers: dict[str, bytes] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, code: int, body: bytes = b"", headers: dict | None = None):
            self.send_response(code)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            path = self.path.split("?")[0].strip("/")
            if path in ("user/signup", "user/login"):
                form = b'<form><input name="csrfmiddlewaretoken" value="tok"></form>'
                self._send(200, form, {"Set-Cookie": "csrftoken=tok; Path=/", "Content-Type": "text/html"})
            elif path in answers:
                self._send(200, answers[path], {"Content-Type": "application/json"})
            else:
                self._send(404)

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path = self.path.split("?")[0].strip("/")
            if path in ("user/signup", "user/login"):
                self._send(302, b"", {"Location": "/projects/"})
            elif path in answers:
                self._send(201, answers[path], {"Content-Type": "application/json"})
            else:
                self._send(404)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.answers = answers
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("body", [b"[]", b'"ok"', b"null", b"7"])
def test_signup_answered_with_json_that_is_not_an_object_is_one_line(odd_server, body):
    """After the signup form, the new account is read back from whoami; a server answering
    a list or a string there raised AttributeError (a traceback) instead of one line."""
    from annotate.errors import ConnectionFailed
    from annotate.users import sign_up

    odd_server.answers["api/current-user/whoami"] = body
    with pytest.raises(ConnectionFailed, match="is this a Label Studio URL"):
        sign_up(odd_server.url, "invite", "ann@example.org", "a-long-password")


@pytest.mark.parametrize("body", [b"[]", b'"ok"', b"null"])
def test_user_token_answered_with_json_that_is_not_an_object_is_one_line(odd_server, body):
    from annotate.errors import ConnectionFailed
    from annotate.users import user_token

    odd_server.answers["api/current-user/token"] = body
    odd_server.answers["api/current-user/reset-token"] = body
    odd_server.answers["api/token"] = body
    with pytest.raises(ConnectionFailed, match="is this a Label Studio URL"):
        user_token(odd_server.url, "ann@example.org", "a-long-password")
