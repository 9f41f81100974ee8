"""What the shipped Azure stacks need to apply and then work, each fact pinned with its source.

A snapshot can be regenerated carelessly; these assertions cannot.
"""

from __future__ import annotations

import json

from cdktf import App, TerraformStack
from cdktf import Testing as CdktfTesting

from gpulab.constructs.azure import AzureNetwork
from tests.conftest import resources


def test_the_key_vault_firewall_admits_no_subnet_that_lacks_the_key_vault_endpoint(stacks):
    """Key Vault refuses network_acls naming a subnet without the Microsoft.KeyVault service endpoint
    (SubnetsHaveNoServiceEndpointsConfigured, azurerm #11759). No machine uses the vault: the disk
    encryption set and the storage account reach the key as trusted services."""
    stack = stacks["echoes-prod"]
    (vault,) = resources(stack, "azurerm_key_vault").values()
    acls = vault["network_acls"]
    assert (acls["default_action"], acls["bypass"]) == ("Deny", "AzureServices")
    endpoints = {
        f"${{azurerm_subnet.{key}.id}}": s["service_endpoints"] for key, s in resources(stack, "azurerm_subnet").items()
    }
    for subnet in acls["virtual_network_subnet_ids"]:
        assert "Microsoft.KeyVault" in endpoints[subnet]


def test_a_network_can_give_its_subnets_the_key_vault_endpoint():
    stack = TerraformStack(App(), "test")
    AzureNetwork(
        stack,
        "net",
        name="t",
        resource_group_name="rg",
        location="westeurope",
        zone_count=1,
        service_endpoints=["Microsoft.Storage", "Microsoft.KeyVault"],
    )
    subnets = json.loads(CdktfTesting.synth(stack))["resource"]["azurerm_subnet"].values()
    assert [s["service_endpoints"] for s in subnets] == [["Microsoft.Storage", "Microsoft.KeyVault"]] * 2


def test_the_headquarters_may_answer_dns_challenges_in_its_own_zone_only(stacks):
    """echoes-prod renews TLS by DNS-01 with port 80 closed: certbot's dns-azure plugin writes TXT
    records as the VM's identity, which needs DNS Zone Contributor on the zone (and nothing wider)."""
    stack = stacks["echoes-prod"]
    (zone_key,) = resources(stack, "azurerm_dns_zone")
    (vm_key,) = [k for k in resources(stack, "azurerm_linux_virtual_machine") if k.startswith("hq_")]
    dns_roles = [
        r
        for r in resources(stack, "azurerm_role_assignment").values()
        if r.get("role_definition_name", "").startswith("DNS")
    ]
    assert [(r["role_definition_name"], r["scope"], r["principal_id"]) for r in dns_roles] == [
        (
            "DNS Zone Contributor",
            f"${{azurerm_dns_zone.{zone_key}.id}}",
            f"${{azurerm_linux_virtual_machine.{vm_key}.identity[0].principal_id}}",
        )
    ]


def test_with_http_renewals_the_headquarters_gets_no_dns_role(stacks):
    roles = resources(stacks["echoes"], "azurerm_role_assignment").values()
    assert not [r for r in roles if r.get("role_definition_name", "").startswith("DNS")]
