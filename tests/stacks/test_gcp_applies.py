"""What the shipped Google Cloud stacks need to apply and then work, each fact pinned with its source.

A snapshot can be regenerated carelessly; these assertions cannot.
"""

from __future__ import annotations

import json

import pytest
from cdktf import App, TerraformStack
from cdktf import Testing as CdktfTesting

from gpulab.constructs.gcp import GcpStopSchedule
from tests.conftest import data_sources, resources, shipped_on

GCP = shipped_on("gcp")


@pytest.mark.parametrize("name", GCP)
def test_workers_with_a_schedule_are_created_after_the_compute_agent_may_stop_them(stacks, name):
    """Creating an instance that carries an instance schedule fails with 412 unless the Compute Engine
    service agent holds roles/compute.instanceAdmin.v1 (terraform-provider-google #11899)."""
    stack = stacks[name]
    grants = {
        key: grant
        for key, grant in resources(stack, "google_project_iam_member").items()
        if grant["role"] == "roles/compute.instanceAdmin.v1"
    }
    assert len(grants) == 1, "one grant per project, shared by every schedule"
    ((key, grant),) = grants.items()
    (project_key,) = [k for k in data_sources(stack, "google_project") if k.startswith("schedule-agent")]
    agent = f"service-${{data.google_project.{project_key}.number}}@compute-system.iam.gserviceaccount.com"
    assert grant["member"] == f"serviceAccount:{agent}"
    scheduled = [i for i in resources(stack, "google_compute_instance").values() if i.get("resource_policies")]
    assert scheduled, "the seed's fleets stop on a schedule"
    for instance in scheduled:
        assert f"google_project_iam_member.{key}" in instance["depends_on"]


def test_schedules_of_one_project_share_one_grant():
    stack = TerraformStack(App(), "test")
    for name in ("a", "b"):
        GcpStopSchedule(stack, name, name=f"stop-{name}", project="my-project-123", region="europe-west4")
    GcpStopSchedule(stack, "other", name="stop-other", project="other-project-1", region="europe-west4")
    grants = json.loads(CdktfTesting.synth(stack))["resource"]["google_project_iam_member"].values()
    assert sorted(g["project"] for g in grants) == ["my-project-123", "other-project-1"]


@pytest.mark.parametrize("name", GCP)
def test_cloud_storage_may_deliver_usage_logs_into_the_access_log_bucket(stacks, name):
    """Usage logs arrive only where cloud-storage-analytics@google.com may create objects (Cloud Storage
    docs, "Usage logs & storage logs"); without the grant the logging config applies and no log comes."""
    stack = stacks[name]
    buckets = resources(stack, "google_storage_bucket")
    logged = [b for b in buckets.values() if b.get("logging")]
    assert logged, "the seed's results bucket logs its access"
    (log_bucket_key,) = [k for k, b in buckets.items() if b["name"].endswith("-access-logs")]
    writers = [
        m for m in resources(stack, "google_storage_bucket_iam_member").values() if m["member"].startswith("group:")
    ]
    assert writers == [
        {
            **writers[0],
            "bucket": f"${{google_storage_bucket.{log_bucket_key}.name}}",
            "role": "roles/storage.objectCreator",
            "member": "group:cloud-storage-analytics@google.com",
        }
    ]
