"""Red-team: the ML backend's WSGI app on malformed /predict bodies (no server needed)."""

from __future__ import annotations

import io
import json

from annotate.backend.app import make_app


def call(app, body: bytes, path: str = "/predict") -> tuple[str, dict]:
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "CONTENT_LENGTH": str(len(body)),
               "CONTENT_TYPE": "application/json", "wsgi.input": io.BytesIO(body)}
    got = {}

    def start_response(status, headers):
        got["status"] = status

    data = b"".join(app(environ, start_response))
    return got["status"], json.loads(data)


def test_a_number_too_long_to_convert_is_a_400_not_an_internal_error():
    # Python refuses to turn an integer literal of over 4300 digits into an int (ValueError,
    # not JSONDecodeError): the client sent a body we cannot read, which is its error (400)
    app = make_app()
    body = b'{"tasks": [{"id": 1' + b"0" * 5000 + b', "data": {"text": "\\"Hi,\\" he said."}}]}'
    status, answer = call(app, body)
    assert status.startswith("400"), (status, answer)
    assert "number" in answer["error"] and "digits" in answer["error"]
    # and the app still answers the next request
    status, answer = call(app, json.dumps({"tasks": [{"id": 1, "data": {"text": '"Hi," he said.'}}]}).encode())
    assert status.startswith("200") and len(answer["results"]) == 1
