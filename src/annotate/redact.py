"""Keep secrets out of everything we print or save.

Every message that can carry a server's text (an error body, an echoed header, a URL with
`user:password@`) goes through `redact()` before it reaches stderr, a log or a crash file.
Code that holds a secret (an API token, a basic-auth password) registers it once with
`remember()`; `redact()` then removes every registered secret, any `user:password@` in a URL,
and the value of an `Authorization` header or `token=` parameter, whether or not it was
registered. Control characters are left alone here (see `printable`).
"""

from __future__ import annotations

import re
import threading

MASK = "***"
_MIN_SECRET = 4  # shorter strings would mask ordinary words

_lock = threading.Lock()
_secrets: set[str] = set()

# scheme://user:password@host -> scheme://***@host (any user-info part is a credential).
_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<info>[^/\s@'\"<>]+)@")
# Authorization: Token abc / Bearer abc / Basic abc (as a header line, a dict repr or JSON).
_AUTH_HEADER = re.compile(
    r"(?P<key>authorization['\"]?\s*[:=]\s*['\"]?)(?:(?P<kind>token|bearer|basic)\s+)?[^\s'\",}]+",
    re.IGNORECASE)
# token=..., api_key=..., password=... in a query string or a form body.
_PARAM = re.compile(r"(?P<key>\b(?:token|api_key|apikey|access_token|refresh|password)=)[^&\s'\"]+",
                    re.IGNORECASE)


def remember(*values: str | None) -> None:
    """Register secrets (tokens, passwords) that `redact` must remove from any text."""
    with _lock:
        for value in values:
            if isinstance(value, str) and len(value.strip()) >= _MIN_SECRET:
                _secrets.add(value.strip())


def forget_all() -> None:
    """Drop every registered secret (for tests)."""
    with _lock:
        _secrets.clear()


def redact(text: object, *extra: str | None) -> str:
    """`text` as a string with every known secret, URL credential and auth header value masked."""
    out = text if isinstance(text, str) else str(text)
    with _lock:
        known = sorted(_secrets | {e.strip() for e in extra if isinstance(e, str) and len(e.strip()) >= _MIN_SECRET},
                       key=len, reverse=True)
    for secret in known:
        if secret in out:
            out = out.replace(secret, MASK)
    out = _USERINFO.sub(lambda m: f"{m['scheme']}{MASK}@", out)
    out = _AUTH_HEADER.sub(lambda m: f"{m['key']}{(m['kind'] + ' ') if m['kind'] else ''}{MASK}", out)
    out = _PARAM.sub(lambda m: f"{m['key']}{MASK}", out)
    return out


# DEL and C1 controls, bidi embeddings/overrides/isolates: what JSON leaves raw but a terminal obeys.
_TERMINAL_ONLY = r"\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(rf"[\x00-\x08\x0b-\x1f{_TERMINAL_ONLY}]")
_JSON_RAW_CONTROL = re.compile(rf"[{_TERMINAL_ONLY}]")


def printable(text: object) -> str:
    """`text` safe for a terminal: control characters (escape sequences, bidi overrides, a
    carriage return, but not tab/newline) shown as `\\xNN` / `\\uNNNN` escapes."""
    out = text if isinstance(text, str) else str(text)

    def esc(m: re.Match) -> str:
        code = ord(m.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _CONTROL.sub(esc, out)


def terminal_json(value) -> str:
    """Pretty JSON for the terminal: real UTF-8, with the controls `json` leaves raw (C1,
    bidi overrides) written as \\uXXXX escapes, so it is still valid JSON for a pipe."""
    import json

    text = json.dumps(value, indent=2, ensure_ascii=False)
    return _JSON_RAW_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
