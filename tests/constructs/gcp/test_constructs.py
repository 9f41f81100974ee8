"""Each Google Cloud construct on its own, outside any gpulab stack: options and argument checks."""

from __future__ import annotations

import json

import pytest
from cdktf import App, TerraformOutput, TerraformStack
from cdktf import Testing as CdktfTesting
from cdktf_cdktf_provider_google.provider import GoogleProvider

from gpulab.constructs.boot_script import boot_script, gcp_data_disk_links
from gpulab.constructs.gcp import (
    Accelerator,
    GcpBuckets,
    GcpGpuVm,
    GcpKmsKey,
    GcpMonitoring,
    GcpNetwork,
    GcpStopSchedule,
    GcsBucketSpec,
)
from gpulab.constructs.gcp.gpu_vm import DATA_DEVICE, DEFAULT_DATA_MOUNT, OPS_AGENT_STEPS
from tests.terraform_eval import evaluate

P = "my-project-123"


def synth(build) -> dict:
    stack = TerraformStack(App(), "test")
    GoogleProvider(stack, "google", project=P, region="europe-west4")
    build(stack)
    return json.loads(CdktfTesting.synth(stack))["resource"]


def network(scope, **options):
    args = {
        "name": "t",
        "project": P,
        "region": "europe-west4",
        "cidr": "10.9.0.0/20",
        "target_service_accounts": ["sa@x"],
    }
    return GcpNetwork(scope, "net", **{**args, **options})


def vm(scope, **options):
    args = {"name": "t-0", "project": P, "zone": "europe-west4-a", "machine_type": "n1-standard-4"}
    args |= {"subnet_self_link": "subnet", "service_account_email": "sa@x"}
    return GcpGpuVm(scope, "vm", **{**args, **options})


def test_network_egress_is_web_only_unless_opened():
    closed = synth(network)["google_compute_firewall"].values()
    assert sorted(r["name"] for r in closed) == ["t-deny-egress", "t-ssh-in", "t-web-out"]
    opened = synth(lambda s: network(s, open_egress=True))["google_compute_firewall"].values()
    assert [r["name"] for r in opened] == ["t-ssh-in"]


def test_network_ssh_sources_are_iap_and_admins_and_never_the_internet():
    rules = synth(lambda s: network(s, admin_cidrs=["198.51.100.0/24"]))["google_compute_firewall"]
    ssh = next(r for r in rules.values() if r["name"] == "t-ssh-in")
    assert ssh["source_ranges"] == ["35.235.240.0/20", "198.51.100.0/24"]
    with pytest.raises(ValueError, match="admin_cidrs must not hold 0.0.0.0/0"):
        synth(lambda s: network(s, admin_cidrs=["0.0.0.0/0"]))
    no_ssh = synth(lambda s: network(s, iap_ssh=False))["google_compute_firewall"].values()
    assert "t-ssh-in" not in [r["name"] for r in no_ssh], "no sources: no rule"


def test_network_without_nat_has_no_router():
    out = synth(lambda s: network(s, nat=False))
    assert "google_compute_router_nat" not in out and "google_compute_address" not in out


def test_spot_vms_stop_when_preempted():
    out = synth(lambda s: vm(s, spot=True, accelerator=Accelerator("nvidia-tesla-t4", 1, attached=True)))
    (instance,) = out["google_compute_instance"].values()
    scheduling = instance["scheduling"]
    assert (scheduling["provisioning_model"], scheduling["preemptible"]) == ("SPOT", True)
    assert scheduling["instance_termination_action"] == "STOP" and scheduling["automatic_restart"] is False


def test_built_in_gpus_are_not_attached_again():
    out = synth(lambda s: vm(s, machine_type="g2-standard-4", accelerator=Accelerator("nvidia-l4", 1, attached=False)))
    (instance,) = out["google_compute_instance"].values()
    assert "guest_accelerator" not in instance
    assert instance["scheduling"]["on_host_maintenance"] == "TERMINATE"
    assert instance["metadata"]["install-nvidia-driver"] == "True"


def test_cpu_vms_migrate_and_boot_plain_ubuntu_with_secure_boot():
    (instance,) = synth(vm)["google_compute_instance"].values()
    assert instance["scheduling"]["on_host_maintenance"] == "MIGRATE"
    assert "ubuntu-2404-lts" in instance["boot_disk"]["initialize_params"]["image"]
    assert instance["shielded_instance_config"]["enable_secure_boot"] is True


def test_the_startup_script_reaches_the_vm_as_written():
    setup = 'echo "${HOME}" %{x} \\\\ done'
    (instance,) = synth(lambda s: vm(s, startup_script=setup))["google_compute_instance"].values()
    expected = boot_script(
        data_mount=DEFAULT_DATA_MOUNT,
        disk_links=gcp_data_disk_links(DATA_DEVICE),
        steps=OPS_AGENT_STEPS,
        setup_script=setup,
    )
    assert evaluate(instance["metadata"]["startup-script"]) == expected


@pytest.mark.parametrize(
    "options,message", [({"boot_disk_gb": 5}, "boot_disk_gb"), ({"max_run_hours": 200}, "max_run_hours")]
)
def test_vm_arguments_are_checked(options, message):
    with pytest.raises(ValueError, match=message):
        synth(lambda s: vm(s, **options))


def test_stop_schedule_is_a_daily_cron_in_its_time_zone():
    out = synth(
        lambda s: GcpStopSchedule(
            s, "stop", name="t", project=P, region="europe-west4", stop_at="07:05", time_zone="Europe/Berlin"
        )
    )
    (policy,) = out["google_compute_resource_policy"].values()
    assert policy["instance_schedule_policy"] == {
        "time_zone": "Europe/Berlin",
        "vm_stop_schedule": {"schedule": "5 7 * * *"},
    }
    with pytest.raises(ValueError, match="stop_at must be HH:MM"):
        synth(lambda s: GcpStopSchedule(s, "stop", name="t", project=P, region="europe-west4", stop_at="7pm"))


def test_buckets_that_log_access_need_a_log_bucket():
    with pytest.raises(ValueError, match="access_log_bucket_name is required"):
        synth(
            lambda s: GcpBuckets(
                s, "b", buckets=[GcsBucketSpec("x-data", "data", access_logs=True)], project=P, location="EU"
            )
        )


def test_unprotected_buckets_can_be_emptied_by_destroy():
    out = synth(lambda s: GcpBuckets(s, "b", buckets=[GcsBucketSpec("x-data", "data")], project=P, location="EU"))
    (bucket,) = out["google_storage_bucket"].values()
    assert bucket["force_destroy"] is True and "lifecycle" not in bucket


def test_the_kms_key_is_usable_by_the_compute_and_storage_agents_only():
    out = synth(lambda s: GcpKmsKey(s, "kms", name="t", project=P, location="europe-west4"))
    grants = out["google_kms_crypto_key_iam_member"].values()
    assert sorted(g["role"] for g in grants) == ["roles/cloudkms.cryptoKeyEncrypterDecrypter"] * 2
    members = sorted(g["member"] for g in grants)
    assert members[0].startswith("${data.google_storage_project_service_account.")
    assert members[1].startswith("serviceAccount:service-${data.google_project.kms_project_")
    assert members[1].endswith(".number}@compute-system.iam.gserviceaccount.com")


def test_monitoring_watches_gpus_only_on_gpu_fleets():
    def build(gpu):
        return lambda s: GcpMonitoring(
            s,
            "mon",
            name="t",
            project=P,
            region="europe-west4",
            fleet_labels={"environment": "t"},
            instance_prefix="t-",
            gpu=gpu,
            max_uptime_hours=13,
        )

    with_gpu = [p["display_name"] for p in synth(build(True))["google_monitoring_alert_policy"].values()]
    assert with_gpu == ["t: CPU above 80 %", "t: GPU idle below 5 % for an hour", "t: a VM has run more than 13 hours"]
    without = [p["display_name"] for p in synth(build(False))["google_monitoring_alert_policy"].values()]
    assert "t: GPU idle below 5 % for an hour" not in without


def test_vm_attributes_reference_the_instance_and_its_data_disk():
    stack = TerraformStack(App(), "test")
    GoogleProvider(stack, "google", project=P, region="europe-west4")
    machine = vm(stack)
    for attribute in ("instance_id", "name", "self_link", "internal_ip", "data_disk_id"):
        TerraformOutput(stack, attribute, value=getattr(machine, attribute))
    outputs = {name: output["value"] for name, output in json.loads(CdktfTesting.synth(stack))["output"].items()}
    instance, disk = "google_compute_instance.vm_instance_71BDD644", "google_compute_disk.vm_data-disk_287A6E99"
    assert outputs == {
        "instance_id": f"${{{instance}.instance_id}}",
        "name": f"${{{instance}.name}}",
        "self_link": f"${{{instance}.self_link}}",
        "internal_ip": f"${{{instance}.network_interface[0].network_ip}}",
        "data_disk_id": f"${{{disk}.id}}",
    }
    assert machine.internal_ip is machine.internal_ip, "read from the kernel once"


def test_replaced_versions_can_move_to_archive_before_they_are_deleted():
    spec = GcsBucketSpec(name="gpulab-t-models", key="models", archive_noncurrent_after_days=30)
    out = synth(lambda s: GcpBuckets(s, "b", buckets=[spec], project=P, location="EU"))
    (bucket,) = out["google_storage_bucket"].values()
    noncurrent = [r for r in bucket["lifecycle_rule"] if r["condition"].get("with_state") == "ARCHIVED"]
    assert [(r["action"], r["condition"]["days_since_noncurrent_time"]) for r in noncurrent] == [
        ({"type": "SetStorageClass", "storage_class": "ARCHIVE"}, 30),
        ({"type": "Delete"}, 90),
    ]
