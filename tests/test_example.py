"""The library use case: a user's own stack imports gpulab's constructs directly."""

import json
import runpy

from tests.conftest import REPO


def test_custom_stack_example_synthesizes_gpulab_constructs_beside_its_own_resource(tmp_path):
    example = runpy.run_path(str(REPO / "examples" / "custom_stack.py"))
    example["main"](str(tmp_path))

    stack = json.loads((tmp_path / "stacks" / "research-sandbox" / "cdk.tf.json").read_text())
    resource = stack["resource"]
    assert set(resource["aws_sqs_queue"]) == {"jobs"}
    assert len(resource["aws_vpc"]) == 1 and len(resource["aws_subnet"]) == 2
    (instance,) = resource["aws_instance"].values()
    assert instance["instance_type"] == "g6.xlarge"
    assert instance["instance_market_options"]["market_type"] == "spot"
    assert instance["metadata_options"]["http_tokens"] == "required"
    (bucket,) = resource["aws_s3_bucket"].values()
    assert bucket["bucket"] == "sandbox-scratch-0042"
    assert len(resource["aws_s3_bucket_public_access_block"]) == 1


def test_azure_example_synthesizes_gpulab_constructs_in_the_users_resource_group(tmp_path):
    example = runpy.run_path(str(REPO / "examples" / "azure_stack.py"))
    example["main"](str(tmp_path))

    stack = json.loads((tmp_path / "stacks" / "azure-sandbox" / "cdk.tf.json").read_text())
    resource = stack["resource"]
    assert set(resource["azurerm_resource_group"]) == {"group"}
    (vm,) = resource["azurerm_linux_virtual_machine"].values()
    assert vm["size"] == "Standard_NC24ads_A100_v4" and vm["priority"] == "Spot"
    assert vm["resource_group_name"] == "${azurerm_resource_group.group.name}"
    (assignment,) = resource["azurerm_role_assignment"].values()
    assert assignment["role_definition_name"] == "Storage Blob Data Contributor"
    (account,) = resource["azurerm_storage_account"].values()
    assert account["network_rules"]["default_action"] == "Deny"
