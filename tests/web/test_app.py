"""`create_app` wiring: the router slot the runs viewer will use, and the Host allow-list."""

from __future__ import annotations

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from ragtune.web.app import create_app


def test_extra_routers_plug_in() -> None:
    router = APIRouter()

    @router.get("/api/extra")
    def runs() -> list[str]:
        return ["run-1"]

    client = TestClient(create_app(routers=[router]), base_url="http://127.0.0.1")
    assert client.get("/api/extra").json() == ["run-1"]
    assert "/api/extra" in client.get("/openapi.json").json()["paths"]
    assert client.get("/runs").status_code == 200  # the placeholder page stays


def test_host_allow_list() -> None:
    local = TestClient(create_app(), base_url="http://localhost")
    assert local.get("/api/examples").status_code == 200
    foreign = TestClient(create_app(), base_url="http://attacker.example")
    assert foreign.get("/api/examples").status_code == 400
    refused = foreign.get("/api/examples").json()["detail"]
    assert "Host 'attacker.example' is not a name" in refused
    assert "--allowed-host attacker.example" in refused
    named = create_app(allowed_hosts=("localhost", "review.example.com"))
    proxied = TestClient(named, base_url="https://review.example.com")
    assert proxied.get("/api/examples").status_code == 200


@pytest.mark.parametrize("wildcard", ["*", "*.example.com", " "])
def test_the_host_check_cannot_be_turned_off(wildcard: str) -> None:
    """Issue 31: the check holds for every bind address, so there is no wildcard any more."""
    with pytest.raises(ValueError, match="the Host check cannot be turned off"):
        create_app(allowed_hosts=("localhost", wildcard))
