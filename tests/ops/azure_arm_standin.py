"""A local stand-in for Azure Resource Manager's compute API (and a managed-identity token endpoint) that checks
every request.

Each request must be one the API's published description allows
(api_descriptions/azure-compute.2026-04-01.json, from the OpenAPI document):
a described operation at its path, with the api-version it describes, only
described query parameters, no body where none is taken, and a bearer token
this server issued for Resource Manager. Anything else is answered 400 and
recorded in `violations`, which the tests' fixture asserts empty. Start and
deallocate answer 202 with a Location to poll, as a long-running operation
whose final state comes via its location: 202 on the first poll, then 200
with the VM changed. Served over TLS (trustme), as azure-core sends tokens
over HTTPS only.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import secrets
import ssl
import time
import uuid
from pathlib import Path

from tests.ops.json_server import JsonServer

DESCRIPTION = json.loads((Path(__file__).parent / "api_descriptions" / "azure-compute.2026-04-01.json").read_text())
ARM_RESOURCE = "https://management.azure.com"
STORAGE_RESOURCE = "https://storage.azure.com"
TENANT = "00000000-0000-0000-0000-0000000000bb"


def _route(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$", re.IGNORECASE)


ROUTES = [(name, method, _route(method["path"])) for name, method in DESCRIPTION["methods"].items()]
POWER = {"VirtualMachines_Start": "running", "VirtualMachines_Deallocate": "deallocated"}


def _storage_jwt() -> str:
    """A token shaped as Entra ID issues them for Storage; unsigned, as Azurite's basic OAuth checks no signature."""
    now = int(time.time())
    claims = {"aud": STORAGE_RESOURCE, "iss": f"https://sts.windows.net/{TENANT}/", "iat": now, "nbf": now - 60}
    claims |= {"exp": now + 3600, "oid": str(uuid.uuid4()), "tid": TENANT}

    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.{part({'signature': 'none'})}"


class ArmStandIn:
    """The server: `url` for GPULAB_AZURE_ARM_ENDPOINT, `identity_url` for IDENTITY_ENDPOINT, `add(...)` to deploy
    VMs, `violations` to check."""

    def __init__(self, server_context: ssl.SSLContext) -> None:
        self.vms: dict[tuple[str, str, str], dict] = {}  # (subscription, group, name) → VM
        self.power: dict[str, str] = {}  # VM name → running, stopped, deallocated
        self.operations: dict[str, dict] = {}
        self.identity_header = secrets.token_hex(8)
        self.tokens: set[str] = set()
        self.violations: list[str] = []
        self.calls: list[str] = []
        self.refuse_with: int | None = None
        self._server = JsonServer(
            lambda verb, path, query, body, headers: self.answer(
                verb, path, {k: v[0] for k, v in query.items()}, body, headers
            ),
            tls=server_context,
        )
        self.url = self._server.url
        self.identity_url = f"{self.url}/msi/token"
        self._ids = itertools.count(1)

    def __enter__(self) -> ArmStandIn:
        self._server.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.stop()

    def add(self, subscription: str, group: str, name: str, *, size: str, power: str, tags: dict) -> None:
        self.vms[(subscription, group.lower(), name)] = {
            "id": f"/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Compute/virtualMachines/{name}",
            "name": name,
            "type": "Microsoft.Compute/virtualMachines",
            "location": "eastus",
            "tags": tags,
            "properties": {
                "vmId": str(uuid.uuid4()),
                "hardwareProfile": {"vmSize": size},
                "provisioningState": "Succeeded",
            },
        }
        self.power[name] = power

    # -- the API -------------------------------------------------------------------------------------------

    def answer(self, verb: str, path: str, query: dict[str, str], body: bytes, headers) -> tuple[int, dict, dict]:
        if path == "/msi/token":
            return self._token(query, headers)
        if path.startswith("/operations/"):
            return self._poll(path.removeprefix("/operations/"), headers)
        found = [(n, m, match) for n, m, route in ROUTES if (match := route.match(path)) and m["httpMethod"] == verb]
        if not found:
            return self._violation(f"{verb} {path}: no such operation in the description")
        ((name, method, match),) = found
        unknown = set(query) - set(method["query"])
        if unknown:
            return self._violation(f"{name}: query parameters {sorted(unknown)} are not in the description")
        if query.get("api-version") != DESCRIPTION["apiVersion"]:
            return self._violation(f"{name}: api-version {query.get('api-version')!r}, not the described one")
        if body.strip() and not method["body"]:
            return self._violation(f"{name}: a body, where the operation takes none")
        if not self._authorised(headers):
            return 401, {"error": {"code": "InvalidAuthenticationToken", "message": "The access token is invalid."}}, {}
        self.calls.append(name)
        if self.refuse_with:
            error = {"code": "AuthorizationFailed", "message": "The client does not have authorization."}
            return self.refuse_with, {"error": error}, {}
        parts = match.groupdict()
        if name == "VirtualMachines_List":
            group = parts["resourceGroupName"].lower()
            vms = [vm for (s, g, _), vm in sorted(self.vms.items()) if s == parts["subscriptionId"] and g == group]
            return 200, {"value": vms}, {}
        vm = self.vms.get((parts["subscriptionId"], parts["resourceGroupName"].lower(), parts["vmName"]))
        if vm is None:
            return 404, {"error": {"code": "ResourceNotFound", "message": f"{parts['vmName']} not found"}}, {}
        if name == "VirtualMachines_InstanceView":
            statuses = [{"code": "ProvisioningState/succeeded"}, {"code": f"PowerState/{self.power[vm['name']]}"}]
            return 200, {"statuses": statuses}, {}
        operation = str(next(self._ids))
        self.operations[operation] = {"vm": vm["name"], "becomes": POWER[name], "polls": 0}
        return 202, {}, {"Location": f"{self.url}/operations/{operation}", "Retry-After": "1"}

    def _authorised(self, headers) -> bool:
        authorization = headers.get("Authorization", "")
        return authorization.startswith("Bearer ") and authorization.removeprefix("Bearer ") in self.tokens

    def _poll(self, operation: str, headers) -> tuple[int, dict, dict]:
        if not self._authorised(headers) or operation not in self.operations:
            return self._violation(f"poll of operation {operation!r} this server did not issue, or without a token")
        state = self.operations[operation]
        state["polls"] += 1
        if state["polls"] == 1:
            return 202, {}, {"Location": f"{self.url}/operations/{operation}", "Retry-After": "1"}
        self.power[state["vm"]] = state["becomes"]
        return 200, {}, {}

    def _token(self, query: dict[str, str], headers) -> tuple[int, dict, dict]:
        """App Service's managed-identity protocol (api-version 2019-08-01), one of DefaultAzureCredential's ways:
        an opaque token for Resource Manager, a JWT for Storage (which Azurite reads: issuer, audience, times)."""
        if headers.get("X-IDENTITY-HEADER") != self.identity_header:
            return self._violation("token: without the identity header")
        resource = query.get("resource")
        if resource == ARM_RESOURCE:
            token = secrets.token_hex(16)
            self.tokens.add(token)
        elif resource == STORAGE_RESOURCE:
            token = _storage_jwt()
        else:
            return self._violation(f"token: for {resource!r}, neither Resource Manager nor Storage")
        answer = {"access_token": token, "expires_on": "4102444800", "resource": resource, "token_type": "Bearer"}
        return 200, answer, {}

    def _violation(self, what: str) -> tuple[int, dict, dict]:
        self.violations.append(what)
        return 400, {"error": {"code": "BadRequest", "message": what}}, {}
