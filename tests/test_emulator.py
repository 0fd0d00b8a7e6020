"""The Azure REST emulator (tests/emulator), exercised with the real Azure SDK clients.

azure-core refuses to send a bearer token over plain http unless told otherwise: these tests
use an authentication policy that sets azure-core's ``enforce_https=False`` request option
(see docs/emulator.md), or pass ``enforce_https=False`` per call.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
import math
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

azure_core = pytest.importorskip("azure.core")

from azure.core.credentials import AccessToken  # noqa: E402
from azure.core.exceptions import (  # noqa: E402
    HttpResponseError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy  # noqa: E402
from azure.mgmt.machinelearningservices import MachineLearningServicesMgmtClient  # noqa: E402
from azure.mgmt.resource.resources import ResourceManagementClient  # noqa: E402
from azure.mgmt.resource.subscriptions import SubscriptionClient  # noqa: E402
from azure.mgmt.resourcegraph import ResourceGraphClient  # noqa: E402
from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions  # noqa: E402

from tests.emulator import Emulator, QueryError, parse_query  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SCOPE = "https://management.azure.com/.default"
SUB_A = "2b9e7c4d-1f3a-4e8b-a6c5-7d9e0f1a2b3c"
SUB_B = "8f3c2a1e-5b7d-4c9a-9e2f-1a6b3c4d5e6f"
TYPES = (
    "microsoft.machinelearningservices/workspaces",
    "microsoft.storage/storageaccounts",
    "microsoft.keyvault/vaults",
    "microsoft.containerregistry/registries",
    "microsoft.insights/components",
)
COLUMNS = (
    "id",
    "name",
    "type",
    "location",
    "kind",
    "sku",
    "tags",
    "properties",
    "subscriptionId",
    "resourceGroup",
    "identity",
    "zones",
)
QUERY = (
    "resources\n| where type in~ ("
    + ", ".join(f"'{t}'" for t in TYPES)
    + ")\n| project "
    + ", ".join(COLUMNS)
    + "\n| order by id asc"
)
ALL_METHODS = frozenset({"HEAD", "GET", "PUT", "DELETE", "OPTIONS", "TRACE", "POST"})


class StaticCredential:
    """A TokenCredential that always returns the same token."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("t", int(time.time()) + 86400)


class LoopbackAuthenticationPolicy(ARMChallengeAuthenticationPolicy):
    """ARM's bearer-token policy, allowed to send the token over http (loopback tests only)."""

    def on_request(self, request: Any) -> None:
        request.context.options["enforce_https"] = False
        super().on_request(request)


def client_kwargs() -> dict[str, Any]:
    credential = StaticCredential()
    return {
        "authentication_policy": LoopbackAuthenticationPolicy(credential, SCOPE),
        "retry_backoff_factor": 0.01,
    }


def arg_client(emu: Emulator, **kwargs: Any) -> ResourceGraphClient:
    return ResourceGraphClient(StaticCredential(), base_url=emu.url, **client_kwargs(), **kwargs)


def expected_rows(doc: dict[str, Any], subs: list[str]) -> list[dict[str, Any]]:
    wanted = {s.lower() for s in subs}
    rows = [
        {c: r.get(c) for c in COLUMNS}
        for r in doc["resources"]
        if r["type"].lower() in TYPES and r["subscriptionId"].lower() in wanted
    ]
    return sorted(rows, key=lambda r: r["id"].lower())


def page_through(
    client: ResourceGraphClient, subs: list[str], top: int, **kwargs: Any
) -> tuple[list[dict[str, Any]], int]:
    rows: list[dict[str, Any]] = []
    token: str | None = None
    pages = 0
    while True:
        response = client.resources(
            QueryRequest(
                query=QUERY,
                subscriptions=subs,
                options=QueryRequestOptions(top=top, skip_token=token, result_format="objectArray"),
            ),
            **kwargs,
        )
        pages += 1
        rows.extend(response.data)
        token = response.skip_token
        if not token:
            return rows, pages


def raw(
    emu: Emulator,
    method: str,
    path: str,
    body: Any = None,
    token: str | None = "anything",
    content_type: str = "application/json",
) -> tuple[int, dict[str, str], Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(emu.url + path, data=data, method=method)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, headers, payload = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, headers, payload = error.code, dict(error.headers), error.read()
    return status, headers, json.loads(payload) if payload else None


ARG = "/providers/Microsoft.ResourceGraph/resources?api-version=2021-03-01"


@pytest.fixture
def emu(demo_doc: dict[str, Any]) -> Iterator[Emulator]:
    with Emulator(demo_doc) as emulator:
        yield emulator


# -- Resource Graph with the SDK --------------------------------------------------------------


def test_resource_graph_pages_with_skip_token(emu: Emulator, demo_doc: dict[str, Any]) -> None:
    subs = [SUB_A, SUB_B]
    # 5 a page: the demo's 53 rows in 11 pages, inside the emulator's quota of 15 queries
    # a window (3 a page took 18 queries: the 16th was throttled and retried, one more request)
    rows, pages = page_through(arg_client(emu), subs, top=5)

    expected = expected_rows(demo_doc, subs)
    assert rows == expected
    assert len(expected) > 10
    assert emu.throttled == 0
    assert pages == math.ceil(len(expected) / 5) == emu.count(kind="arg")
    logged = [r for r in emu.requests if r.kind == "arg"]
    assert all(r.method == "POST" and r.status == 200 and r.authorization for r in logged)
    assert "$skipToken" not in logged[0].body["options"]
    assert all(r.body["options"]["$skipToken"] for r in logged[1:])
    assert emu.count(method="GET") == 0


def test_resource_graph_scopes_to_the_requested_subscription(
    emu: Emulator, demo_doc: dict[str, Any]
) -> None:
    rows, _ = page_through(arg_client(emu), [SUB_A.upper()], top=1000)
    assert rows == expected_rows(demo_doc, [SUB_A])
    assert {r["subscriptionId"] for r in rows} == {SUB_A}


def test_per_call_enforce_https_false_also_works(emu: Emulator) -> None:
    client = ResourceGraphClient(StaticCredential(), base_url=emu.url)
    request = QueryRequest(query=QUERY, subscriptions=[SUB_B])
    with pytest.raises(ServiceRequestError, match="non-TLS"):
        client.resources(request)
    # A client-level keyword is not enough: the option is read per request.
    client_level = ResourceGraphClient(StaticCredential(), base_url=emu.url, enforce_https=False)
    with pytest.raises(ServiceRequestError, match="non-TLS"):
        client_level.resources(request)
    assert emu.count() == 0
    assert client.resources(request, enforce_https=False).count > 0


def test_quota_headers_on_every_query(emu: Emulator) -> None:
    seen: list[dict[str, str]] = []
    client = arg_client(emu)

    def hook(response: Any) -> None:
        seen.append(dict(response.http_response.headers))

    for _ in range(3):
        client.resources(QueryRequest(query=QUERY, subscriptions=[SUB_B]), raw_response_hook=hook)
    assert [h["x-ms-user-quota-remaining"] for h in seen] == ["14", "13", "12"]
    for headers in seen:
        assert re.fullmatch(r"00:00:0[1-5]", headers["x-ms-user-quota-resets-after"])


def test_scripted_429_is_retried_after_retry_after(emu: Emulator) -> None:
    emu.script(match="arg", status=429, retry_after=0.2)
    started = time.monotonic()
    response = arg_client(emu).resources(QueryRequest(query=QUERY, subscriptions=[SUB_B]))
    assert response.count > 0
    assert time.monotonic() - started >= 0.2
    assert [r.status for r in emu.requests] == [429, 200]


def test_exhausted_quota_answers_429_then_recovers(demo_doc: dict[str, Any]) -> None:
    headers: list[tuple[int, dict[str, str]]] = []

    def hook(response: Any) -> None:
        http = response.http_response
        headers.append((http.status_code, dict(http.headers)))

    with Emulator(demo_doc, quota=2, quota_window=0.5) as emu:
        client = arg_client(emu)
        request = QueryRequest(query=QUERY, subscriptions=[SUB_B])
        for _ in range(2):
            client.resources(request)
        assert emu.throttled == 0
        # The third query in the window is throttled; azure-core waits Retry-After (1 s,
        # rounded up) and the retry lands in a fresh window.
        started = time.monotonic()
        client.resources(request, raw_response_hook=hook)
        assert time.monotonic() - started >= 0.9
        assert emu.throttled == 1
        assert [(r.kind, r.status) for r in emu.requests] == [
            ("arg", s) for s in (200, 200, 429, 200)
        ]
        status, first = headers[0]
        assert status == 429
        assert first["Retry-After"] == "1"
        assert first["x-ms-user-quota-remaining"] == "0"
        assert first["x-ms-user-quota-resets-after"] == "00:00:01"
        assert headers[1][0] == 200
        assert headers[1][1]["x-ms-user-quota-remaining"] == "1"


def test_throttled_answer_is_rate_limiting(demo_doc: dict[str, Any]) -> None:
    with Emulator(demo_doc, quota=1, quota_window=30) as emu:
        body = {"query": QUERY, "subscriptions": [SUB_B]}
        assert raw(emu, "POST", ARG, body)[0] == 200
        status, headers, answer = raw(emu, "POST", ARG, body)
    assert status == 429
    assert answer["error"]["code"] == "RateLimiting"
    assert "aka.ms/resourcegraph-throttling" in answer["error"]["message"]
    assert 29 <= int(headers["Retry-After"]) <= 30
    assert headers["x-ms-user-quota-remaining"] == "0"
    assert emu.throttled == 1


def test_scripted_500_is_retried(emu: Emulator) -> None:
    emu.script(match="arg", status=500, times=2)
    response = arg_client(emu).resources(QueryRequest(query=QUERY, subscriptions=[SUB_B]))
    assert response.count > 0
    assert [r.status for r in emu.requests] == [500, 500, 200]


def test_dropped_query_is_retried_only_when_post_is_retryable(emu: Emulator) -> None:
    client = arg_client(emu)
    request = QueryRequest(query=QUERY, subscriptions=[SUB_B])
    # azure-core's RetryPolicy retries connection errors only for idempotent methods by
    # default, and the Resource Graph query is a POST.
    emu.script(match="arg", drop=True)
    with pytest.raises(ServiceResponseError):
        client.resources(request)
    assert [(r.status, r.dropped) for r in emu.requests] == [(0, True)]

    emu.script(match="arg", drop=True)
    assert client.resources(request, retry_on_methods=ALL_METHODS).count > 0
    assert [r.status for r in emu.requests] == [0, 0, 200]


def test_forbidden_subscription_is_403(demo_doc: dict[str, Any]) -> None:
    with Emulator(demo_doc, forbidden_subscriptions=[SUB_A]) as emu:
        client = arg_client(emu)
        with pytest.raises(HttpResponseError) as caught:
            client.resources(QueryRequest(query=QUERY, subscriptions=[SUB_B, SUB_A]))
        assert caught.value.status_code == 403
        assert caught.value.error is not None
        assert caught.value.error.code == "AuthorizationFailed"
        assert SUB_A in caught.value.error.message
        # A management-group query leaves out what the caller cannot read.
        rows = client.resources(QueryRequest(query=QUERY, management_groups=["root"])).data
        assert rows and {r["subscriptionId"] for r in rows} == {SUB_B}
        status, _, body = raw(
            emu, "GET", f"/subscriptions/{SUB_A}/locations?api-version=2022-12-01"
        )
        assert (status, body["error"]["code"]) == (403, "AuthorizationFailed")


def test_management_groups_mapping(demo_doc: dict[str, Any]) -> None:
    with Emulator(demo_doc, management_groups={"Prod": [SUB_A]}) as emu:
        client = arg_client(emu)
        rows = client.resources(QueryRequest(query=QUERY, management_groups=["prod"])).data
        assert rows == expected_rows(demo_doc, [SUB_A])
        with pytest.raises(HttpResponseError) as caught:
            client.resources(QueryRequest(query=QUERY, management_groups=["other"]))
        assert caught.value.status_code == 403


def test_skip_token_must_match_query_and_scope(emu: Emulator) -> None:
    client = arg_client(emu)
    first = client.resources(
        QueryRequest(query=QUERY, subscriptions=[SUB_B], options=QueryRequestOptions(top=2))
    )
    assert first.skip_token
    with pytest.raises(HttpResponseError) as caught:
        client.resources(
            QueryRequest(
                query=QUERY,
                subscriptions=[SUB_A],
                options=QueryRequestOptions(skip_token=first.skip_token),
            )
        )
    assert caught.value.status_code == 400
    assert caught.value.error.code == "BadRequest"
    status, _, _ = raw(
        emu,
        "POST",
        ARG,
        {"query": QUERY, "subscriptions": [SUB_B], "options": {"$skipToken": "bm9wZQ=="}},
    )
    assert status == 400


# -- Resource Graph over raw HTTP -------------------------------------------------------------


def test_a_paged_answer_has_the_shape_of_the_service_s(emu: Emulator) -> None:
    """The real objectArray page (tests/real/resource-graph/object-array-skiptoken-page.json):
    the same keys in the same order, the token last, standard base64 of a CRLF JSON object
    that carries the rows to skip and the page size."""
    real_page = json.loads(
        (Path(__file__).parent / "real/resource-graph/object-array-skiptoken-page.json").read_text()
    )
    body = {"query": QUERY, "subscriptions": [SUB_A, SUB_B], "options": {"$top": 3}}
    status, _, answer = raw(emu, "POST", ARG, body)
    assert status == 200
    assert list(answer) == list(real_page)
    assert answer["resultTruncated"] == real_page["resultTruncated"] == "false"
    ours, theirs = (
        json.loads(base64.b64decode(p["$skipToken"], validate=True).decode())
        for p in (answer, real_page)
    )
    assert set(theirs) <= set(ours)
    assert (ours["MaxRows"], ours["RowsToSkip"]) == (3, 3)
    assert b"\r\n" in base64.b64decode(answer["$skipToken"])
    body["options"] = {"$skipToken": answer["$skipToken"]}
    status, _, following = raw(emu, "POST", ARG, body)
    assert status == 200 and following["count"] == 3
    assert following["data"][0]["id"] != answer["data"][0]["id"]


def test_query_without_where_returns_every_row_and_missing_columns_as_null(
    emu: Emulator, demo_doc: dict[str, Any]
) -> None:
    body = {
        "query": "Resources | project id, nosuchcolumn | order by id asc",
        "subscriptions": [SUB_A, SUB_B],
        "options": {"resultFormat": "objectArray"},
    }
    status, _, answer = raw(emu, "POST", ARG, body)
    assert status == 200
    assert answer["totalRecords"] == answer["count"] == len(demo_doc["resources"])
    assert answer["resultTruncated"] == "false"
    assert "$skipToken" not in answer
    assert answer["facets"] == []
    ids = [r["id"] for r in answer["data"]]
    assert ids == sorted(ids, key=str.lower)
    assert all(
        set(r) == {"id", "nosuchcolumn"} and r["nosuchcolumn"] is None for r in answer["data"]
    )


def test_other_tables_and_table_format(demo_doc: dict[str, Any]) -> None:
    demo_doc["tables"] = {
        "authorizationresources": [
            {"id": f"/subscriptions/{SUB_B}/providers/x/roleAssignments/2", "type": "a/b"},
            {"id": f"/subscriptions/{SUB_B}/providers/x/roleAssignments/1", "type": "a/b"},
        ]
    }
    with Emulator(demo_doc) as emu:
        query = "authorizationresources | where type =~ 'A/B' | project id, type | order by id asc"
        body = {"query": query, "subscriptions": [SUB_B], "options": {"resultFormat": "table"}}
        status, _, answer = raw(emu, "POST", ARG, body)
        assert status == 200
        assert answer["data"]["columns"] == [
            {"name": "id", "type": "string"},
            {"name": "type", "type": "string"},
        ]
        assert [row[0][-1] for row in answer["data"]["rows"]] == ["1", "2"]
        status, _, answer = raw(emu, "POST", ARG, {"query": "nosuchtable", "subscriptions": []})
        assert status == 400


def test_query_shapes_the_emulator_does_not_understand_are_400(emu: Emulator) -> None:
    for query in ("resources | where name contains 'x'", "resources | take 5", "resources |"):
        status, _, answer = raw(emu, "POST", ARG, {"query": query, "subscriptions": [SUB_B]})
        assert status == 400, query
        assert answer["error"]["code"] == "BadRequest"
    assert parse_query(QUERY).types == frozenset(TYPES)
    assert parse_query(QUERY).columns == COLUMNS
    assert parse_query("resources").types is None
    with pytest.raises(QueryError):
        parse_query("resources | where type in~ ('a' 'b')")


def test_resource_graph_requires_json_content_type(emu: Emulator) -> None:
    body = {"query": QUERY, "subscriptions": [SUB_B]}
    assert raw(emu, "POST", ARG, body, content_type="text/plain")[0] == 500


# -- ARM GETs with the SDK --------------------------------------------------------------------


def _recorded(doc: dict[str, Any], path: str) -> dict[str, Any]:
    return next(e for e in doc["arm"] if e["path"].lower() == path.lower())


def test_ml_usages_follow_next_link(emu: Emulator, demo_doc: dict[str, Any]) -> None:
    client = MachineLearningServicesMgmtClient(
        StaticCredential(), SUB_B, base_url=emu.url, **client_kwargs()
    )
    usages = list(client.usages.list("westus"))
    path = f"/subscriptions/{SUB_B}/providers/Microsoft.MachineLearningServices/locations/westus/usages"
    recorded = _recorded(demo_doc, path)["body"]["value"]
    assert [u.id for u in usages] == [u["id"] for u in recorded]
    assert [u.current_value for u in usages] == [u["currentValue"] for u in recorded]
    assert emu.count(kind="arm") == math.ceil(len(recorded) / 2) == 5
    assert [r.query.get("$skiptoken") for r in emu.requests] == [None, "2", "4", "6", "8"]


def test_dropped_and_throttled_arm_gets_are_retried(emu: Emulator) -> None:
    client = MachineLearningServicesMgmtClient(
        StaticCredential(), SUB_B, base_url=emu.url, **client_kwargs()
    )
    emu.script(match="usages", drop=True)
    emu.script(match="arm", status=429, retry_after=0.1)
    emu.script(match="arm", status=503, retry_after=None)
    assert len(list(client.usages.list("westus"))) == 10
    assert [r.status for r in emu.requests] == [0, 429, 503, 200, 200, 200, 200, 200]
    assert emu.pending_faults() == 0


def test_subscription_client(emu: Emulator, demo_doc: dict[str, Any]) -> None:
    client = SubscriptionClient(StaticCredential(), base_url=emu.url, **client_kwargs())
    locations = list(client.subscriptions.list_locations(SUB_A))
    recorded = _recorded(demo_doc, f"/subscriptions/{SUB_A}/locations")["body"]["value"]
    assert [loc.name for loc in locations] == [loc["name"] for loc in recorded]
    subscriptions = list(client.subscriptions.list())
    assert [s.subscription_id for s in subscriptions] == demo_doc["scope"]["subscriptions"]
    assert all(s.state == "Enabled" for s in subscriptions)
    assert client.subscriptions.get(SUB_B).subscription_id == SUB_B


def test_resource_management_client_providers_get(emu: Emulator, demo_doc: dict[str, Any]) -> None:
    client = ResourceManagementClient(
        StaticCredential(), SUB_B, base_url=emu.url, **client_kwargs()
    )
    provider = client.providers.get("Microsoft.MachineLearningServices")
    recorded = _recorded(
        demo_doc, f"/subscriptions/{SUB_B}/providers/Microsoft.MachineLearningServices"
    )["body"]
    assert provider.namespace == recorded["namespace"]
    workspaces = next(t for t in provider.resource_types if t.resource_type == "workspaces")
    recorded_ws = next(t for t in recorded["resourceTypes"] if t["resourceType"] == "workspaces")
    assert workspaces.locations == recorded_ws["locations"]


# -- ARM over raw HTTP ------------------------------------------------------------------------


def test_arm_status_paths_methods_and_auth(demo_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(demo_doc)
    doc["arm"].append({"path": "/empty", "api_version": "1", "status": 200, "body": {"value": []}})
    doc["arm"].append(
        {
            "path": "/denied",
            "api_version": "1",
            "status": 403,
            "body": {"error": {"code": "AuthorizationFailed", "message": "no"}},
        }
    )
    with Emulator(doc) as emu:
        status, _, body = raw(emu, "GET", "/EMPTY/?api-version=2")
        assert (status, body) == (200, {"value": []})
        status, _, body = raw(emu, "GET", "/denied?api-version=1")
        assert (status, body["error"]["code"]) == (403, "AuthorizationFailed")
        status, _, body = raw(emu, "GET", "/nowhere?api-version=1")
        assert (status, body["error"]["code"]) == (404, "ResourceNotFound")
        status, _, body = raw(emu, "GET", "/empty")
        assert (status, body["error"]["code"]) == (400, "MissingApiVersionParameter")
        status, headers, body = raw(emu, "GET", "/empty?api-version=1", token=None)
        assert (status, body["error"]["code"]) == (401, "AuthenticationFailed")
        assert "WWW-Authenticate" in headers
        for method, path in (("PUT", "/empty"), ("DELETE", "/empty"), ("PATCH", "/x")):
            status, _, body = raw(emu, method, path + "?api-version=1", body={})
            assert status == 405
        assert raw(emu, "GET", ARG)[0] == 405
        assert emu.count(kind="other") == 3
        assert emu.count(method="PUT") == 1
        assert [r.authorization for r in emu.requests][4:6] == [False, True]
        assert emu.count(kind="arm") == 5
        assert emu.count(method="GET", kind="arg") == 1


def test_latency_is_added(demo_doc: dict[str, Any]) -> None:
    with Emulator(demo_doc, latency=0.1) as emu:
        started = time.monotonic()
        raw(emu, "GET", "/subscriptions?api-version=2022-12-01")
        assert time.monotonic() - started >= 0.1


def test_port_and_reuse(demo_doc: dict[str, Any]) -> None:
    emu = Emulator(demo_doc)
    with pytest.raises(RuntimeError):
        _ = emu.url
    with emu:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", emu.url)
        assert raw(emu, "GET", "/subscriptions?api-version=1")[0] == 200
    with pytest.raises(ValueError):
        Emulator({"format": "other"})


# -- the command line -------------------------------------------------------------------------


@pytest.mark.usefixtures("ctrl_c_reaches_children")
def test_command_line_serves_until_interrupted(tmp_path: Path, demo_doc: dict[str, Any]) -> None:
    snapshot = tmp_path / "estate.json.gz"
    snapshot.write_bytes(gzip.compress(json.dumps(demo_doc).encode()))
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.emulator", str(snapshot), "--port", "0", "--forbid", SUB_A],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+", first)
        assert match, first
        request = urllib.request.Request(
            match.group(0) + f"/subscriptions/{SUB_A}/locations?api-version=2022-12-01",
            headers={"Authorization": "Bearer x"},
        )
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=10)
        assert caught.value.code == 403
        line = process.stdout.readline()
        assert f"GET /subscriptions/{SUB_A}/locations?api-version=2022-12-01 -> 403" in line
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "stopped" in out
