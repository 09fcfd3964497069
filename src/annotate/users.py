"""Label Studio accounts that can log in: `annotate users add` / `annotate users list`.

Open-source Label Studio (1.23) has no API that gives an account a password: `POST
/api/users/` makes an account without one, which cannot log in to the web UI. The supported
way is the organisation's invite link, the one the People page shows: the admin's API key
reads it (`GET /api/invite` -> `/user/signup/?token=...`), and each account is made by
submitting that signup form (a CSRF-protected HTML form) with the e-mail and a password.
Signing up through the link makes the account a member of the organisation, so it sees the
organisation's projects. This works against any server over HTTP; no shell on the server is
needed.

Public API (other modules rely on these names):

- `Account` — one e-mail's outcome: its user id, whether we created it, and the password
  when we did (None otherwise: we never change an existing account).
- `ensure_accounts(url, api_key, emails, password=None) -> list[Account]` — idempotent.
- `list_accounts(url, api_key) -> list[dict]` — the members of the admin's organisation.
- `user_token(url, email, password) -> str` — log in as that user and return an API token.

Passwords are registered with `redact.remember` and never appear in a message.
"""

from __future__ import annotations

import html
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import redact
from .errors import AnnotateError, ConnectionFailed, UsageError

# Label Studio's own rule (core/settings/base.py AUTH_PASSWORD_MIN_LENGTH / _MAX_LENGTH,
# checked by users.validators.PasswordLengthValidator on signup).
MIN_PASSWORD = 8
MAX_PASSWORD = 128
MAX_EMAIL = 255  # users.forms: an e-mail of 256 characters or more is refused
GENERATED_BYTES = 12  # secrets.token_urlsafe(12): 16 characters, 96 bits
TIMEOUT = 30.0

# Roughly what Django's EmailField accepts; the server has the last word.
_EMAIL = re.compile(r"^[^@\s<>\"',;]+@(?:localhost|[^@\s<>\"',;.]+(?:\.[^@\s<>\"',;.]+)+)$")


class AccountExists(AnnotateError):
    """The signup form says the e-mail already has an account on the server."""


class LoginRefused(ConnectionFailed):
    """Label Studio's login form did not accept the e-mail and password."""


class SignupUnsure(ConnectionFailed):
    """The server failed (HTTP 5xx) while signing an e-mail up: the account may exist or not."""


@dataclass
class Account:
    """One e-mail's outcome. `password` is set only when this call created the account."""

    email: str
    id: int | None
    created: bool
    password: str | None


# --- checks that need no server -----------------------------------------------------------


def check_email(email: str) -> str:
    """The e-mail, trimmed and lower-cased as Label Studio stores it; UsageError if it is not one."""
    value = (email or "").strip().lower()
    if not _EMAIL.match(value):
        raise UsageError(f"not a valid e-mail address: {redact.printable(email)!r}")
    if len(value) > MAX_EMAIL:
        raise UsageError(f"e-mail address too long ({len(value)} characters; Label Studio takes at most {MAX_EMAIL})")
    return value


def check_password(password: str) -> str:
    """The password as Label Studio will store it (its form strips surrounding whitespace);
    UsageError if Label Studio would refuse it. The message never contains the password."""
    value = (password or "").strip()
    redact.remember(value)
    if not MIN_PASSWORD <= len(value) <= MAX_PASSWORD:
        raise UsageError(f"the password has {len(value)} characters: Label Studio needs "
                         f"{MIN_PASSWORD} to {MAX_PASSWORD}")
    return value


def read_password_file(path: str | Path) -> str:
    """The password on the first line of `path` (surrounding whitespace removed, as Label
    Studio's form does), checked with `check_password`."""
    p = Path(path)
    try:
        with p.open(encoding="utf-8") as fh:
            first = fh.readline()
    except FileNotFoundError:
        raise UsageError(f"password file not found: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"password file is a directory: {path}") from None
    except UnicodeDecodeError:
        raise UsageError(f"password file is not UTF-8 text: {path}") from None
    except OSError as exc:
        raise UsageError(f"cannot read password file {path}: {exc.strerror or exc}") from None
    if not first.strip():
        raise UsageError(f"password file {path} is empty: put the password on its first line")
    try:
        return check_password(first)
    except UsageError as exc:
        raise UsageError(f"password file {path}: {exc}") from None


def generate_password() -> str:
    """A new random password (16 URL-safe characters), registered with `redact`."""
    value = secrets.token_urlsafe(GENERATED_BYTES)
    redact.remember(value)
    return value


def unique_emails(emails: list[str]) -> list[str]:
    """Every e-mail checked and lower-cased, duplicates dropped, order kept; all are checked
    before any account is made."""
    seen: dict[str, None] = {}
    for email in emails:
        seen.setdefault(check_email(email), None)
    if not seen:
        raise UsageError("no e-mail address given")
    return list(seen)


# --- the server ---------------------------------------------------------------------------


def ensure_accounts(url: str, api_key: str, emails: list[str], password: str | None = None, *,
                    report: Callable[[Account], None] | None = None) -> list[Account]:
    """An account that can log in for every e-mail, made through the organisation's invite link.

    An e-mail that already has an account in the admin's organisation is left as it is
    (`created=False`, `password=None`). A new one gets `password` (the same for every new
    account) or, without it, a generated password of its own, returned once in its Account.
    `report`, if given, receives each Account as soon as it is settled (so a caller can show
    a generated password even if a later account fails).

    Raises UsageError for a bad e-mail or password before anything is created,
    ConnectionFailed when the server is unreachable, refuses the key or refuses the signup
    (signup disabled, invite link reset), AnnotateError for an e-mail that has an account on
    the server outside the organisation.
    """
    wanted = unique_emails(emails)
    if password is not None:
        password = check_password(password)
    session = _AdminSession(url, api_key)
    members = session.member_ids()
    invite = session.invite_token() if any(e not in members for e in wanted) else None
    accounts = []
    for email in wanted:
        account = (Account(email, members[email], created=False, password=None) if email in members
                   else _create(session, invite, email, password or generate_password()))
        accounts.append(account)
        if report:
            report(account)
    return accounts


def _create(session: _AdminSession, invite: str, email: str, password: str) -> Account:
    """Sign `email` up with the invite token.

    When the server says the account exists, or fails (two runs signing the same e-mail up at
    once: the second gets HTTP 500 from the database's unique e-mail), the organisation is
    read again: an account that is a member now is ours if our password logs in (so a
    password is never lost), else a concurrent run's, existing.
    """
    try:
        uid, org = sign_up(session.url, invite, email, password)
    except (AccountExists, SignupUnsure):
        uid = session.member_ids().get(email)
        if uid is None:
            raise  # an account outside the organisation, or a server error
        ours = _logs_in(session.url, email, password)
        return Account(email, uid, created=ours, password=password if ours else None)
    if org is not None and session.org_id is not None and org != session.org_id:
        raise AnnotateError(f"{email} was created on {session.where} in organisation {org}, not in yours "
                            f"({session.org_id}): it will not see your projects")
    return Account(email, uid, created=True, password=password)


def list_accounts(url: str, api_key: str) -> list[dict]:
    """The accounts of the admin's organisation, by id: id, email, username, name,
    last_activity, date_joined (ISO strings or None), removed (a member removed from the
    organisation, whose e-mail Label Studio no longer shows).

    Whether an account has a password (can log in) is not in Label Studio's API: accounts
    made by `POST /api/users/` are listed like any other.
    """
    return sorted(_AdminSession(url, api_key).members(), key=lambda m: m["id"])


def user_token(url: str, email: str, password: str) -> str:
    """Log in as `email` through Label Studio's login form and return an API token of theirs.

    The user's legacy token when the organisation accepts legacy tokens, otherwise a new
    personal access token (refused if the user already has one: Label Studio shows a personal
    access token only once). The token is registered with `redact`.
    """
    redact.remember(password)
    web = _WebSession(url)
    try:
        web.log_in(check_email(email), password)
        token = _legacy_token(web)
        if isinstance(token, str) and token and web.token_works(token, "Token"):
            redact.remember(token)
            return token
        action = "create a personal access token"
        response = web.request("POST", "api/token/", action, expect=(201, 409))
        if response.status_code == 409:
            raise ConnectionFailed(
                f"{email} already has a personal access token on {web.where} and legacy tokens are off: "
                "Label Studio shows a personal access token only once (revoke it in Account & Settings)")
        token = web.json_object(response, action).get("token")
        if not isinstance(token, str) or not token:
            raise ConnectionFailed(f"unexpected answer from {web.where} while trying to {action}: "
                                   "is this a Label Studio URL?")
        redact.remember(token)
        return token
    finally:
        web.close()


def _legacy_token(web) -> str | None:
    """The logged-in user's legacy token. Label Studio 1.23 answers HTTP 500 when the user has
    none (its view does Token.objects.get) and, on SQLite under load, sometimes transiently: the
    read is tried three times, then the token is made with reset-token (which is what the
    Account page's "Reset" does; the user had no usable token to lose)."""
    for attempt in range(3):
        try:
            return web.api("GET", "api/current-user/token", "read the user's API token").get("token")
        except ConnectionFailed as exc:
            if "answered HTTP 5" not in str(exc):
                raise
            time.sleep(0.5 * (attempt + 1))
    action = "make the user's API token"
    response = web.request("POST", "api/current-user/reset-token/", action, expect=(200, 201))
    return web.json_object(response, action).get("token")


def _logs_in(url: str, email: str, password: str) -> bool:
    """Whether Label Studio's login form accepts this e-mail and password."""
    web = _WebSession(url)
    try:
        web.log_in(email, password)
        return True
    except LoginRefused:
        return False
    finally:
        web.close()


# --- plumbing -----------------------------------------------------------------------------


class _AdminSession:
    """The admin's side, through the one checked client of `studio.connect`."""

    def __init__(self, url: str, api_key: str):
        from . import studio

        self.studio = studio
        self.url = url
        self.client = studio.connect(url, api_key)
        self.where = studio.display_url(url)
        with studio.api_errors(self.client, "read the current user"):
            me = self.client.users.whoami()
        self.org_id = getattr(me, "active_organization", None)

    def members(self) -> list[dict]:
        with self.studio.api_errors(self.client, "list users"):
            users = self.client.users.list()
        return [_member(u) for u in users]

    def member_ids(self) -> dict[str, int]:
        """Lower-cased e-mail -> user id of the organisation's current members."""
        return {m["email"].lower(): m["id"] for m in self.members() if not m["removed"]}

    def invite_token(self) -> str:
        with self.studio.api_errors(self.client, "read the organisation's invite link"):
            invite = self.client.organizations.invites.get_invite_link()
        token = getattr(invite, "token", None)
        if not token:
            raise ConnectionFailed(f"Label Studio at {self.where} gave no invite link for your organisation")
        redact.remember(token)  # anyone holding it can sign up
        return token


def _member(user) -> dict:
    def text(name: str) -> str:
        value = getattr(user, name, None)
        return value if isinstance(value, str) else ""

    def when(name: str) -> str | None:
        value = getattr(user, name, None)
        return value.isoformat() if hasattr(value, "isoformat") else value

    name = " ".join(part for part in (text("first_name"), text("last_name")) if part)
    # Label Studio shows a member removed from the organisation as "Deleted User", e-mail
    # "Deleted" (users.serializers.BaseUserSerializer.to_representation).
    removed = text("email") == "Deleted" and name == "Deleted User"
    return {"id": user.id, "email": text("email"), "username": text("username"), "name": name,
            "last_activity": when("last_activity"), "date_joined": when("date_joined"), "removed": removed}


def sign_up(url: str, invite_token: str, email: str, password: str) -> tuple[int | None, int | None]:
    """Submit Label Studio's signup form with the organisation's invite token; returns the new
    user's (id, active organisation id).

    Raises ConnectionFailed when the server refuses the signup (HTTP 403: signup is disabled
    or the invite token is not the organisation's), AnnotateError when the form answers with
    an error (the e-mail has an account outside the organisation, the password is refused).
    """
    redact.remember(password, invite_token)
    web = _WebSession(url)
    try:
        path = "user/signup/"
        params = {"token": invite_token}
        web.csrf(path, params)
        response = web.request(
            "POST", path, f"sign up {email}", params=params, expect=(200, 302, 403, *range(500, 600)),
            data={"email": email, "password": password, "allow_newsletters": "false", "how_find_us": ""})
        if response.status_code >= 500:
            raise SignupUnsure(f"Label Studio at {web.where} failed (HTTP {response.status_code}) while "
                               f"signing up {email}: re-run to see whether the account exists")
        if response.status_code == 403:
            raise ConnectionFailed(
                f"Label Studio at {web.where} refused to sign up {email} with the organisation's invite link "
                "(HTTP 403): signup is disabled on this server, or the invite link was reset meanwhile "
                "(re-run to use the new one)")
        if response.status_code != 302 or "/user/signup" in response.headers.get("location", ""):
            errors = _form_errors(response.text)
            if any("already exists" in e for e in errors):
                raise AccountExists(
                    f"{email} already has an account on {web.where}, but not in your organisation (it was "
                    "removed from it, or belongs to another one): Label Studio's API cannot add it back")
            reason = "; ".join(errors) or f"HTTP {response.status_code} without a new account"
            raise AnnotateError(f"Label Studio at {web.where} did not sign up {email}: {reason}")
        me = web.api("GET", "api/current-user/whoami", f"read the new account {email}")
        return me.get("id"), me.get("active_organization")
    finally:
        web.close()


def _form_errors(page: str) -> list[str]:
    """The error lines of a Label Studio form page (field errors and non-field errors)."""
    found = re.findall(r'<ul class="field_errors">(.*?)</ul>', page, flags=re.S)
    lines = [li for block in found for li in re.findall(r"<li>(.*?)</li>", block, flags=re.S)]
    lines += re.findall(r'<p class="error">(.*?)</p>', page, flags=re.S)
    return [redact.redact(" ".join(html.unescape(line).split())) for line in lines if line.strip()]


class _WebSession:
    """A browser-like session (cookies, CSRF token) for Label Studio's HTML forms."""

    def __init__(self, url: str):
        import httpx

        from .studio import display_url

        self.base = (url or "").rstrip("/")
        self.where = display_url(self.base)
        self.http = httpx.Client(base_url=self.base + "/", timeout=TIMEOUT, follow_redirects=False)
        self.csrf_token = ""

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, path: str, action: str, expect=(200,), **kwargs):
        import httpx

        headers = {"Referer": f"{self.base}/{path}", **kwargs.pop("headers", {})}
        if self.csrf_token and method != "GET":
            headers["X-CSRFToken"] = self.csrf_token
            if "data" in kwargs:
                kwargs["data"] = {"csrfmiddlewaretoken": self.csrf_token, **kwargs["data"]}
        try:
            response = self.http.request(method, path, headers=headers, **kwargs)
        except httpx.ConnectError as exc:
            reason = "connection refused (is Label Studio running?)" if "refused" in str(exc) else str(exc)
            raise ConnectionFailed(redact.redact(f"cannot reach Label Studio at {self.where}: {reason}")) from None
        except httpx.TimeoutException:
            raise ConnectionFailed(f"Label Studio at {self.where} did not answer in time while trying to {action}") from None
        except httpx.HTTPError as exc:
            raise ConnectionFailed(f"connection to Label Studio at {self.where} failed while trying to {action}: "
                                   f"{type(exc).__name__}") from None
        if response.status_code not in expect:
            raise ConnectionFailed(redact.redact(
                f"Label Studio at {self.where} answered HTTP {response.status_code} while trying to {action}"))
        return response

    def api(self, method: str, path: str, action: str) -> dict:
        return self.json_object(self.request(method, path, action), action)

    def json_object(self, response, action: str) -> dict:
        """The JSON object of an answer; anything else (an HTML page, a list, a string) is one
        ConnectionFailed line, as Label Studio always answers these calls with an object."""
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ConnectionFailed(f"unexpected answer from {self.where} while trying to {action}: "
                                   "is this a Label Studio URL?")
        return body

    def csrf(self, path: str, params: dict | None = None) -> None:
        """Open a form page: the CSRF cookie is set and its token kept for the POST."""
        response = self.request("GET", path, f"open {path}", params=params)
        found = re.search(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"', response.text)
        self.csrf_token = found.group(1) if found else self.http.cookies.get("csrftoken", "")
        if not self.csrf_token:
            raise ConnectionFailed(f"{self.where}/{path} is not Label Studio's form (no CSRF token): "
                                   "is this a Label Studio URL?")

    def log_in(self, email: str, password: str) -> None:
        path = "user/login/"
        self.csrf(path)
        response = self.request("POST", path, f"log in as {email}", expect=(200, 302),
                                data={"email": email, "password": password})
        if response.status_code != 302 or "/user/login" in response.headers.get("location", ""):
            reason = "; ".join(_form_errors(response.text)) or "the login form did not accept it"
            raise LoginRefused(f"Label Studio at {self.where} refused the login of {email}: {reason}")
        self.csrf_token = self.http.cookies.get("csrftoken", self.csrf_token)  # rotated on login

    def token_works(self, token: str, kind: str) -> bool:
        """Whether the API accepts `token` (a fresh client: no session cookie)."""
        import httpx

        try:
            response = httpx.get(f"{self.base}/api/current-user/whoami", timeout=TIMEOUT,
                                 headers={"Authorization": f"{kind} {token}"})
        except httpx.HTTPError:
            return False
        return response.status_code == 200
