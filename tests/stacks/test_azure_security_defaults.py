"""Security-critical defaults of the shipped Azure stacks, asserted one by one.

A snapshot can be regenerated carelessly; these assertions cannot.
"""

import json
import subprocess

import pytest

from tests.conftest import ENV_DIR, resources, shipped_on
from tests.terraform_eval import decode_base64

AZURE = shipped_on("azure")


def _one(stack, kind):
    (value,) = resources(stack, kind).values()
    return value


def _vms(stack):
    return resources(stack, "azurerm_linux_virtual_machine")


@pytest.mark.parametrize("name", AZURE)
def test_the_storage_account_admits_only_entra_id_over_tls_from_platform_subnets(stacks, name):
    account = _one(stacks[name], "azurerm_storage_account")
    assert account["https_traffic_only_enabled"] is True
    assert account["min_tls_version"] == "TLS1_2"
    assert account["allow_nested_items_to_be_public"] is False
    assert account["shared_access_key_enabled"] is False
    assert account["local_user_enabled"] is False and account["sftp_enabled"] is False
    assert account["cross_tenant_replication_enabled"] is False
    rules = account["network_rules"]
    assert rules["default_action"] == "Deny"
    assert all(s.startswith("${azurerm_subnet.") for s in rules["virtual_network_subnet_ids"])
    assert "ip_rules" not in rules
    blob = account["blob_properties"]
    assert blob["versioning_enabled"] is True
    assert blob["delete_retention_policy"]["days"] >= 7
    assert blob["container_delete_retention_policy"]["days"] >= 7


@pytest.mark.parametrize("name", AZURE)
def test_the_seeds_containers_are_private_and_tiered(stacks, name):
    stack = stacks[name]
    containers = resources(stack, "azurerm_storage_container").values()
    assert sorted(c["name"] for c in containers) == ["datasets", "logs", "mlruns", "results", "tfruns"]
    assert {c["container_access_type"] for c in containers} == {"private"}
    rules = _one(stack, "azurerm_storage_management_policy")["rule"]
    by_name = {r["name"]: r["actions"] for r in rules}
    assert by_name["datasets-tiers"]["base_blob"] == {
        "tier_to_cool_after_days_since_modification_greater_than": 30,
        "tier_to_archive_after_days_since_modification_greater_than": 180,
    }
    assert "tier_to_archive_after_days_since_modification_greater_than" not in by_name["mlruns-tiers"]["base_blob"]
    assert all(a["version"]["delete_after_days_since_creation"] > 0 for a in by_name.values())


@pytest.mark.parametrize("name", AZURE)
def test_blob_reads_writes_and_deletes_go_to_log_analytics(stacks, name):
    settings = resources(stacks[name], "azurerm_monitor_diagnostic_setting").values()
    blob = [s for s in settings if s["target_resource_id"].endswith("/blobServices/default")]
    assert len(blob) == 1 and blob[0]["enabled_log"] == [{"category_group": "allLogs"}]
    assert blob[0]["log_analytics_workspace_id"].startswith("${azurerm_log_analytics_workspace.")


@pytest.mark.parametrize("name", AZURE)
def test_identities_get_blob_data_roles_on_the_data_containers_only(stacks, name):
    """Blob roles for the VMs, each on the environment's containers and not on the account, so the container
    Network Watcher writes flow logs to is out of the machines' reach; the only other grants are the key's
    (asserted below), none subscription-wide."""
    stack = stacks[name]
    assignments = [
        a for a in resources(stack, "azurerm_role_assignment").values() if "Blob" in a.get("role_definition_name", "")
    ]
    containers = {f"${{azurerm_storage_container.{key}.id}}" for key in resources(stack, "azurerm_storage_container")}
    assert len(assignments) == len(_vms(stack)) * len(containers)
    for assignment in assignments:
        assert assignment["role_definition_name"] == "Storage Blob Data Contributor"
        assert assignment["scope"] in containers
        assert assignment["principal_id"].endswith(".identity[0].principal_id}")
    for assignment in resources(stack, "azurerm_role_assignment").values():
        assert not assignment["scope"].startswith("/subscriptions/"), "nothing scoped to a subscription"
        if "azurerm_resource_group" in assignment["scope"]:
            assert assignment["scope"].startswith("${azurerm_resource_group.disk-backups_snapshot-group_"), (
                "nothing scoped to the platform's resource group; the Backup vault writes snapshots into its own"
            )
            assert assignment["role_definition_name"] == "Disk Snapshot Contributor"


@pytest.mark.parametrize("name", AZURE)
def test_an_idle_vm_may_deallocate_itself_and_nothing_else(stacks, name):
    """The idle watchdog deallocates through the VM's identity: a custom role with read and deallocate only,
    defined at the platform's resource group, assigned per VM at that VM's scope (docs/azure.md)."""
    stack = stacks[name]
    (role_key, role), *others = resources(stack, "azurerm_role_definition").items()
    assert others == []
    assert role["permissions"] == [
        {"actions": ["Microsoft.Compute/virtualMachines/read", "Microsoft.Compute/virtualMachines/deallocate/action"]}
    ]
    assert role["assignable_scopes"] == [role["scope"]] and role["scope"].startswith(
        "${azurerm_resource_group.resource-group"
    )
    grants = [a for a in resources(stack, "azurerm_role_assignment").values() if "role_definition_id" in a]
    machines = {k: v for k, v in _vms(stack).items() if not k.startswith("hq_")}
    assert sorted(g["scope"] for g in grants) == sorted(f"${{azurerm_linux_virtual_machine.{k}.id}}" for k in machines)
    for grant in grants:
        vm = grant["scope"].removesuffix(".id}")
        assert grant["principal_id"] == f"{vm}.identity[0].principal_id}}"
        assert grant["role_definition_id"] == f"${{azurerm_role_definition.{role_key}.role_definition_resource_id}}"
        assert "idle_watchdog.py" in json.dumps(machines[vm.split(".")[1]]["user_data"])
    headquarters = [v for k, v in _vms(stack).items() if k.startswith("hq_")]
    assert all("idle_watchdog.py" not in json.dumps(vm["user_data"]) for vm in headquarters)  # it serves the site


@pytest.mark.parametrize("name", AZURE)
def test_experiment_vms_run_the_jobs_queued_in_the_first_container_through_their_identity(stacks, name):
    """gpulab run's agent reads the queue and writes results in the first bucket's container of the account,
    with the VM's managed identity (Storage Blob Data Contributor there: the blob-roles test above)."""
    stack = stacks[name]
    account = _one(stack, "azurerm_storage_account")["name"]
    for key, vm in _vms(stack).items():
        script = decode_base64(vm["user_data"])
        if key.startswith("hq_"):
            assert "run_agent.py" not in script  # the headquarters serves the site and runs no jobs
            continue
        config = {"account_url": f"https://{account}.blob.core.windows.net", "bucket": "datasets", "cloud": "azure"}
        assert json.dumps(config | {"machine": vm["name"]}, sort_keys=True) in script.splitlines()
        assert "azure-storage-blob==" in script and "gpulab-run-agent.timer" in script


@pytest.mark.parametrize("name", AZURE)
def test_every_vm_takes_ssh_keys_only_and_has_its_own_identity(stacks, name):
    for vm in _vms(stacks[name]).values():
        assert vm["disable_password_authentication"] is True
        assert "admin_password" not in vm
        assert vm["admin_ssh_key"] and all(k["public_key"] for k in vm["admin_ssh_key"])
        assert vm["identity"] == {"type": "SystemAssigned"}
        assert vm["encryption_at_host_enabled"] is True
        assert vm["source_image_reference"]["offer"] in ("ubuntu-24_04-lts", "ubuntu-hpc")


@pytest.mark.parametrize("name", AZURE)
def test_experiment_vms_are_private_and_deallocated_every_evening(stacks, name):
    stack = stacks[name]
    nics = resources(stack, "azurerm_network_interface")
    experiment_nics = [n for key, n in nics.items() if not key.startswith("hq_")]
    assert experiment_nics
    for nic in experiment_nics:
        (config,) = nic["ip_configuration"]
        assert "public_ip_address_id" not in config
        assert "private-0" in config["subnet_id"]
    schedules = resources(stack, "azurerm_dev_test_global_vm_shutdown_schedule").values()
    gpu_vms = [vm for vm in _vms(stack).values() if vm["size"].startswith("Standard_NC")]
    assert len(schedules) == len(gpu_vms) >= 1
    assert {s["daily_recurrence_time"] for s in schedules} == {"1900"}


@pytest.mark.parametrize("name", AZURE)
def test_data_disks_are_separate_premium_disks_closed_to_exports(stacks, name):
    stack = stacks[name]
    disks = resources(stack, "azurerm_managed_disk")
    assert len(disks) == len(_vms(stack))
    for disk in disks.values():
        assert disk["storage_account_type"] == "Premium_LRS"
        assert disk["network_access_policy"] == "DenyAll" and disk["public_network_access_enabled"] is False
    hq_disk = next(d for key, d in disks.items() if key.startswith("hq_"))
    assert hq_disk["disk_size_gb"] == 118


def _subnet_blocks(stack) -> dict[str, list[str]]:
    blocks: dict[str, list[str]] = {"public": [], "private": []}
    for key, subnet in resources(stack, "azurerm_subnet").items():
        blocks[key.split("_")[1].split("-")[0]] += subnet["address_prefixes"]
    return blocks


def _from_outside_the_vnet(stack) -> list[dict]:
    """The allow rules whose sources lie outside the VNet (the internet, admin ranges)."""
    inside = {block for blocks in _subnet_blocks(stack).values() for block in blocks} | {"VirtualNetwork"}
    rules = []
    for rule in resources(stack, "azurerm_network_security_rule").values():
        sources = rule.get("source_address_prefixes") or [rule["source_address_prefix"]]
        if rule["access"] == "Allow" and not set(sources) <= inside:
            rules.append(rule)
    return rules


@pytest.mark.parametrize("name", AZURE)
def test_inside_the_vnet_only_what_the_seeds_data_flow_needs_crosses_between_subnets(stacks, name):
    """Azure's default AllowVnetInBound lets every VNet address reach every port; each NSG refuses the rest of
    the VNet after its rules: the headquarters reaches experiments on SSH, experiments reach MLflow and HTTPS."""
    stack = stacks[name]
    blocks = _subnet_blocks(stack)
    by_group: dict[str, list[dict]] = {}
    for rule in resources(stack, "azurerm_network_security_rule").values():
        by_group.setdefault(rule["network_security_group_name"], []).append(rule)
    groups = resources(stack, "azurerm_network_security_group")
    assert len(by_group) == len(groups)
    for key in groups:
        kind = key.split("_")[1].split("-")[0]
        rules = by_group[f"${{azurerm_network_security_group.{key}.name}}"]
        (deny,) = [r for r in rules if r["access"] == "Deny"]
        assert (deny["priority"], deny["source_address_prefix"], deny["destination_port_range"]) == (
            4000,
            "VirtualNetwork",
            "*",
        )
        inside = [r for r in rules if r["access"] == "Allow" and r not in _from_outside_the_vnet(stack)]
        assert all(r["priority"] < 4000 for r in inside)
        opened = {
            (
                tuple(r.get("source_address_prefixes") or [r["source_address_prefix"]]),
                tuple(r["destination_port_ranges"]),
            )
            for r in inside
        }
        other = "public" if kind == "private" else "private"
        across = {("22",)} if kind == "private" else {("443", "5000")}
        assert opened == {(tuple(blocks[kind]), ("*",))} | {(tuple(blocks[other]), ports) for ports in across}


@pytest.mark.parametrize("name", AZURE)
def test_ssh_is_open_only_from_admin_ranges_and_never_to_the_internet(stacks, name):
    rules = _from_outside_the_vnet(stacks[name])
    ssh = [r for r in rules if "22" in r["destination_port_ranges"]]
    assert ssh and all(r["source_address_prefix"] == "203.0.113.0/24" for r in ssh)
    for rule in rules:
        source = rule.get("source_address_prefix") or rule.get("source_address_prefixes")
        if source in ("Internet", "*", "0.0.0.0/0"):
            assert set(rule["destination_port_ranges"]) <= {"443", "80"}, rule["name"]


def test_the_seed_headquarters_serves_https_publicly_under_its_domain(stacks):
    stack = stacks["echoes"]
    rules = {r["name"]: r for r in resources(stack, "azurerm_network_security_rule").values()}
    assert rules["https"]["source_address_prefix"] == "Internet"
    assert rules["http-acme"]["destination_port_ranges"] == ["80"]
    address = next(p for key, p in resources(stack, "azurerm_public_ip").items() if key.startswith("hq_"))
    assert address["domain_name_label"] == "echoes-echoes-hq" and address["allocation_method"] == "Static"
    records = sorted(r["name"] for r in resources(stack, "azurerm_dns_a_record").values())
    assert records == ["@", "dashboard", "docs", "mlflow", "tensorboard"]
    assert _one(stack, "azurerm_dns_zone")["name"] == "lonel.ai"


def test_private_subnets_leave_through_the_nat_gateway_only(stacks):
    stack = stacks["echoes"]
    subnets = resources(stack, "azurerm_subnet").values()
    assert all(s["default_outbound_access_enabled"] is False for s in subnets)
    (association,) = resources(stack, "azurerm_subnet_nat_gateway_association").values()
    assert "private-0" in association["subnet_id"]


def test_the_headquarters_boot_script_mounts_the_seeds_data_disk(stacks, tmp_path):
    vm = next(v for key, v in _vms(stacks["echoes"]).items() if key.startswith("hq_"))
    script = decode_base64(vm["user_data"])
    assert "MOUNT=/mnt/echoes_data" in script
    for folder in ("ucf101", "logs", "mlruns", "tfruns", "azure_results"):
        assert f'mkdir -p "$MOUNT"/{folder}' in script
    assert 'if [ "$PROBE" -eq 2 ]; then' in script, "only a disk with nothing on it is formatted"
    assert "systemctl enable gpulab-data.service" in script, "mounted at every boot, however late the disk comes"
    path = tmp_path / "boot.sh"
    path.write_text(script)
    subprocess.run(["bash", "-n", str(path)], check=True)


def test_echoes_prod_storage_and_key_vault_are_locked_against_deletion_from_anywhere(stacks):
    """prevent_destroy only stops Terraform; a CanNotDelete management lock stops the portal and the CLI too."""
    stack = stacks["echoes-prod"]
    (account_key,) = resources(stack, "azurerm_storage_account")
    (vault_key,) = resources(stack, "azurerm_key_vault")
    locks = {(lock["scope"], lock["lock_level"]) for lock in resources(stack, "azurerm_management_lock").values()}
    assert locks == {
        (f"${{azurerm_storage_account.{account_key}.id}}", "CanNotDelete"),
        (f"${{azurerm_key_vault.{vault_key}.id}}", "CanNotDelete"),
    }
    assert not resources(stacks["echoes"], "azurerm_management_lock"), "only where protect_data asks for it"


def test_echoes_prod_data_cannot_be_destroyed(stacks):
    stack = stacks["echoes-prod"]
    protected = [
        *resources(stack, "azurerm_storage_account").values(),
        *resources(stack, "azurerm_managed_disk").values(),
        *resources(stack, "azurerm_key_vault").values(),
        *resources(stack, "azurerm_key_vault_key").values(),
    ]
    assert len(protected) == 1 + 2 + 1 + 1
    assert all(r["lifecycle"] == {"prevent_destroy": True} for r in protected)
    assert all("lifecycle" not in r for r in resources(stacks["echoes"], "azurerm_managed_disk").values())


def test_echoes_prod_encrypts_storage_and_every_disk_with_its_hsm_key(stacks):
    stack = stacks["echoes-prod"]
    key = _one(stack, "azurerm_key_vault_key")
    assert key["key_type"] == "RSA-HSM" and key["key_size"] >= 3072
    assert key["rotation_policy"]["automatic"]["time_after_creation"] == "P365D"
    vault = _one(stack, "azurerm_key_vault")
    assert vault["purge_protection_enabled"] is True and vault["rbac_authorization_enabled"] is True
    assert vault["network_acls"]["default_action"] == "Deny"
    assert vault["network_acls"]["ip_rules"] == ["198.51.100.0/24"]
    account = _one(stack, "azurerm_storage_account")
    assert account["customer_managed_key"]["key_vault_key_id"].startswith("${azurerm_key_vault_key.")
    assert account["account_replication_type"] == "RAGRS"
    encryption_set = "${azurerm_disk_encryption_set."
    for disk in resources(stack, "azurerm_managed_disk").values():
        assert disk["disk_encryption_set_id"].startswith(encryption_set)
    for vm in _vms(stack).values():
        assert vm["os_disk"]["disk_encryption_set_id"].startswith(encryption_set)
    grants = [
        a for a in resources(stack, "azurerm_role_assignment").values() if "Crypto" in a.get("role_definition_name", "")
    ]
    assert sorted(a["role_definition_name"] for a in grants) == [
        "Key Vault Crypto Officer",
        "Key Vault Crypto Service Encryption User",
        "Key Vault Crypto Service Encryption User",
    ]
    for grant in grants:
        if grant["role_definition_name"].endswith("Encryption User"):
            assert grant["scope"].endswith(".resource_versionless_id}"), "granted on the key, not the vault"


def test_echoes_prod_keeps_port_80_closed_and_state_remote(stacks):
    stack = stacks["echoes-prod"]
    ports = {p for r in _from_outside_the_vnet(stack) for p in r["destination_port_ranges"]}
    assert ports == {"443", "22"}
    backend = stack["terraform"]["backend"]["azurerm"]
    assert backend["use_azuread_auth"] is True and backend["key"] == "gpulab/echoes/echoes-prod.tfstate"
    (provider,) = stack["provider"]["azurerm"]
    assert provider["subscription_id"] == "00000000-0000-0000-0000-000000000000"
    experiment = next(vm for vm in _vms(stack).values() if vm["size"].startswith("Standard_NC"))
    assert (experiment["priority"], experiment["eviction_policy"]) == ("Spot", "Deallocate")


def test_echoes_prod_data_disks_are_backed_up_daily_by_a_backup_vault(stacks):
    """prevent_destroy only stops Terraform; Azure Backup keeps daily snapshots of each data disk (protect_data).
    The vault's identity reads each disk (Disk Backup Reader) and writes snapshots into a group of their own
    (Disk Snapshot Contributor): Azure docs, "Back up Azure Managed Disks"."""
    stack = stacks["echoes-prod"]
    ((vault_key, vault),) = resources(stack, "azurerm_data_protection_backup_vault").items()
    assert vault["soft_delete"] == "On" and vault["identity"] == {"type": "SystemAssigned"}
    (policy,) = resources(stack, "azurerm_data_protection_backup_policy_disk").values()
    assert policy["backup_repeating_time_intervals"] == ["R/2024-01-01T04:00:00+00:00/P1D"]
    assert policy["default_retention_duration"] == "P7D"
    disks = {f"${{azurerm_managed_disk.{key}.id}}" for key in resources(stack, "azurerm_managed_disk")}
    instances = resources(stack, "azurerm_data_protection_backup_instance_disk").values()
    assert {i["disk_id"] for i in instances} == disks
    principal = f"${{azurerm_data_protection_backup_vault.{vault_key}.identity[0].principal_id}}"
    readers = [r for r in resources(stack, "azurerm_role_assignment").values() if r["principal_id"] == principal]
    assert sorted(r["role_definition_name"] for r in readers) == ["Disk Backup Reader"] * len(disks) + [
        "Disk Snapshot Contributor"
    ]
    assert not resources(stacks["echoes"], "azurerm_data_protection_backup_vault"), "only where data is protected"


def test_storage_access_cidrs_are_the_one_way_to_admit_ranges_outside_the_vnet(tmp_path):
    """`azure.storage_access_cidrs` adds IP rules, written as the service takes them: /32 and /31 as single
    addresses (Azure refuses those prefixes: terraform-provider-azurerm #5444 and PR #20870); the default stays
    Deny."""
    from gpulab.config import load_environments
    from gpulab.synth.app import synthesize

    ranges = "  storage_access_cidrs: [198.51.100.0/24, 203.0.113.7/32, 203.0.113.8/31]\n"
    text = (
        (ENV_DIR / "echoes.yaml")
        .read_text()
        .replace("  admin_username: aclarke\n", "  admin_username: aclarke\n" + ranges)
    )
    (tmp_path / "echoes.yaml").write_text(text)
    out = synthesize(load_environments(tmp_path), tmp_path / "cdktf.out", state_dir=tmp_path)
    stack = json.loads((out / "stacks" / "echoes" / "cdk.tf.json").read_text())
    rules = _one(stack, "azurerm_storage_account")["network_rules"]
    assert rules["default_action"] == "Deny"
    assert rules["ip_rules"] == ["198.51.100.0/24", "203.0.113.7", "203.0.113.8", "203.0.113.9"]
