"""Stack comparison on the shipped stacks, each changed the way a pull request would change it."""

from __future__ import annotations

import copy
import json

import pytest

from gpulab.review.diff_report import render_json, render_markdown, render_text, show
from gpulab.review.stack_diff import MISSING, diff_stacks, renamed_pairs
from tests.review.helpers import report_of


@pytest.fixture
def prod(shipped_out) -> dict:
    return json.loads((shipped_out / "stacks" / "prod" / "cdk.tf.json").read_text())


def _first(stack: dict, resource_type: str) -> tuple[str, dict]:
    name = sorted(stack["resource"][resource_type])[0]
    return name, stack["resource"][resource_type][name]


def _by_address(diff) -> dict:
    return {change.address: change for change in diff.resources}


def test_an_unchanged_stack_has_no_changes(prod):
    diff = diff_stacks("prod", prod, copy.deepcopy(prod))
    assert diff.unchanged and diff.resources == [] and diff.counts() == dict.fromkeys(diff.counts(), 0)


def test_growing_an_ebs_volume_is_an_update_in_place(prod):
    # aws provider internal/service/ec2/ebs_volume.go: `size` has no ForceNew (ModifyVolume grows it).
    head = copy.deepcopy(prod)
    name, volume = _first(head, "aws_ebs_volume")
    volume["size"] += 100
    change = _by_address(diff_stacks("prod", prod, head))[f"aws_ebs_volume.{name}"]
    assert change.action == "update" and not change.data_loss
    assert [(c.path, c.new - c.old, c.replaces) for c in change.changes] == [("size", 100, False)]


def test_a_new_kms_key_setting_replaces_the_key_and_every_disk_encrypted_with_it(prod):
    # aws provider internal/service/kms/key.go: multi_region is ForceNew; ebs_volume.go and ec2_instance.go:
    # kms_key_id and root_block_device.kms_key_id are ForceNew, so a key's new ARN replaces what refers to it.
    head = copy.deepcopy(prod)
    key_name, key = _first(head, "aws_kms_key")
    key["multi_region"] = True
    changes = _by_address(diff_stacks("prod", prod, head))
    key_change = changes[f"aws_kms_key.{key_name}"]
    assert key_change.action == "replace" and key_change.data_loss and key_change.protected
    for volume in head["resource"]["aws_ebs_volume"]:
        volume_change = changes[f"aws_ebs_volume.{volume}"]
        assert volume_change.action == "replace" and volume_change.data_loss
        assert volume_change.replaced_because == f"kms_key_id refers to aws_kms_key.{key_name}, which is replaced"
    for instance in head["resource"]["aws_instance"]:
        assert changes[f"aws_instance.{instance}"].action == "replace"


def test_user_data_replaces_an_instance_only_with_user_data_replace_on_change(prod):
    # aws provider ec2_instance.go: user_data is updated in place (stop/start) unless user_data_replace_on_change.
    head = copy.deepcopy(prod)
    name, instance = _first(head, "aws_instance")
    instance["user_data"] = "IyEvYmluL3NoCmVjaG8gaGkK"
    assert _by_address(diff_stacks("prod", prod, head))[f"aws_instance.{name}"].action == "update"
    instance["user_data_replace_on_change"] = True
    assert _by_address(diff_stacks("prod", prod, head))[f"aws_instance.{name}"].action == "replace"


def test_a_construct_id_rename_is_a_destroy_and_create_of_the_same_bucket(prod):
    head = copy.deepcopy(prod)
    buckets = head["resource"]["aws_s3_bucket"]
    old = sorted(buckets)[0]
    buckets[f"{old}-renamed"] = buckets.pop(old)
    diff = diff_stacks("prod", prod, head)
    changes = _by_address(diff)
    removed, added = changes[f"aws_s3_bucket.{old}"], changes[f"aws_s3_bucket.{old}-renamed"]
    assert (removed.action, removed.renamed_to, removed.data_loss) == ("delete", added.address, True)
    assert (added.action, added.moved_from) == ("create", removed.address)
    assert renamed_pairs(diff) == [(removed.address, added.address)]
    assert "address change to" in render_text(report_of(diff, prod, head))


def test_a_moved_block_turns_a_rename_into_a_move(prod):
    head = copy.deepcopy(prod)
    buckets = head["resource"]["aws_s3_bucket"]
    old = sorted(buckets)[0]
    buckets[f"{old}-renamed"] = buckets.pop(old)
    head["moved"] = [{"from": f"aws_s3_bucket.{old}", "to": f"aws_s3_bucket.{old}-renamed"}]
    changes = _by_address(diff_stacks("prod", prod, head))
    assert f"aws_s3_bucket.{old}" not in changes
    moved = changes[f"aws_s3_bucket.{old}-renamed"]
    assert (moved.action, moved.moved_from, moved.data_loss) == ("update", f"aws_s3_bucket.{old}", False)


def test_removing_an_environment_deletes_everything_and_says_so(prod):
    diff = diff_stacks("prod", prod, None)
    assert not diff.head_exists and diff.counts()["delete"] == sum(len(v) for v in prod["resource"].values())
    assert {r.resource_type for r in diff.data_loss} >= {"aws_s3_bucket", "aws_ebs_volume", "aws_kms_key"}
    assert diff.resources[0].data_loss  # data loss is listed first


def test_a_shrinking_gcp_disk_is_replaced_and_a_growing_one_is_not(shipped_out):
    # google provider resource_compute_disk.go: customdiff.ForceNewIfChange("size", IsDiskShrinkage).
    tiny = json.loads((shipped_out / "stacks" / "tiny" / "cdk.tf.json").read_text())
    for delta, action in ((-10, "replace"), (10, "update")):
        head = copy.deepcopy(tiny)
        name, disk = _first(head, "google_compute_disk")
        disk["size"] += delta
        assert _by_address(diff_stacks("tiny", tiny, head))[f"google_compute_disk.{name}"].action == action


def test_azure_custom_data_replaces_the_vm(shipped_out):
    # azurerm linux_virtual_machine_resource.go: custom_data is ForceNew (hashicorp/terraform-provider-azurerm#7234).
    echoes = json.loads((shipped_out / "stacks" / "echoes" / "cdk.tf.json").read_text())
    head = copy.deepcopy(echoes)
    name, vm = _first(head, "azurerm_linux_virtual_machine")
    vm["custom_data"] = "IyEvYmluL3NoCg=="
    change = _by_address(diff_stacks("echoes", echoes, head))[f"azurerm_linux_virtual_machine.{name}"]
    assert change.action == "replace" and [c.path for c in change.changes if c.replaces] == ["custom_data"]


def test_a_local_state_path_is_compared_by_file_not_by_the_folder_synth_ran_in(shipped_out):
    dev = json.loads((shipped_out / "stacks" / "dev" / "cdk.tf.json").read_text())
    elsewhere = copy.deepcopy(dev)
    elsewhere["terraform"]["backend"]["local"]["path"] = "../../../../somewhere/else/terraform.dev.tfstate"
    assert diff_stacks("dev", dev, elsewhere).unchanged
    elsewhere["terraform"]["backend"]["local"]["path"] = "../../terraform.other.tfstate"
    assert [c.path for c in diff_stacks("dev", dev, elsewhere).settings] == ["terraform.backend.local.path"]


def test_long_values_are_shortened_and_secrets_masked_in_every_format(prod):
    head = copy.deepcopy(prod)
    name, instance = _first(head, "aws_instance")
    instance["user_data"] = "x" * 500
    instance["tags"]["db_password"] = "hunter2-hunter2"
    report = report_of(diff_stacks("prod", prod, head), prod, head)
    for rendered in (render_text(report), render_markdown(report), render_json(report)):
        assert "hunter2" not in rendered and "x" * 100 not in rendered
    assert "(500 chars)" in render_text(report) and "tags.db_password: (sensitive value changed)" in render_text(report)
    assert show(MISSING) == "(not set)" and show(["a"]) == '["a"]'
