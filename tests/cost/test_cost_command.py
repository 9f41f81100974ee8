"""`gpulab cost`: its three formats, its options and its refusals."""

from __future__ import annotations

import json

import pytest

from gpulab.cli import run


def test_the_table_lists_each_line_with_a_total_the_prices_and_what_it_assumes(capsys):
    assert run(["cost", "dev", "--hours-per-day", "10"]) == 0
    table = capsys.readouterr().out
    assert table.startswith("dev (aws, us-east-1): ≈ $")
    assert "trainer-0 (g4dn.xlarge)" in table and "304 h (10 h/day; idle stop after 60 min)" in table
    assert "NAT gateway nat-0" in table and "\n  total " in table
    assert "by use, not in the total: NAT gateway data processed $0.045 per GB" in table
    assert "prices: AWS on-demand pricing pages" in table and "(2025-06)" in table
    assert "machines that stop themselves run 10 h/day (--hours-per-day)" in table


def test_json_holds_every_line_and_the_total(capsys):
    assert run(["cost", "dev", "echoes", "--format", "json"]) == 0
    estimates = json.loads(capsys.readouterr().out)["estimates"]
    assert [e["environment"] for e in estimates] == ["dev", "echoes"]
    for estimate in estimates:
        priced = [line["usd_per_month"] for line in estimate["lines"]]
        assert estimate["usd_per_month"] == pytest.approx(sum(priced), abs=0.01)
        assert estimate["no_price"] is None and estimate["prices"]


def test_markdown_is_a_table_per_environment(capsys):
    assert run(["cost", "echoes", "chameleon", "--format", "markdown"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("## Monthly estimate\n")
    assert (
        "### echoes (azure, eastus): ≈ $" in text and "| machines | hq (Standard_D4s_v3) | 730 h (always on) |" in text
    )
    assert "### chameleon (openstack, KVM@TACC): Chameleon charges its allocations in service units" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["cost", "nosuch"], "nosuch"),
        (["cost", "dev", "--format", "yaml"], "--format 'yaml': use one of table, markdown, json"),
        (["cost", "dev", "--hours-per-day", "25"], "Invalid value for '--hours-per-day'"),
    ],
)
def test_bad_input_is_a_clear_error_and_exit_2(capsys, args, message):
    assert run(args) == 2
    assert message in capsys.readouterr().err
