"""The catalog and the suggestions that error lines carry."""

import pytest

from gpulab.config import catalog
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


def test_every_catalog_entry_is_priced_and_gpu_counts_are_consistent():
    for machine in catalog.AWS_MACHINE_TYPES.values():
        assert machine.usd_per_hour > 0
        assert (machine.gpu is None) == (machine.gpu_count == 0)
    assert catalog.aws_gpu_counts("t4") == [1, 4, 8]


def test_instance_store_families_cannot_be_auto_recovered():
    assert not catalog.aws_supports_recovery("g4dn.xlarge")
    assert catalog.aws_supports_recovery("t3.medium")


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
