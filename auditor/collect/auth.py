"""Credentials and endpoints: azure-identity, or a bearer token the pipeline already holds."""

from __future__ import annotations

import ipaddress
import logging
import os
import time
import urllib.request
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from azure.core import AzureClouds
from azure.core.credentials import AccessToken, TokenCredential
from azure.core.exceptions import AzureError
from azure.core.pipeline import PipelineRequest
from azure.core.pipeline.policies import SansIOHTTPPolicy
from azure.core.rest import HttpRequest
from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy
from azure.mgmt.core.tools import get_arm_endpoints

from auditor.azure import ENDPOINT_ENV as ENDPOINT_ENV
from auditor.errors import CollectionError

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
GRAPH_QUERY_PATH = "/providers/microsoft.resourcegraph/resources"


class WriteRefused(AzureError):
    """The scanner was about to send a request that could change something in Azure."""


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


def client_kwargs(target: Target, cred: TokenCredential, **extra: Any) -> dict[str, Any]:
    """Keyword arguments every SDK client is built with."""
    return {
        "base_url": target.endpoint,
        "credential_scopes": list(target.scopes),
        "authentication_policy": AuthPolicy(cred, *target.scopes),
        "per_retry_policies": [ReadOnlyPolicy()],
        **_network_settings(target.endpoint),
        **extra,
    }
