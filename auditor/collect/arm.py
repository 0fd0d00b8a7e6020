"""ARM reads: each planned read through an SDK client's pipeline, its raw 200 bodies recorded."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import parse_qs, urlsplit

from azure.core.exceptions import AzureError, HttpResponseError

from auditor.azure import API_ML
from auditor.collect.auth import BadBody, Clients
from auditor.collect.plan import Read
from auditor.collect.record import (
    Event,
    Observer,
    Recorder,
    error_entry,
    parse_json,
    redact_json,
)


class ArmReader:
    """Makes ARM reads and records what they answered (or why they failed)."""

    def __init__(self, clients: Clients, recorder: Recorder, observer: Observer) -> None:
        self.clients = clients
        self.recorder = recorder
        self.observer = observer

    def planned(self, read: Read) -> None:
        """Make one planned read."""
        self.read(read.path, self._call(read), read.subscription)

    def _call(self, read: Read) -> Callable[..., Any]:
        sub = read.subscription
        if read.kind == "provider":
            return partial(
                self.clients.resources(sub).providers.get, "Microsoft.MachineLearningServices"
            )
        if read.kind == "blobservice":
            blobs = self.clients.storage(sub).blob_services
            return partial(blobs.get_service_properties, *read.args)
        return partial(self.get_list, self.clients.ml(sub), read.path, API_ML)

    def read(self, what: str, call: Callable[..., Any], subscription: str | None) -> None:
        """Run one SDK call, recording every 200 page's raw body; list pages are merged."""
        pages: list[Any] = []
        first: dict[str, str] = {}

        def hook(response: Any) -> None:
            http = response.http_response
            if "path" not in first:
                url = urlsplit(response.http_request.url)
                first["path"] = url.path
                first["api_version"] = parse_qs(url.query).get("api-version", [""])[0]
            if http.status_code == 200:
                pages.append(parse_body(http))

        try:
            result = call(raw_response_hook=hook)
            if result is not None and hasattr(result, "__iter__"):
                for _ in result:
                    pass
        except AzureError as exc:
            entry = error_entry("arm", f"GET {first.get('path', what)}", exc, subscription)
            self.recorder.error(entry)
            if isinstance(exc, HttpResponseError) and "path" in first:
                body = None
                if exc.response is not None:
                    try:
                        body = redact_json(json.loads(exc.response.text()))
                    except (ValueError, RecursionError):
                        body = None
                self._store(first, exc.status_code or 0, body)
            self.observer(Event("error", f"GET {first.get('path', what)}: {entry['code']}"))
            return
        self._store(first, 200, _merge(pages))
        self.observer(Event("arm_read", f"GET {first.get('path', what)}", 1))

    @staticmethod
    def get_list(client: Any, path: str, api_version: str, **kwargs: Any) -> None:
        """GET a list through an SDK client's pipeline (auth, retries), following nextLink.

        The raw bodies are what the snapshot records (through the response hook); going
        around the model layer keeps them exact, lets the scanner choose the api-version, and
        spares the CPU of building models nobody reads."""
        from azure.core.rest import HttpRequest
        from azure.mgmt.core.exceptions import ARMErrorFormat

        request = HttpRequest("GET", path, params={"api-version": api_version})
        while True:
            response = client._send_request(request, **kwargs)
            if response.status_code != 200:
                raise HttpResponseError(response=response, error_format=ARMErrorFormat)
            body = parse_body(response)
            link = body.get("nextLink") if isinstance(body, dict) else None
            if not link:
                return
            request = HttpRequest("GET", link)

    def _store(self, first: dict[str, str], status: int, body: Any) -> None:
        path = first.get("path")
        if not path:
            return
        with self.recorder.lock:
            if self.recorder.closed:
                return
            self.recorder.arm[path.lower()] = {
                "path": path,
                "api_version": first.get("api_version", ""),
                "status": status,
                "body": body,
            }

    def list_subscriptions(self) -> list[str]:
        """Every subscription the identity can read, in a state whose resources can be read."""
        client = self.clients.subscriptions()
        try:
            found = [
                s.subscription_id
                for s in client.subscriptions.list()
                if _readable_state(getattr(s, "state", None))
            ]
        except AzureError as exc:
            entry = error_entry("arm", "GET /subscriptions", exc, None)
            self.recorder.error(entry)
            return []
        subscriptions = sorted(str(s) for s in found if s)
        if not subscriptions:
            # Nothing to scan is not "every workload ready": a missing role assignment would
            # show green in every scheduled run.
            self.recorder.error(
                {
                    "source": "arm",
                    "request": "GET /subscriptions",
                    "status": 200,
                    "code": "NoSubscriptions",
                    "message": "the identity can read no enabled subscription, so nothing was "
                    "scanned: give it the Reader role, or name --subscription / "
                    "--management-group",
                    "subscription": None,
                }
            )
        return subscriptions

    def read_locations(self, subscriptions: list[str]) -> None:
        """Paired regions are the same for every subscription: one read per cloud, trying the
        next subscription only when one cannot be read."""
        client = self.clients.subscriptions()
        for sub in subscriptions:
            self.read(
                f"/subscriptions/{sub}/locations",
                partial(client.subscriptions.list_locations, sub),
                sub,
            )
            if self.recorder.arm.get(f"/subscriptions/{sub}/locations", {}).get("status") == 200:
                return


def parse_body(response: Any) -> Any:
    """The JSON of a 200 answer; BadBody when it is not JSON (an HTML page, a body cut short,
    a number too long for any parser) rather than an exception no one catches."""
    try:
        return parse_json(response.text())
    except (ValueError, RecursionError) as exc:
        kind = type(exc).__name__
        raise BadBody(
            f"answered {response.status_code} with a body that is not JSON it can read ({kind}: "
            f"{str(exc)[:120]})",
            response.status_code,
        ) from None


def _merge(pages: list[Any]) -> Any:
    if not pages:
        return None
    first = pages[0]
    if isinstance(first, dict) and isinstance(first.get("value"), list):
        merged = {k: v for k, v in first.items() if k != "nextLink"}
        merged["value"] = [item for page in pages for item in page.get("value", [])]
        return merged
    return first


# Subscription states whose resources can be read: Warned and PastDue subscriptions keep
# running (Disabled and Deleted ones are not scanned).
_READABLE_STATES = frozenset({"enabled", "warned", "pastdue"})


def _readable_state(state: Any) -> bool:
    text = str(getattr(state, "value", state) or "Enabled").rsplit(".", 1)[-1]
    return text.replace("_", "").lower() in _READABLE_STATES
