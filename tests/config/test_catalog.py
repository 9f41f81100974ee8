"""The catalog and the suggestions that error lines carry."""

import pytest

from gpulab.config.catalog import for_cloud
from gpulab.config.catalog.aws import supports_recovery
from gpulab.config.checks import suggestion
from gpulab.config.machines import machine_type_for
from gpulab.config.model import Machine


@pytest.mark.parametrize(
    "gpu,count,expected",
    [
        ("t4", 1, "g4dn.xlarge"),
        ("t4", 4, "g4dn.12xlarge"),
        ("a10g", 1, "g5.xlarge"),
        ("l4", 8, "g6.48xlarge"),
        ("a100", 8, "p4d.24xlarge"),
        ("h100", 8, "p5.48xlarge"),
    ],
)
def test_a_gpu_request_becomes_the_cheapest_machine_carrying_it(gpu, count, expected):
    assert machine_type_for(Machine(name="trainer", gpu={"type": gpu, "count": count})) == expected


def test_an_explicit_machine_type_wins():
    assert machine_type_for(Machine(name="trainer", machine_type="t3.medium")) == "t3.medium"


@pytest.mark.parametrize(
    "gpu,count,expected",
    [
        ("t4", 1, "Standard_NC4as_T4_v3"),
        ("t4", 4, "Standard_NC64as_T4_v3"),
        ("a10", 1, "Standard_NV36ads_A10_v5"),
        ("a100", 1, "Standard_NC24ads_A100_v4"),
        ("a100", 8, "Standard_ND96asr_v4"),
        ("h100", 1, "Standard_NC40ads_H100_v5"),
        ("h100", 8, "Standard_ND96isr_H100_v5"),
    ],
)
def test_an_azure_gpu_request_becomes_the_cheapest_size_carrying_it(gpu, count, expected):
    machine = Machine(name="experiment", gpu={"type": gpu, "count": count})
    assert machine_type_for(machine, "azure") == expected


@pytest.mark.parametrize("cloud", ["aws", "azure"])
def test_every_catalog_entry_is_priced_and_gpu_counts_are_consistent(cloud):
    catalog = for_cloud(cloud)
    names = catalog.machine_names()
    assert len(names) == len(set(names))
    for machine in catalog.machine_types:
        assert machine.usd_per_hour > 0
        assert (machine.gpu is None) == (machine.gpu_count == 0)
    assert not set(names) & set(catalog.retired), "a retired size cannot also be offered"


def test_gpu_counts_per_cloud():
    assert for_cloud("aws").gpu_counts("t4") == [1, 4, 8]
    assert for_cloud("azure").gpu_counts("a100") == [1, 2, 4, 8]
    assert "l4" not in for_cloud("azure").gpu_types()


def test_instance_store_families_cannot_be_auto_recovered():
    assert not supports_recovery("g4dn.xlarge")
    assert supports_recovery("t3.medium")


@pytest.mark.parametrize(
    "value,choices,expected",
    [
        ("nat_gateway", ["nat", "cidr", "flow_logs"], "did you mean 'nat'?"),
        ("dve", ["dev", "prod"], "did you mean 'dev'?"),
        ("us-est-1", ["us-east-1", "us-west-1", "eu-west-1"], "did you mean 'us-east-1'?"),
        ("v100", ["a100", "h100", "t4"], "use one of a100, h100, t4"),
    ],
)
def test_suggestions_name_the_close_choice_or_list_them_all(value, choices, expected):
    assert suggestion(value, choices) == expected
