"""Credentials and endpoints: azure-identity, or a bearer token the pipeline already holds."""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from azure.core import AzureClouds
from azure.core.credentials import AccessToken, TokenCredential
from azure.core.exceptions import AzureError
from azure.core.pipeline import PipelineRequest
from azure.core.pipeline.policies import RetryPolicy, SansIOHTTPPolicy
from azure.core.rest import HttpRequest
from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy
from azure.mgmt.core.tools import get_arm_endpoints

from auditor.azure import ENDPOINT_ENV as ENDPOINT_ENV
from auditor.azure import GRAPH_PATH
from auditor.errors import CollectionError, SignInError

CLOUDS = {
    "AzureCloud": AzureClouds.AZURE_PUBLIC_CLOUD,
    "AzureUSGovernment": AzureClouds.AZURE_US_GOVERNMENT,
    "AzureChinaCloud": AzureClouds.AZURE_CHINA_CLOUD,
}
TOKEN_ENV = "AUDITOR_ACCESS_TOKEN"


@dataclass(frozen=True)
class Target:
    """Where to send requests and which token scope to ask for."""

    cloud: str
    cloud_setting: AzureClouds
    endpoint: str
    scopes: tuple[str, ...]

    @property
    def loopback(self) -> bool:
        return is_loopback(self.endpoint)


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_target(cloud: str, arm_endpoint: str | None) -> Target:
    if cloud not in CLOUDS:
        raise CollectionError(f"--cloud: expected one of {', '.join(CLOUDS)}, got '{cloud}'")
    setting = CLOUDS[cloud]
    endpoints = get_arm_endpoints(setting)
    endpoint = arm_endpoint or os.environ.get(ENDPOINT_ENV) or endpoints["resource_manager"]
    parts = urlsplit(endpoint)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise CollectionError(f"--arm-endpoint: expected an https:// URL, got '{endpoint}'")
    if parts.scheme == "http" and not is_loopback(endpoint):
        raise CollectionError(
            f"--arm-endpoint: plain http is accepted only on a loopback address, got '{endpoint}'"
        )
    return Target(
        cloud=cloud,
        cloud_setting=setting,
        endpoint=endpoint.rstrip("/"),
        scopes=tuple(endpoints["credential_scopes"]),
    )


class StaticTokenCredential:
    """A bearer token handed to the scanner (AUDITOR_ACCESS_TOKEN); never printed or stored."""

    def __init__(self, token: str) -> None:
        self._token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self._token, int(time.time()) + 3600)

    def __repr__(self) -> str:
        return "StaticTokenCredential(<redacted>)"


def credential(target: Target) -> TokenCredential:
    token = os.environ.get(TOKEN_ENV)
    if token:
        return StaticTokenCredential(token)
    from azure.identity import AzureAuthorityHosts, DefaultAzureCredential

    authority = {
        "AzureCloud": AzureAuthorityHosts.AZURE_PUBLIC_CLOUD,
        "AzureUSGovernment": AzureAuthorityHosts.AZURE_GOVERNMENT,
        "AzureChinaCloud": AzureAuthorityHosts.AZURE_CHINA,
    }[target.cloud]
    return DefaultAzureCredential(authority=authority)


SIGN_IN = (
    "sign in with `az login`, run with a managed identity or a workload identity, or set "
    f"{TOKEN_ENV} to a bearer token"
)

# DefaultAzureCredential's sources, as its error names them ("\tAzureCliCredential: ...").
_SOURCES = {
    "Environment": "service-principal environment variables",
    "WorkloadIdentity": "workload identity",
    "ManagedIdentity": "managed identity",
    "SharedTokenCache": "shared token cache",
    "VisualStudioCode": "VS Code",
    "AzureCli": "Azure CLI",
    "AzurePowerShell": "Azure PowerShell",
    "AzureDeveloperCli": "Azure Developer CLI",
    "Broker": "broker",
}
_ATTEMPT = re.compile(r"^\s+(\w+?)Credential: (.*)$", re.MULTILINE)


def _tried(exc: AzureError) -> str:
    """What the credential tried, in a few words (the SDK's own text spans a dozen lines)."""
    text = str(getattr(exc, "message", None) or exc)
    attempts = _ATTEMPT.findall(text)
    if not attempts:
        first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
        return f"{TOKEN_ENV} is not set; the Azure credential failed: {first[:300]}"
    names = []
    for name, reason in attempts:
        label = _SOURCES.get(name, name)
        if name == "AzureCli":  # the usual way in: say why it did not work
            label += f" ({reason.removeprefix('Azure CLI ').split('. ')[0].rstrip('.')[:120]})"
        names.append(label)
    return f"{TOKEN_ENV} is not set; DefaultAzureCredential tried {', '.join(names)}"


def sign_in(target: Target, cred: TokenCredential) -> None:
    """One token request before any collection: without a credential nothing can be read, so
    the scan stops here in one line, rather than record every read as an error. azure-identity
    logs a dozen lines of warnings through `logging` when it fails: silenced for this request,
    the one line says it all."""
    quiet = logging.getLogger("azure.identity")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        cred.get_token(*target.scopes)
    except AzureError as exc:
        raise SignInError(
            f"not signed in to Azure: no credential gave a token for {target.endpoint} "
            f"({_tried(exc)}). To scan, {SIGN_IN}. Nothing was collected (exit 3)."
        ) from None
    finally:
        quiet.setLevel(level)


class AuthPolicy(ARMChallengeAuthenticationPolicy):
    """Bearer tokens over https; over plain http only to a loopback emulator."""

    def on_request(self, request: PipelineRequest[Any]) -> None:
        if is_loopback(request.http_request.url):
            request.context["enforce_https"] = False
        super().on_request(request)


@cache
def _network_settings(endpoint: str) -> dict[str, Any]:
    """Proxy and CA settings read from the environment once, rather than on every request
    (requests re-reads the whole environment and stats files per call, which dominated the
    collector's CPU time)."""
    host = urlsplit(endpoint).hostname or ""
    proxies: dict[str, str] = {}
    if not is_loopback(endpoint) and not urllib.request.proxy_bypass(host):
        proxies = {k: v for k, v in urllib.request.getproxies().items() if k in ("http", "https")}
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    settings: dict[str, Any] = {"use_env_settings": False, "proxies": proxies or None}
    if bundle:
        settings["connection_verify"] = bundle
    return settings


# The one request that is not a GET: the Resource Graph query (a POST that reads).
GRAPH_QUERY_PATH = GRAPH_PATH.lower()


class Refused(AzureError):
    """A request the scanner will not send, or an answer it will not use: recorded as the
    read's error, never retried."""


class WriteRefused(Refused):
    """The scanner was about to send a request that could change something in Azure."""


class ForeignOrigin(Refused):
    """A request to another origin than the Resource Manager endpoint the token is for."""


class RedirectRefused(Refused):
    """An answer redirecting elsewhere: redirects are not followed."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status_code = status


class Stopped(Refused):
    """The collection was stopped (Ctrl-C): nothing more is sent."""


class DeadlinePassed(Refused):
    """The collection's deadline passed: nothing more is sent."""


class RetryAfterTooLong(Refused):
    """Azure asked to wait longer before retrying than the scanner waits."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status_code = status


class BadBody(Refused):
    """An answer whose body is not the JSON it should be (HTML, cut short, ...)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status_code = status


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port): where a token may be sent."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or (443 if scheme == "https" else 80)


def host_of(url: str) -> str:
    """The scheme, host and port of a URL, to name it in a message (never its path or query,
    which may carry a secret)."""
    scheme, host, port = origin(url)
    return f"{scheme}://{host}:{port}"


class Guard:
    """What every request of one collection keeps to: the origin its token was issued for, the
    collection's deadline, and a stop (Ctrl-C). Shared by every client's pipeline."""

    def __init__(
        self,
        endpoint: str,
        deadline: float | None = None,
        max_retry_after: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.origin = origin(endpoint)
        self.endpoint = host_of(endpoint)
        self.seconds = deadline
        self.max_retry_after = max_retry_after
        self._clock = clock
        self._ends = None if deadline is None else clock() + deadline
        self._stopped = threading.Event()

    def stop(self) -> None:
        self._stopped.set()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def remaining(self) -> float | None:
        return None if self._ends is None else self._ends - self._clock()

    def passed(self) -> bool:
        left = self.remaining()
        return left is not None and left <= 0

    def check(self) -> None:
        """Raise unless another request may be sent now."""
        if self._stopped.is_set():
            raise Stopped("not read: the collection was stopped")
        if self.passed():
            raise DeadlinePassed(self.deadline_message())

    def deadline_message(self) -> str:
        return f"not read: the collection's deadline ({self.seconds:g} s, --deadline) passed"

    def check_url(self, url: str) -> None:
        self.check()
        if origin(url) != self.origin:
            raise ForeignOrigin(
                f"refused to send a request to {host_of(url)}: the token is for "
                f"{self.endpoint} only (a link in an answer pointed elsewhere)"
            )

    def wait(self, seconds: float) -> None:
        """Sleep `seconds`, waking (and raising) at once on a stop or at the deadline."""
        left = self.remaining()
        if left is not None and seconds >= left:
            self._stopped.wait(max(0.0, left))
            self.check()
            raise DeadlinePassed(self.deadline_message())
        if self._stopped.wait(max(0.0, seconds)):
            self.check()


class GuardPolicy(SansIOHTTPPolicy[HttpRequest, Any]):
    """Refuses to send a request elsewhere than the Resource Manager origin (a paging link, a
    continuation, a retry), after the deadline or a stop; and refuses a redirect (the SDK's
    redirect policy is off, so a 3xx reaches it). Placed after the retry policy and before
    the authentication policy: a refused request never gets the token."""

    def __init__(self, guard: Guard) -> None:
        self._guard = guard

    def on_request(self, request: PipelineRequest[HttpRequest]) -> None:
        self._guard.check_url(request.http_request.url)

    def on_response(self, request: PipelineRequest[HttpRequest], response: Any) -> None:
        status = response.http_response.status_code
        if 300 <= status < 400:
            location = response.http_response.headers.get("Location") or ""
            where = host_of(location) if "://" in location else self._guard.endpoint
            raise RedirectRefused(
                f"answered {status}, redirecting to {where}: redirects are not followed", status
            )


class BoundedRetryPolicy(RetryPolicy[HttpRequest, Any]):
    """azure-core's retries, with every wait bounded: a Retry-After longer than the guard's
    limit is the read's error, a wait ends at a stop or the deadline, and a refusal (Refused)
    is never retried."""

    def __init__(self, guard: Guard, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._guard = guard

    def increment(self, settings: dict[str, Any], response: Any = None, error: Any = None) -> bool:
        if isinstance(error, Refused):
            return False
        return bool(super().increment(settings, response=response, error=error))

    def sleep(self, settings: dict[str, Any], transport: Any, response: Any = None) -> None:
        delay = self.get_retry_after(response) if response is not None else None
        if delay is not None and delay > self._guard.max_retry_after:
            status = response.http_response.status_code
            raise RetryAfterTooLong(
                f"answered {status} asking to retry after {delay:g} s (Retry-After), longer "
                f"than the {self._guard.max_retry_after:g} s the scanner waits",
                status,
            )
        self._guard.wait(delay if delay is not None else self.get_backoff_time(settings))


# azure-mgmt-core announces "We are registering for you." before the request this policy
# refuses: not true here, so its warnings are not shown.
logging.getLogger("azure.mgmt.core.policies._base").setLevel(logging.ERROR)


class ReadOnlyPolicy(SansIOHTTPPolicy[HttpRequest, Any]):
    """Refuses every request but a GET and the Resource Graph query, whoever makes it: the SDK's
    own policies may send writes (on a 409 MissingSubscriptionRegistration, azure-mgmt-core's
    ARMAutoResourceProviderRegistrationPolicy POSTs .../register). Placed after the retry
    policy, it sees every request that would reach the network."""

    def on_request(self, request: PipelineRequest[HttpRequest]) -> None:
        http = request.http_request
        path = urlsplit(http.url).path.rstrip("/").lower()
        if http.method == "GET" or (http.method == "POST" and path == GRAPH_QUERY_PATH):
            return
        path = urlsplit(http.url).path
        if path.lower().endswith("/register"):  # ARMAutoResourceProviderRegistrationPolicy
            provider = path.rstrip("/").split("/")[-2]
            raise WriteRefused(
                f"the subscription is not registered for {provider} (409 "
                "MissingSubscriptionRegistration); the scanner is read-only and does not register "
                f"it: run `az provider register --namespace {provider}` (refused POST {path})"
            )
        raise WriteRefused(f"refused to send {http.method} {path}: the scanner is read-only")


def client_kwargs(
    target: Target,
    cred: TokenCredential,
    guard: Guard | None = None,
    request_timeout: float | None = None,
    **retry: Any,
) -> dict[str, Any]:
    """Keyword arguments every SDK client is built with: the token only for the target's
    origin, no redirects, bounded waits (`retry` are azure-core's retry_* settings)."""
    guard = guard or Guard(target.endpoint)
    timeouts = {}
    if request_timeout is not None:
        timeouts = {"connection_timeout": request_timeout, "read_timeout": request_timeout}
    return {
        "base_url": target.endpoint,
        "credential_scopes": list(target.scopes),
        "authentication_policy": AuthPolicy(cred, *target.scopes),
        "per_retry_policies": [GuardPolicy(guard), ReadOnlyPolicy()],
        "retry_policy": BoundedRetryPolicy(guard, **retry),
        "permit_redirects": False,
        **timeouts,
        **_network_settings(target.endpoint),
    }


class Clients:
    """The SDK clients a collection uses, built on first use (never at import time) with
    client_kwargs, one per subscription where the client is bound to one."""

    def __init__(
        self,
        target: Target,
        cred: TokenCredential,
        guard: Guard | None = None,
        request_timeout: float | None = None,
        **retry: Any,
    ) -> None:
        self._target = target
        self._credential = cred
        self._guard = guard
        self._request_timeout = request_timeout
        self._retry = retry
        self._cache: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def kwargs(self) -> dict[str, Any]:
        return client_kwargs(
            self._target, self._credential, self._guard, self._request_timeout, **self._retry
        )

    def _get(self, kind: str, key: str, build: Callable[[], Any]) -> Any:
        with self._lock:
            if (kind, key) not in self._cache:
                self._cache[kind, key] = build()
            return self._cache[kind, key]

    def graph(self) -> Any:
        from azure.mgmt.resourcegraph import ResourceGraphClient

        return ResourceGraphClient(self._credential, **self.kwargs())

    def subscriptions(self) -> Any:
        from azure.mgmt.resource.subscriptions import SubscriptionClient

        return SubscriptionClient(self._credential, **self.kwargs())

    def ml(self, subscription: str) -> Any:
        from azure.mgmt.machinelearningservices import MachineLearningServicesMgmtClient

        return self._get(
            "ml",
            subscription,
            lambda: MachineLearningServicesMgmtClient(
                self._credential, subscription, **self.kwargs()
            ),
        )

    def resources(self, subscription: str) -> Any:
        from azure.mgmt.resource.resources import ResourceManagementClient

        return self._get(
            "resources",
            subscription,
            lambda: ResourceManagementClient(self._credential, subscription, **self.kwargs()),
        )

    def storage(self, subscription: str) -> Any:
        from azure.mgmt.storage import StorageManagementClient

        return self._get(
            "storage",
            subscription,
            lambda: StorageManagementClient(self._credential, subscription, **self.kwargs()),
        )
