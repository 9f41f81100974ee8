"""The compute stand-in refuses what the API's description does not allow, so the GCP tests' clean runs mean
something."""

from __future__ import annotations

import requests

from tests.ops.gcp_compute_standin import ComputeStandIn

BASE = "/compute/v1/projects/p/zones/us-central1-a"


def test_requests_outside_the_description_are_refused_and_recorded():
    with ComputeStandIn() as compute:
        compute.tokens.add("t")
        bearer = {"Authorization": "Bearer t"}
        assert requests.post(f"{compute.url}{BASE}/instances/vm/start?force=1", headers=bearer).status_code == 400
        assert requests.post(f"{compute.url}{BASE}/instances/vm/reboot", headers=bearer).status_code == 400
        assert requests.post(f"{compute.url}{BASE}/instances/vm/stop", data="{}x", headers=bearer).status_code == 400
        assert compute.violations == [
            "instances.start: query parameters ['force'] are not in the description",
            f"POST {BASE}/instances/vm/reboot: no such method in the description",
            "instances.stop: a body, where the method takes none",
        ]


def test_a_described_request_without_a_token_it_issued_is_unauthorised():
    with ComputeStandIn() as compute:
        answer = requests.get(f"{compute.url}/compute/v1/projects/p/aggregated/instances")
        assert answer.status_code == 401 and compute.violations == [] and compute.calls == []
