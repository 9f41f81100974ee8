"""A local stand-in for the Compute Engine API (and Google's OAuth token endpoint) that checks every request.

Each request must be one the API's published description allows
(api_descriptions/compute.v1.json, cut from the discovery document): a
described method at its path, only described query parameters, a body only
where the method takes one, and a bearer token this server issued. What does
not fit is answered 400 and recorded in `violations`, which the tests' fixture
asserts empty. Instances live in memory; start and stop answer with a RUNNING
operation that is DONE when first read, and change the instance then.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import secrets
from pathlib import Path
from urllib.parse import parse_qs

from tests.ops.json_server import JsonServer

DESCRIPTION = json.loads((Path(__file__).parent / "api_descriptions" / "compute.v1.json").read_text())
FILTER_TERM = re.compile(r'\(labels\.([a-z][a-z0-9_-]*) = "([a-z0-9_-]*)"\)')


def _route(template: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape("/" + template))
    return re.compile(pattern + "$")


ROUTES = [(name, method, _route(method["path"])) for name, method in DESCRIPTION["methods"].items()]


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ComputeStandIn:
    """The server: `url` to point clients at, `add(...)` to deploy instances, `violations` to check."""

    def __init__(self) -> None:
        self.instances: dict[tuple[str, str, str], dict] = {}  # (project, zone, name) → instance
        self.operations: dict[str, dict] = {}
        self.tokens: set[str] = set()
        self.service_account_keys: list = []  # public keys whose self-signed JWTs are accepted as tokens
        self.violations: list[str] = []
        self.calls: list[str] = []
        self.refuse_with: int | None = None  # answer API calls with this status (403, 429, …)
        self.refuse_next: int | None = None  # … only this many of them; None: every one
        self._ids = itertools.count(1000)
        self._server = JsonServer(self._serve)
        self.url = self._server.url

    def __enter__(self) -> ComputeStandIn:
        self._server.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.stop()

    def add(self, project: str, zone: str, name: str, *, machine_type: str, status: str, labels: dict) -> None:
        self.instances[(project, zone, name)] = {
            "kind": "compute#instance",
            "id": str(next(self._ids)),
            "name": name,
            "zone": f"{self.url}/compute/v1/projects/{project}/zones/{zone}",
            "machineType": f"{self.url}/compute/v1/projects/{project}/zones/{zone}/machineTypes/{machine_type}",
            "status": status,
            "labels": labels,
        }

    def status(self, name: str) -> str:
        return next(i["status"] for (_, _, n), i in self.instances.items() if n == name)

    # -- the API -------------------------------------------------------------------------------------------

    def _serve(self, verb: str, path: str, query: dict[str, list[str]], body: bytes, headers):
        authorization = headers.get("Authorization", "")
        token = authorization.removeprefix("Bearer ") if authorization.startswith("Bearer ") else None
        return (*self.answer(verb, path, query, body, token), {})

    def answer(self, verb: str, path: str, query: dict[str, list[str]], body: bytes, token: str | None):
        if path == "/token":
            return self._token(verb, body)
        found = [(name, method, match) for name, method, route in ROUTES if (match := route.match(path))]
        found = [(name, method, match) for name, method, match in found if method["httpMethod"] == verb]
        if not found:
            return self._violation(f"{verb} {path}: no such method in the description")
        ((name, method, match),) = found
        allowed = {k for k, v in method["parameters"].items() if v["location"] == "query"}
        unknown = set(query) - allowed - set(DESCRIPTION["globalQueryParameters"])
        if unknown:
            return self._violation(f"{name}: query parameters {sorted(unknown)} are not in the description")
        if body.strip() and not method["request"]:
            return self._violation(f"{name}: a body, where the method takes none")
        if token not in self.tokens and not self._self_signed(token):
            return 401, {"error": {"code": 401, "message": "Request had invalid authentication credentials."}}
        self.calls.append(name)
        if self.refuse_with and (self.refuse_next is None or self.refuse_next > 0):
            if self.refuse_next is not None:
                self.refuse_next -= 1
            return self.refuse_with, {"error": {"code": self.refuse_with, "message": "refused by the stand-in"}}
        handler = getattr(self, "_" + name.replace(".", "_"))
        return handler(**match.groupdict(), query={k: v[0] for k, v in query.items()})

    def _self_signed(self, token: str | None) -> bool:
        """A JWT signed (RS256) by a known service-account key, for this API: what Google's client libraries send
        in place of an OAuth token when they hold a service-account key."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        if not token or token.count(".") != 2:
            return False
        header, claims, signature = token.split(".")
        for key in self.service_account_keys:
            try:
                key.verify(_unb64(signature), f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256())
            except InvalidSignature:
                continue
            audience = json.loads(_unb64(claims)).get("aud", "")
            scope = json.loads(_unb64(claims)).get("scope", "")
            return audience.startswith("https://compute.googleapis.com") or "cloud-platform" in scope
        return False

    def _violation(self, what: str):
        self.violations.append(what)
        return 400, {"error": {"code": 400, "message": what}}

    def _token(self, verb: str, body: bytes):
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if verb != "POST" or form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return self._violation(f"token: {verb} with grant_type {form.get('grant_type')!r}")
        claims = json.loads(_unb64(form["assertion"].split(".")[1]))
        if "https://www.googleapis.com/auth/cloud-platform" not in claims.get("scope", "").split():
            return self._violation(f"token: scope {claims.get('scope')!r} lacks cloud-platform")
        token = secrets.token_hex(8)
        self.tokens.add(token)
        return 200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}

    def _instances_aggregatedList(self, project: str, query: dict):
        terms = query.get("filter", "")
        wanted = dict(FILTER_TERM.findall(terms))
        if terms and " AND ".join(f'(labels.{k} = "{v}")' for k, v in wanted.items()) != terms:
            return 400, {"error": {"code": 400, "message": f"Invalid value for field 'filter': '{terms}'"}}
        items: dict[str, dict] = {}
        for (p, zone, _), instance in sorted(self.instances.items()):
            if p == project and all(instance["labels"].get(k) == v for k, v in wanted.items()):
                items.setdefault(f"zones/{zone}", {"instances": []})["instances"].append(instance)
        return 200, {
            "kind": "compute#instanceAggregatedList",
            "id": f"projects/{project}/aggregated/instances",
            "items": items,
        }

    def _instances_get(self, project: str, zone: str, instance: str, query: dict):
        found = self.instances.get((project, zone, instance))
        return (200, found) if found else (404, {"error": {"code": 404, "message": f"{instance} not found"}})

    def _instances_start(self, project: str, zone: str, instance: str, query: dict):
        return self._operation(project, zone, instance, "start", "RUNNING")

    def _instances_stop(self, project: str, zone: str, instance: str, query: dict):
        return self._operation(project, zone, instance, "stop", "TERMINATED")

    def _operation(self, project: str, zone: str, instance: str, kind: str, becomes: str):
        if (project, zone, instance) not in self.instances:
            return 404, {"error": {"code": 404, "message": f"{instance} not found"}}
        name = f"operation-{next(self._ids)}"
        self.operations[name] = {
            "kind": "compute#operation",
            "id": str(next(self._ids)),
            "name": name,
            "operationType": kind,
            "status": "RUNNING",
            "zone": f"{self.url}/compute/v1/projects/{project}/zones/{zone}",
            "targetLink": f"{self.url}/compute/v1/projects/{project}/zones/{zone}/instances/{instance}",
            "_target": (project, zone, instance),
            "_becomes": becomes,
        }
        return 200, self._public(self.operations[name])

    def _zoneOperations_get(self, project: str, zone: str, operation: str, query: dict):
        found = self.operations.get(operation)
        if found is None:
            return 404, {"error": {"code": 404, "message": f"{operation} not found"}}
        if found["status"] != "DONE":
            found["status"] = "DONE"
            self.instances[found["_target"]]["status"] = found["_becomes"]
        return 200, self._public(found)

    _zoneOperations_wait = _zoneOperations_get

    @staticmethod
    def _public(operation: dict) -> dict:
        return {k: v for k, v in operation.items() if not k.startswith("_")}
