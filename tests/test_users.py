"""`annotate users`: Label Studio accounts that can log in, made through the invite link.

The offline checks (e-mails, passwords, the password file) need nothing; the rest runs
against the session's real Label Studio, and one test logs in with a real headless Chromium
as an account made by `annotate users add`. Every test uses e-mails of its own (the server
is shared by the whole session).
"""

from __future__ import annotations

import re
import uuid

import pytest
from click.testing import CliRunner

from annotate import redact
from annotate import studio as ls
from annotate.cli import cli
from annotate.errors import AnnotateError, ConnectionFailed, UsageError
from annotate.users import (
    MAX_PASSWORD,
    MIN_PASSWORD,
    Account,
    LoginRefused,
    check_email,
    check_password,
    ensure_accounts,
    list_accounts,
    read_password_file,
    sign_up,
    unique_emails,
    user_token,
)

from .conftest import UI_TIMEOUT, free_port

CONFIG = '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="A"/></Choices></View>'
CREATED = re.compile(r"^Created: (\S+) \(id (\d+)\), password: (\S+)$", re.M)


def emails(*names: str) -> list[str]:
    """E-mails no other test uses: name-<random>@example.org."""
    tag = uuid.uuid4().hex[:8]
    return [f"{name}-{tag}@example.org" for name in names]


def run(*args: str):
    return CliRunner().invoke(cli, ["users", *args])


def logs_in(url: str, email: str, password: str) -> bool:
    try:
        user_token(url, email, password)
    except LoginRefused as exc:
        assert "refused the login" in str(exc), exc
        return False
    return True


# --- offline -------------------------------------------------------------------------------


@pytest.mark.parametrize("email", ["ann@example.org", " Ann@Example.ORG ", "x.y+z@sub.example.co.uk", "me@localhost"])
def test_check_email_accepts_addresses_and_lowercases_them(email):
    assert check_email(email) == email.strip().lower()


@pytest.mark.parametrize("email", ["", "ann", "ann@", "@example.org", "ann@example", "a b@example.org",
                                   "ann@@example.org", "ann@example..org"])
def test_check_email_refuses_what_is_not_an_address(email):
    with pytest.raises(UsageError, match="not a valid e-mail address"):
        check_email(email)


def test_unique_emails_checks_all_and_drops_duplicates_in_order():
    assert unique_emails(["b@x.org", "A@x.org", "a@x.org", "b@x.org"]) == ["b@x.org", "a@x.org"]
    with pytest.raises(UsageError):
        unique_emails(["good@x.org", "bad"])
    with pytest.raises(UsageError, match="no e-mail"):
        unique_emails([])


def test_check_password_follows_label_studios_length_rule():
    assert check_password("  eight888 \n") == "eight888"  # Label Studio's form strips, so do we
    assert check_password("x" * MAX_PASSWORD) == "x" * MAX_PASSWORD
    for bad in ("seven77", "x" * (MAX_PASSWORD + 1), "   ", ""):
        with pytest.raises(UsageError, match=f"{MIN_PASSWORD} to {MAX_PASSWORD}") as info:
            check_password(bad)
        assert bad.strip() == "" or bad not in str(info.value)


def test_read_password_file_takes_the_first_line(tmp_path):
    path = tmp_path / "pw.txt"
    path.write_text("first-line-pw\nsecond line\n", encoding="utf-8")
    assert read_password_file(path) == "first-line-pw"
    assert redact.redact("x first-line-pw y") == "x *** y"  # registered as a secret


@pytest.mark.parametrize("content, message", [
    (None, "not found"),
    ("", "is empty"),
    ("\nsecond-line-password\n", "is empty"),
    ("short\n", "the password has 5 characters"),
])
def test_read_password_file_errors(tmp_path, content, message):
    path = tmp_path / "pw.txt"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError, match=message) as info:
        read_password_file(path)
    assert "short" not in str(info.value)


def test_cli_password_file_problems_exit_2_before_any_network(tmp_path):
    # --url points at a closed port: the file is checked first, so the error is about the file
    closed = f"http://localhost:{free_port()}"
    missing = run("add", "a@example.org", "--password-file", str(tmp_path / "nope"), "--url", closed, "--api-key", "k" * 40)
    assert missing.exit_code == 2 and "password file not found" in missing.output
    (tmp_path / "empty").write_text("")
    empty = run("add", "a@example.org", "--password-file", str(tmp_path / "empty"), "--url", closed, "--api-key", "k" * 40)
    assert empty.exit_code == 2 and "is empty" in empty.output


def test_cli_unreachable_server_is_one_line_exit_3():
    result = run("add", "a@example.org", "--url", f"http://localhost:{free_port()}", "--api-key", "k" * 40)
    assert result.exit_code == 3, result.output
    assert "cannot reach Label Studio" in result.output and "Traceback" not in result.output
    assert run("list", "--url", f"http://localhost:{free_port()}", "--api-key", "k" * 40).exit_code == 3


# --- a real Label Studio -------------------------------------------------------------------


def test_add_two_accounts_then_rerun_changes_nothing(studio_env):
    a, b = emails("ann", "bob")
    first = run("add", a, b.upper())
    assert first.exit_code == 0, first.output
    created = {m[0]: (int(m[1]), m[2]) for m in CREATED.findall(first.output)}
    assert set(created) == {a, b}  # the e-mail as Label Studio stores it: lower case
    assert created[a][1] != created[b][1]  # a password of its own each
    assert "shown only this once" in first.output
    for email, (_, password) in created.items():
        assert len(password) >= MIN_PASSWORD
        assert logs_in(studio_env.url, email, password)

    again = run("add", a, b)
    assert again.exit_code == 0, again.output
    assert again.output.count("Exists:") == 2 and "Created" not in again.output
    assert f"{a} (id {created[a][0]}), unchanged" in again.output
    for email, (_, password) in created.items():  # the password still works
        assert logs_in(studio_env.url, email, password)

    listed = {u["email"]: u["id"] for u in list_accounts(studio_env.url, studio_env.token)}
    assert listed[a] == created[a][0] and listed[b] == created[b][0]


def test_password_file_gives_every_new_account_that_password(studio_env, tmp_path):
    existing, c, d = emails("old", "carl", "dora")
    old = ensure_accounts(studio_env.url, studio_env.token, [existing])[0]
    pw_file = tmp_path / "team-password.txt"
    pw_file.write_text("team-pass-123\nnot this line\n", encoding="utf-8")
    result = run("add", c, d, existing, "--password-file", str(pw_file))
    assert result.exit_code == 0, result.output
    assert "team-pass-123" not in result.output  # never printed
    assert result.output.count("password from") == 2 and f"Exists:  {existing}" in result.output
    assert logs_in(studio_env.url, c, "team-pass-123") and logs_in(studio_env.url, d, "team-pass-123")
    # the existing account kept its own password
    assert logs_in(studio_env.url, existing, old.password)
    assert not logs_in(studio_env.url, existing, "team-pass-123")


def test_ensure_accounts_library(studio):
    e, f = emails("eve", "fay")
    seen: list[Account] = []
    first = ensure_accounts(studio.url, studio.token, [e, f, e.upper()], report=seen.append)
    assert seen == first and [a.email for a in first] == [e, f]
    assert all(a.created and a.password and isinstance(a.id, int) for a in first)
    again = ensure_accounts(studio.url, studio.token, [f, e], password="ignored-pass")
    assert [(a.email, a.id, a.created, a.password) for a in again] == [(f, first[1].id, False, None),
                                                                       (e, first[0].id, False, None)]
    assert redact.redact(first[0].password) == redact.MASK


def test_invalid_email_creates_nothing(studio_env):
    (good,) = emails("gus")
    result = run("add", good, "not-an-email")
    assert result.exit_code == 2 and "not a valid e-mail address: 'not-an-email'" in result.output
    assert good not in {u["email"] for u in list_accounts(studio_env.url, studio_env.token)}


def test_wrong_key_is_exit_3(studio):
    result = run("add", *emails("hal"), "--url", studio.url, "--api-key", "0" * 40)
    assert result.exit_code == 3 and "refused the API key" in result.output, result.output
    assert run("list", "--url", studio.url, "--api-key", "0" * 40).exit_code == 3


def test_signup_refused_is_a_clear_error(studio):
    """A server that refuses the signup (signup disabled, or an invite link reset since it was
    read) answers 403: one line, and no account."""
    (ida,) = emails("ida")
    with pytest.raises(ConnectionFailed, match="refused to sign up .* invite link") as info:
        sign_up(studio.url, "not-the-organisations-token", ida, "ida-password-1")
    assert "ida-password-1" not in str(info.value)
    assert ida not in {u["email"] for u in list_accounts(studio.url, studio.token)}


def test_account_removed_from_the_organisation_is_named(studio):
    (jo,) = emails("jo")
    account = ensure_accounts(studio.url, studio.token, [jo])[0]
    client = ls.connect(studio.url, studio.token)
    org = client.users.whoami().active_organization
    client.organizations.members.delete(id=org, user_pk=account.id)
    listed = {u["id"]: u for u in list_accounts(studio.url, studio.token)}
    assert listed[account.id]["removed"]
    with pytest.raises(AnnotateError, match="already has an account .* not in your organisation"):
        ensure_accounts(studio.url, studio.token, [jo])


def test_concurrent_runs_for_one_email_make_one_account(studio):
    """Two runs signing the same e-mail up at once (two pushes with --annotators): one account;
    the run whose signup won reports it created with its password, the others as existing."""
    import threading

    (una,) = emails("una")
    results: list[Account] = []
    failures: list[BaseException] = []

    def run_one() -> None:
        try:
            results.extend(ensure_accounts(studio.url, studio.token, [una]))
        except BaseException as exc:  # noqa: BLE001  (reported below)
            failures.append(exc)

    threads = [threading.Thread(target=run_one) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
    assert len({a.id for a in results}) == 1
    created = [a for a in results if a.created]
    assert len(created) == 1 and logs_in(studio.url, una, created[0].password)
    assert all(a.password is None for a in results if not a.created)


def test_users_list_shows_the_accounts(studio_env):
    (kim,) = emails("kim")
    account = ensure_accounts(studio_env.url, studio_env.token, [kim])[0]
    table = run("list")
    assert table.exit_code == 0, table.output
    assert table.output.splitlines()[0].split() == ["ID", "EMAIL", "NAME", "LAST", "ACTIVE"]
    row = next(line for line in table.output.splitlines() if kim in line)
    assert row.split()[:2] == [str(account.id), kim]
    assert studio_env.username in table.output  # the admin is a member too
    as_json = run("list", "--json")
    import json

    entry = next(u for u in json.loads(as_json.output) if u["email"] == kim)
    assert entry["id"] == account.id and entry["removed"] is False


def test_user_token_annotates_as_that_user(studio):
    (lea,) = emails("lea")
    account = ensure_accounts(studio.url, studio.token, [lea])[0]
    admin = ls.connect(studio.url, studio.token)
    project = admin.projects.create(title=f"users test {uuid.uuid4().hex[:6]}", label_config=CONFIG)
    (task_id,) = ls.import_tasks(admin, project.id, [{"data": {"text": "Some text."}}])

    token = user_token(studio.url, lea, account.password)
    assert redact.redact(token) == redact.MASK
    as_lea = ls.connect(studio.url, token)
    assert as_lea.users.whoami().email == lea
    made = as_lea.annotations.create(id=task_id, result=[
        {"from_name": "c", "to_name": "text", "type": "choices", "value": {"choices": ["A"]}}])
    stored = admin.annotations.get(id=made.id)
    assert stored.completed_by == account.id != admin.users.whoami().id

    with pytest.raises(LoginRefused, match="refused the login"):
        user_token(studio.url, lea, "wrong-password")


def test_browser_login_as_an_account_made_by_users_add(studio_env, browser):
    (max_,) = emails("max")
    result = run("add", max_)
    assert result.exit_code == 0, result.output
    email, _uid, password = CREATED.findall(result.output)[0]
    admin = ls.connect(studio_env.url, studio_env.token)
    title = f"Visible to the team {uuid.uuid4().hex[:6]}"
    admin.projects.create(title=title, label_config=CONFIG)

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.set_default_timeout(UI_TIMEOUT)
    try:
        page.goto(studio_env.url + "/user/login/")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/user/login" not in url)
        page.goto(studio_env.url + "/projects/")
        page.get_by_text(title).first.wait_for()
        who = page.evaluate("() => fetch('/api/current-user/whoami').then(r => r.json())")
        assert who["email"] == email
    finally:
        page.close()


def test_user_token_makes_a_token_for_a_user_who_has_none(studio):
    """Label Studio 1.23 answers HTTP 500 on GET /api/current-user/token when the user has no
    legacy token row (its view does Token.objects.get). Delete Ivo's row in the server's own
    SQLite database, as an account made outside Label Studio's signup would be: user_token must
    still hand back a token that works as Ivo."""
    import sqlite3

    (ivo,) = emails("ivo")
    account = ensure_accounts(studio.url, studio.token, [ivo])[0]
    (db,) = studio.data_dir.rglob("label_studio.sqlite3")
    with sqlite3.connect(db, timeout=30) as conn:
        # (in the full suite's order an account may be made without the row: nothing to delete)
        conn.execute("DELETE FROM authtoken_token WHERE user_id = ?", (account.id,))
        left = conn.execute("SELECT count(*) FROM authtoken_token WHERE user_id = ?", (account.id,)).fetchone()
    assert left == (0,)

    token = user_token(studio.url, ivo, account.password)
    assert ls.connect(studio.url, token).users.whoami().email == ivo
