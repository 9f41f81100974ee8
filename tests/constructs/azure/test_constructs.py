"""Each Azure construct on its own, outside any gpulab stack: options and argument checks."""

from __future__ import annotations

import json

import pytest
from cdktf import App, TerraformStack
from cdktf import Testing as CdktfTesting
from cdktf_cdktf_provider_azurerm.provider import AzurermProvider, AzurermProviderFeatures

from gpulab.constructs.azure import (
    AzureBlobAccess,
    AzureGpuVm,
    AzureLinuxVm,
    AzureMonitoring,
    AzureNetwork,
    AzureStorage,
    ContainerSpec,
    Spot,
    public_key_from,
)
from gpulab.constructs.azure.boot_loader import USER_DATA_HEADER, custom_data, user_data_script
from gpulab.constructs.boot_script import boot_script
from tests.terraform_eval import decode_base64

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGpulabTestKeyOnlyForUnitTests0000000000000 test@gpulab"
PLACE = {"resource_group_name": "rg-t", "location": "westeurope"}


def synth(build) -> dict:
    """Synthesize a stack holding what `build(stack)` adds; return its resources."""
    stack = TerraformStack(App(), "test")
    AzurermProvider(stack, "azurerm", features=[AzurermProviderFeatures()])
    build(stack)
    return json.loads(CdktfTesting.synth(stack))["resource"]


def vm(scope, **options):
    args = {"name": "vm-t", "subnet_id": "subnet", "size": "Standard_D4s_v5", "admin_username": "gpulab"}
    return AzureLinuxVm(scope, "vm", **PLACE, **{**args, "ssh_public_keys": [KEY], **options})


@pytest.mark.parametrize("nat,zones,gateways", [("none", None, 0), ("single", None, 1), ("per_az", ["1", "2", "3"], 3)])
def test_network_nat_modes(nat, zones, gateways):
    out = synth(lambda s: AzureNetwork(s, "net", name="t", **PLACE, zone_count=3, zones=zones, nat=nat))
    assert len(out.get("azurerm_nat_gateway", {})) == gateways
    assert len(out.get("azurerm_subnet_nat_gateway_association", {})) == (3 if gateways else 0)
    assert len(out["azurerm_subnet"]) == 6 and len(out["azurerm_network_security_group"]) == 6
    if nat == "per_az":
        assert sorted(g["zones"][0] for g in out["azurerm_nat_gateway"].values()) == ["1", "2", "3"]


def test_network_per_az_nat_needs_zones():
    with pytest.raises(ValueError, match="nat='per_az' needs zones"):
        synth(lambda s: AzureNetwork(s, "net", name="t", **PLACE, nat="per_az"))


def test_network_opens_nothing_until_asked_and_numbers_rules_in_call_order():
    def build(stack):
        network = AzureNetwork(stack, "net", name="t", **PLACE, zone_count=1)
        network.allow_inbound("public", "https", ports=[443], source_cidrs=["Internet"], description="web")
        network.allow_inbound("public", "ssh", ports=[22], source_cidrs=["198.51.100.0/24"], description="admins")
        network.allow_inbound("private", "nothing", ports=[22], source_cidrs=[], description="no sources: no rule")

    rules = synth(build)["azurerm_network_security_rule"].values()
    assert sorted((r["name"], r["priority"]) for r in rules) == [("https", 100), ("ssh", 110)]
    assert all("public-0" in r["network_security_group_name"] for r in rules)


def test_a_setup_script_reaches_the_vm_byte_for_byte():
    setup = "echo \"home is ${HOME}\" %{not_a_directive} \\\\ `date` 'quoted'\nexit 0"
    out = synth(lambda s: vm(s, data_disk_gb=10, data_mount="/mnt/data", data_folders=["runs"], setup_script=setup))
    (machine,) = out["azurerm_linux_virtual_machine"].values()
    expected = boot_script(data_mount="/mnt/data", data_folders=["runs"], owner="gpulab", setup_script=setup)
    assert decode_base64(machine["user_data"]) == user_data_script(expected)


def test_editing_the_boot_script_changes_user_data_only_so_the_vm_is_kept():
    """Changing custom_data replaces an Azure VM and its OS disk (azurerm #7234); user data updates in place
    ("User data for Azure Virtual Machine"). So every VM's custom data is the same fixed loader."""
    before, after = (
        synth(lambda s, script=script: vm(s, data_disk_gb=10, data_mount="/mnt/data", setup_script=script))
        for script in ("echo one", "echo two")
    )
    (old,), (new,) = before["azurerm_linux_virtual_machine"].values(), after["azurerm_linux_virtual_machine"].values()
    assert old["custom_data"] == new["custom_data"] and old["user_data"] != new["user_data"]
    loader = decode_base64(new["custom_data"])
    assert loader == custom_data() and "systemctl enable gpulab-boot.service" in loader
    assert decode_base64(new["user_data"]).splitlines()[0] == USER_DATA_HEADER, "no #!: cloud-init leaves it alone"


def test_spot_vms_are_deallocated_on_eviction_with_a_price_cap():
    out = synth(lambda s: vm(s, spot=Spot(max_price=0.3)))
    (machine,) = out["azurerm_linux_virtual_machine"].values()
    assert (machine["priority"], machine["eviction_policy"], machine["max_bid_price"]) == ("Spot", "Deallocate", 0.3)
    uncapped = synth(lambda s: vm(s, spot=Spot()))
    assert next(iter(uncapped["azurerm_linux_virtual_machine"].values()))["max_bid_price"] == -1


def test_a_vm_gets_a_public_ip_only_when_given_a_dns_label():
    assert "azurerm_public_ip" not in synth(vm)
    out = synth(lambda s: vm(s, public_ip_dns_label="t-hq"))
    (address,) = out["azurerm_public_ip"].values()
    assert address["domain_name_label"] == "t-hq" and address["sku"] == "Standard"


def test_protected_data_disks_cannot_be_destroyed():
    out = synth(lambda s: vm(s, data_disk_gb=10, protect_data=True))
    (disk,) = out["azurerm_managed_disk"].values()
    assert disk["lifecycle"] == {"prevent_destroy": True}


@pytest.mark.parametrize(
    "options,message",
    [
        ({"ssh_public_keys": []}, "ssh_public_keys must list at least one key"),
        ({"data_mount": "/mnt/data"}, "data_mount '/mnt/data' needs data_disk_gb"),
        ({"os_disk_gb": 8}, r"os_disk_gb: 8 is out of range \(use a value from 30 to 4095\)"),
    ],
)
def test_vm_arguments_are_checked(options, message):
    with pytest.raises(ValueError, match=message):
        synth(lambda s: vm(s, **options))


def test_ssh_key_files_are_read_by_terraform_at_plan_time():
    assert public_key_from(KEY) == KEY
    out = synth(lambda s: vm(s, ssh_public_keys=[public_key_from("~/.ssh/id_ed25519.pub")]))
    (machine,) = out["azurerm_linux_virtual_machine"].values()
    assert machine["admin_ssh_key"][0]["public_key"] == '${file(pathexpand("~/.ssh/id_ed25519.pub"))}'


def test_gpu_vms_boot_the_hpc_image_and_cpu_vms_plain_ubuntu():
    def build(stack):
        common = {**PLACE, "subnet_id": "s", "admin_username": "u", "ssh_public_keys": [KEY]}
        AzureGpuVm(stack, "gpu", name="g", size="Standard_NC4as_T4_v3", gpu=True, **common)
        AzureGpuVm(stack, "cpu", name="c", size="Standard_B2s", gpu=False, shutdown_at=None, **common)

    out = synth(build)
    offers = {m["name"]: m["source_image_reference"]["offer"] for m in out["azurerm_linux_virtual_machine"].values()}
    assert offers == {"g": "ubuntu-hpc", "c": "ubuntu-24_04-lts"}
    (schedule,) = out["azurerm_dev_test_global_vm_shutdown_schedule"].values()
    assert schedule["daily_recurrence_time"] == "1900" and schedule["timezone"] == "UTC"
    nics = {n["name"]: n["accelerated_networking_enabled"] for n in out["azurerm_network_interface"].values()}
    assert nics == {"nic-g": True, "nic-c": False}, "B-series sizes have no accelerated networking"


@pytest.mark.parametrize(
    "shutdown_at,recurrence", [("07:05", "0705"), ("23:59", "2359"), ("7pm", None), ("24:00", None)]
)
def test_the_daily_shutdown_time_is_checked_and_written_as_hhmm(shutdown_at, recurrence):
    def build(stack):
        common = {**PLACE, "subnet_id": "s", "admin_username": "u", "ssh_public_keys": [KEY]}
        AzureGpuVm(stack, "gpu", name="g", size="Standard_NC4as_T4_v3", gpu=True, shutdown_at=shutdown_at, **common)

    if recurrence is None:
        with pytest.raises(ValueError, match=rf"shutdown_at must be HH:MM \(24-hour clock\), got '{shutdown_at}'"):
            synth(build)
        return
    (schedule,) = synth(build)["azurerm_dev_test_global_vm_shutdown_schedule"].values()
    assert schedule["daily_recurrence_time"] == recurrence


@pytest.mark.parametrize(
    "zone,written",
    [
        ("UTC", "UTC"),
        ("W. Europe Standard Time", "W. Europe Standard Time"),
        ("Europe/Berlin", "W. Europe Standard Time"),
    ],
)
def test_the_shutdown_time_zone_is_written_as_the_windows_id_azure_takes(zone, written):
    """DevTest schedules take Windows time zone ids (azurerm docs: `timezone`); IANA names are translated."""

    def build(stack):
        common = {**PLACE, "subnet_id": "s", "admin_username": "u", "ssh_public_keys": [KEY]}
        AzureGpuVm(stack, "gpu", name="g", size="Standard_NC4as_T4_v3", gpu=True, shutdown_timezone=zone, **common)

    (schedule,) = synth(build)["azurerm_dev_test_global_vm_shutdown_schedule"].values()
    assert schedule["timezone"] == written


def test_a_time_zone_azure_does_not_know_names_the_argument():
    def build(stack):
        common = {**PLACE, "subnet_id": "s", "admin_username": "u", "ssh_public_keys": [KEY]}
        AzureGpuVm(
            stack, "gpu", name="g", size="Standard_NC4as_T4_v3", gpu=True, shutdown_timezone="Mars/Olympus", **common
        )

    with pytest.raises(ValueError, match="shutdown_timezone: 'Mars/Olympus' is not a time zone Azure knows"):
        synth(build)


def test_zone_redundant_storage_refuses_archive_tiers():
    with pytest.raises(ValueError, match="replication ZRS offers no archive tier"):
        synth(
            lambda s: AzureStorage(
                s, "st", name="sttest", **PLACE, replication="ZRS", containers=[ContainerSpec("data")]
            )
        )
    out = synth(
        lambda s: AzureStorage(
            s,
            "st",
            name="sttest",
            **PLACE,
            replication="ZRS",
            containers=[ContainerSpec("data", archive_after_days=None)],
        )
    )
    (account,) = out["azurerm_storage_account"].values()
    assert account["account_replication_type"] == "ZRS"


def test_protected_storage_cannot_be_destroyed():
    out = synth(lambda s: AzureStorage(s, "st", name="sttest", **PLACE, protect=True))
    (account,) = out["azurerm_storage_account"].values()
    assert account["lifecycle"] == {"prevent_destroy": True}


def test_monitoring_rounds_the_cpu_window_up_to_one_azure_offers():
    def build(stack):
        monitoring = AzureMonitoring(stack, "mon", name="t", **PLACE, alarm_email="ops@example.com")
        monitoring.watch_vm("a", vm_id="vm-a", cpu_alarm_minutes=10)

    alerts = {a["name"]: a for a in synth(build)["azurerm_monitor_metric_alert"].values()}
    assert alerts["alert-a-cpu-high"]["window_size"] == "PT15M"
    assert alerts["alert-a-unavailable"]["criteria"][0]["metric_name"] == "VmAvailabilityMetric"


def test_monitoring_without_an_alarm_email_builds_an_action_group_with_no_receiver():
    """The documented default, alarm_email=None: alerts show in the portal only (it raised TypeError before)."""
    out = synth(lambda s: AzureMonitoring(s, "mon", name="t", **PLACE).watch_vm("a", vm_id="vm-a"))
    (group,) = out["azurerm_monitor_action_group"].values()
    assert "email_receiver" not in group
    assert out["azurerm_monitor_metric_alert"]


@pytest.mark.parametrize("days", [7, 731])
def test_monitoring_retention_must_be_one_log_analytics_keeps(days):
    with pytest.raises(ValueError, match=rf"^retention_days: {days} is out of range \(use a value from 30 to 730\)$"):
        synth(lambda s: AzureMonitoring(s, "mon", name="t", **PLACE, retention_days=days))


def test_blob_access_grants_data_roles_only():
    with pytest.raises(ValueError, match="role must be"):
        synth(lambda s: AzureBlobAccess(s, "a", storage_account_id="st", principal_ids={"x": "p"}, role="Owner"))


def test_old_versions_can_move_to_the_archive_tier_before_they_are_deleted():
    out = synth(
        lambda s: AzureStorage(
            s, "st", name="sttest", **PLACE, containers=[ContainerSpec("models", archive_noncurrent_after_days=30)]
        )
    )
    (policy,) = out["azurerm_storage_management_policy"].values()
    (rule,) = policy["rule"]
    assert rule["actions"]["version"] == {
        "change_tier_to_archive_after_days_since_creation": 30,
        "delete_after_days_since_creation": 90,
    }


def test_blob_access_is_granted_per_container_when_containers_are_named():
    out = synth(
        lambda s: AzureBlobAccess(
            s,
            "access",
            storage_account_id="/subscriptions/x/acct",
            principal_ids={"hq": "p-1", "gpu": "p-2"},
            container_ids={"datasets": "/c/datasets", "results": "/c/results"},
        )
    )
    grants = sorted((g["principal_id"], g["scope"]) for g in out["azurerm_role_assignment"].values())
    assert grants == [("p-1", "/c/datasets"), ("p-1", "/c/results"), ("p-2", "/c/datasets"), ("p-2", "/c/results")]
