"""Comparing two scans: renames followed, waivers applied, fixed findings listed."""

from __future__ import annotations

from gpulab.review.findings import StackFinding, compare
from gpulab.review.waivers import Waiver


def test_new_fixed_and_waived_findings_are_told_apart():
    base = {StackFinding("dev", "CKV_AWS_1", "aws_s3_bucket.old"), StackFinding("dev", "CKV_AWS_2", "aws_instance.vm")}
    head = {
        StackFinding("dev", "CKV_AWS_1", "aws_s3_bucket.new"),  # the same finding, on the renamed bucket
        StackFinding("dev", "CKV_AWS_3", "aws_instance.vm"),
        StackFinding("dev", "CKV_AWS_4", "aws_s3_bucket.new"),
    }
    waivers = [Waiver("CKV_AWS_4", ("aws_s3_bucket.*",), "buckets of dev hold nothing that needs it")]
    result = compare(base, head, {"dev": {"aws_s3_bucket.old": "aws_s3_bucket.new"}}, waivers)
    assert result.added == (StackFinding("dev", "CKV_AWS_3", "aws_instance.vm"),)
    assert result.fixed == (StackFinding("dev", "CKV_AWS_2", "aws_instance.vm"),)
    assert result.waived_added == 1
