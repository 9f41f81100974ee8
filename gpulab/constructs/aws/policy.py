"""Small helpers to write IAM policy documents as data sources."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
    DataAwsIamPolicyDocumentStatementPrincipals,
)
from constructs import Construct


def statement(
    sid: str,
    actions: list[str],
    resources: list[str],
    *,
    effect: str = "Allow",
    principals: dict[str, list[str]] | None = None,
    conditions: list[tuple[str, str, list[str]]] | None = None,
) -> DataAwsIamPolicyDocumentStatement:
    """One policy statement; conditions are (test, variable, values) triples."""
    return DataAwsIamPolicyDocumentStatement(
        sid=sid,
        effect=effect,
        actions=actions,
        resources=resources or None,
        principals=[
            DataAwsIamPolicyDocumentStatementPrincipals(type=kind, identifiers=ids)
            for kind, ids in (principals or {}).items()
        ]
        or None,
        condition=[
            DataAwsIamPolicyDocumentStatementCondition(test=test, variable=variable, values=values)
            for test, variable, values in (conditions or [])
        ]
        or None,
    )


def assume_role_document(
    scope: Construct, id: str, *, service: str, source_account: str | None = None
) -> DataAwsIamPolicyDocument:
    """A trust policy letting one AWS service assume a role, from one account."""
    conditions = [("StringEquals", "aws:SourceAccount", [source_account])] if source_account else None
    return DataAwsIamPolicyDocument(
        scope,
        id,
        statement=[
            statement(
                "AllowServiceToAssume",
                ["sts:AssumeRole"],
                [],
                principals={"Service": [service]},
                conditions=conditions,
            )
        ],
    )


def document(
    scope: Construct, id: str, statements: list[DataAwsIamPolicyDocumentStatement]
) -> DataAwsIamPolicyDocument:
    """A policy document data source from statements."""
    return DataAwsIamPolicyDocument(scope, id, statement=statements)
