"""Tokens are recognised in plain Python exactly as cdktf encodes them, and nothing else is taken for one."""

from __future__ import annotations

import pytest
from cdktf import App, Fn, TerraformStack, TerraformVariable, Token

from gpulab.rules.tokens import is_unresolved


@pytest.fixture(scope="module")
def tokens() -> dict[str, object]:
    stack = TerraformStack(App(), "test")
    text = TerraformVariable(stack, "text", type="string").string_value
    return {
        "string": text,
        "number": TerraformVariable(stack, "number", type="number").number_value,
        "list": TerraformVariable(stack, "list", type="list(string)").list_value,
        "number list": Token.as_number_list(TerraformVariable(stack, "numbers", type="list(number)").value),
        "function": Fn.cidrsubnet(text, 4, 1),
        "embedded": f"{text}-suffix",
    }


@pytest.mark.parametrize("kind", ["string", "number", "list", "number list", "function", "embedded"])
def test_every_kind_of_cdktf_token_is_recognised_and_cdktf_agrees(tokens, kind):
    value = tokens[kind]
    assert is_unresolved(value)
    assert Token.is_unresolved(value), "cdktf itself calls it a token"


@pytest.mark.parametrize(
    "literal",
    ["10.0.0.0/16", "", "$ not a token", "{TfToken[", 0, 7, -1.5, 1e300, -1e300, float("inf"), True, None, ["a", 1]],
)
def test_literals_are_not_tokens(literal):
    assert not is_unresolved(literal)


def test_a_terraform_expression_written_by_hand_is_left_to_terraform():
    assert is_unresolved("${var.cidr}")
    assert is_unresolved({"Name": "${local.prefix}-vpc"})
