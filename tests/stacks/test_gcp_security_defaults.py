"""Security-critical defaults of the shipped Google Cloud stacks (seed 003's fleet), asserted one by one.

A snapshot can be regenerated carelessly; these assertions cannot.
"""

import pytest

from tests.conftest import resources, shipped_on

GCP = shipped_on("gcp")
WORKERS = {"tiny": 1, "small": 3, "large": 7, "huge": 15}


def _instances(stack):
    return resources(stack, "google_compute_instance").values()


def test_the_four_seed_stacks_differ_in_their_worker_count_only():
    assert sorted(GCP) == sorted(WORKERS)


@pytest.mark.parametrize("name", GCP)
def test_each_stack_has_its_seeds_workers_n1_with_a_t4(stacks, name):
    instances = list(_instances(stacks[name]))
    assert len(instances) == WORKERS[name]
    assert sorted(i["name"] for i in instances) == sorted(f"pcp-{name}-worker-{n}" for n in range(WORKERS[name]))
    for instance in instances:
        assert instance["machine_type"] == "n1-standard-4"
        assert instance["guest_accelerator"] == [{"count": 1, "type": "nvidia-tesla-t4"}]
    zones = {i["zone"] for i in instances}
    assert zones <= {"us-central1-a", "us-central1-b", "us-central1-c"}
    assert len(zones) == min(3, WORKERS[name]), "workers are spread over the listed zones"


@pytest.mark.parametrize("name", GCP)
def test_every_gpu_vm_terminates_on_host_maintenance(stacks, name):
    for instance in _instances(stacks[name]):
        assert instance["scheduling"]["on_host_maintenance"] == "TERMINATE"


@pytest.mark.parametrize("name", GCP)
def test_no_vm_has_an_external_ip_or_the_default_service_account(stacks, name):
    for instance in _instances(stacks[name]):
        (interface,) = instance["network_interface"]
        assert "access_config" not in interface
        account = instance["service_account"]
        assert account["email"].startswith("${google_service_account.")
        assert "https://www.googleapis.com/auth/cloud-platform" not in account["scopes"]
        assert instance["can_ip_forward"] is False


@pytest.mark.parametrize("name", GCP)
def test_vms_are_shielded_use_os_login_and_block_project_keys(stacks, name):
    for instance in _instances(stacks[name]):
        shielded = instance["shielded_instance_config"]
        assert shielded["enable_vtpm"] is True and shielded["enable_integrity_monitoring"] is True
        metadata = instance["metadata"]
        assert metadata["enable-oslogin"] == "TRUE" and metadata["block-project-ssh-keys"] == "TRUE"
        assert metadata["serial-port-enable"] == "FALSE"


@pytest.mark.parametrize("name", GCP)
def test_workers_stop_themselves_and_stay_stopped_between_runs(stacks, name):
    stack = stacks[name]
    (policy,) = [
        p for p in resources(stack, "google_compute_resource_policy").values() if "instance_schedule_policy" in p
    ]
    assert policy["instance_schedule_policy"]["vm_stop_schedule"] == {"schedule": "0 23 * * *"}
    for instance in _instances(stack):
        scheduling = instance["scheduling"]
        assert scheduling["max_run_duration"] == {"seconds": 12 * 3600}
        assert scheduling["instance_termination_action"] == "STOP"
        assert instance["resource_policies"] == [
            "${google_compute_resource_policy.worker-stop-schedule_policy_D4652889.self_link}"
        ]
        assert instance["desired_status"] == "TERMINATED"
        assert instance["lifecycle"]["ignore_changes"] == ["desired_status"]


@pytest.mark.parametrize("name", GCP)
def test_idle_workers_shut_down_which_stops_them_on_compute_engine(stacks, name):
    """The idle watchdog (the fleet's default 60 minutes) powers the OS off: Compute Engine then stops the
    VM (TERMINATED: no compute billing), unlike Azure, where gpulab deallocates through the API instead."""
    for instance in _instances(stack := stacks[name]):
        script = instance["metadata"]["startup-script"]
        assert "gpulab-idle-watchdog.timer" in script
        assert '{"idle_minutes": 60, "processes": [], "stop": "shutdown"}' in script
    assert "azurerm_role_definition" not in stack["resource"]


@pytest.mark.parametrize("name", GCP)
def test_workers_run_the_jobs_queued_in_their_first_bucket_which_their_identity_may_write(stacks, name):
    """gpulab run's agent, with google-cloud-storage, reads the queue and writes results in the `results`
    bucket: the fleet's identity holds Storage Object User there (the grant asserted below) and the VM's
    devstorage.read_write scope."""
    bucket = f"pcp-{name}-results"
    for instance in _instances(stacks[name]):
        script = instance["metadata"]["startup-script"]
        assert f'{{"bucket": "{bucket}", "cloud": "gcp", "machine": "{instance["name"]}"}}' in script
        assert "gpulab-run-agent.timer" in script and "google-cloud-storage==" in script
        assert "https://www.googleapis.com/auth/devstorage.read_write" in instance["service_account"]["scopes"]
    buckets = [b["name"] for b in resources(stacks[name], "google_storage_bucket").values()]
    assert bucket in buckets


@pytest.mark.parametrize("name", GCP)
def test_firewall_admits_ssh_from_iap_only_and_lets_workers_reach_the_head(stacks, name):
    rules = {
        r["name"].removeprefix(f"pcp-{name}-"): r for r in resources(stacks[name], "google_compute_firewall").values()
    }
    assert set(rules) == {"ssh-in", "web-out", "head-out", "deny-egress"}
    ingress = [r for r in rules.values() if r["direction"] == "INGRESS"]
    assert ingress == [rules["ssh-in"]]
    assert rules["ssh-in"]["source_ranges"] == ["35.235.240.0/20"]
    assert rules["ssh-in"]["allow"] == [{"ports": ["22"], "protocol": "tcp"}]
    assert rules["head-out"]["destination_ranges"] == ["203.0.113.10/32"]
    assert rules["head-out"]["allow"] == [{"ports": ["9000"], "protocol": "tcp"}]
    assert rules["deny-egress"]["deny"] == [{"protocol": "all"}] and rules["deny-egress"]["priority"] == 65000
    for rule in rules.values():
        assert rule["target_service_accounts"] == ["${google_service_account.identity_account_4CCBDC4E.email}"]
        assert "0.0.0.0/0" not in rule.get("source_ranges", [])


@pytest.mark.parametrize("name", GCP)
def test_the_vpc_is_custom_mode_with_private_google_access_flow_logs_and_nat(stacks, name):
    stack = stacks[name]
    (vpc,) = resources(stack, "google_compute_network").values()
    assert vpc["auto_create_subnetworks"] is False
    (subnet,) = resources(stack, "google_compute_subnetwork").values()
    assert subnet["private_ip_google_access"] is True and subnet["log_config"]["metadata"] == "INCLUDE_ALL_METADATA"
    (nat,) = resources(stack, "google_compute_router_nat").values()
    assert nat["nat_ip_allocate_option"] == "MANUAL_ONLY", "fixed addresses the head node can allow"


@pytest.mark.parametrize("name", GCP)
def test_buckets_are_private_versioned_tiered_logged_and_encrypted(stacks, name):
    buckets = {b["name"]: b for b in resources(stacks[name], "google_storage_bucket").values()}
    assert set(buckets) == {f"pcp-{name}-results", f"pcp-{name}-access-logs"}
    for bucket in buckets.values():
        assert bucket["uniform_bucket_level_access"] is True
        assert bucket["public_access_prevention"] == "enforced"
        assert bucket["versioning"] == {"enabled": True}
        assert bucket["encryption"]["default_kms_key_name"].startswith("${google_kms_crypto_key.")
        assert bucket["force_destroy"] is False and bucket["lifecycle"] == {"prevent_destroy": True}
    results = buckets[f"pcp-{name}-results"]
    assert results["logging"]["log_bucket"].startswith("${google_storage_bucket.")
    actions = [(r["action"]["type"], r["action"].get("storage_class")) for r in results["lifecycle_rule"]]
    assert actions == [
        ("SetStorageClass", "NEARLINE"),
        ("SetStorageClass", "ARCHIVE"),
        ("Delete", None),
        ("AbortIncompleteMultipartUpload", None),
    ]


@pytest.mark.parametrize("name", GCP)
def test_the_fleet_identity_is_granted_on_the_bucket_not_the_project(stacks, name):
    stack = stacks[name]
    (account_key,) = resources(stack, "google_service_account")
    fleet = f"${{google_service_account.{account_key}.member}}"
    (grant,) = [g for g in resources(stack, "google_storage_bucket_iam_member").values() if g["member"] == fleet]
    assert grant["role"] == "roles/storage.objectUser"
    members = resources(stack, "google_project_iam_member").values()
    project_roles = sorted(m["role"] for m in members if m["member"] == fleet)
    assert project_roles == ["roles/logging.logWriter", "roles/monitoring.metricWriter"]


@pytest.mark.parametrize("name", GCP)
def test_disks_use_the_hsm_key_and_cannot_be_destroyed(stacks, name):
    stack = stacks[name]
    (key,) = resources(stack, "google_kms_crypto_key").values()
    assert key["version_template"]["protection_level"] == "HSM" and key["rotation_period"] == "7776000s"
    assert key["lifecycle"] == {"prevent_destroy": True}
    disks = resources(stack, "google_compute_disk").values()
    assert len(disks) == WORKERS[name]
    for disk in disks:
        assert disk["disk_encryption_key"]["kms_key_self_link"].startswith("${google_kms_crypto_key.")
        assert disk["lifecycle"] == {"prevent_destroy": True}
    for instance in _instances(stack):
        assert instance["boot_disk"]["kms_key_self_link"].startswith("${google_kms_crypto_key.")


def test_labels_carry_the_common_tags_in_gcps_spelling(stacks):
    (provider,) = stacks["huge"]["provider"]["google"]
    assert provider["default_labels"] == {
        "costcenter": "research",
        "environment": "huge",
        "managedby": "gpulab",
        "owner": "training-team",
        "project": "pcp",
    }


@pytest.mark.parametrize("name", GCP)
def test_data_disks_are_snapshotted_daily_and_the_snapshots_outlive_them(stacks, name):
    """The seed's fleets protect their data (protect_data), so every data disk gets a daily snapshot schedule,
    attached by its own resource, at a start time Compute Engine takes (provider docs: daily_schedule.start_time
    must resolve to 00:00, 04:00, 08:00, 12:00, 16:00 or 20:00 UTC)."""
    stack = stacks[name]
    ((key, policy),) = [
        (k, p) for k, p in resources(stack, "google_compute_resource_policy").items() if "snapshot_schedule_policy" in p
    ]
    schedule = policy["snapshot_schedule_policy"]
    assert schedule["schedule"]["daily_schedule"] == {"days_in_cycle": 1, "start_time": "04:00"}
    assert schedule["retention_policy"] == {"max_retention_days": 7, "on_source_disk_delete": "KEEP_AUTO_SNAPSHOTS"}
    attachments = resources(stack, "google_compute_disk_resource_policy_attachment").values()
    assert len(attachments) == WORKERS[name]
    assert {a["name"] for a in attachments} == {f"${{google_compute_resource_policy.{key}.name}}"}
