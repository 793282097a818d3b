"""Calls to the hall server's API v1 as a device makes them, and the check of a refusal, shared
by the tests that drive a real server on loopback."""

from __future__ import annotations

import requests


def post(server, path: str, token: str | None, body: dict | None = None, key: str | None = None) -> requests.Response:  # noqa: ANN001
    """POST ``/api/v1<path>`` with ``token`` (none: anonymous) and, for an issue, its Idempotency-Key."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if key:
        headers["Idempotency-Key"] = key
    return requests.post(f"{server.url}/api/v1{path}", json=body, headers=headers, timeout=10)


def refused(response: requests.Response, status: int, *words: str) -> str:
    """The plain sentence of a refusal, after checking its status and that it names ``words``."""
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    for word in words:
        assert word in detail, detail
    return detail
