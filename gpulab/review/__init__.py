"""Reviewing what a change to the platform does: the offline diff of two synths, real plans, checkov findings
and their waivers, and the pull-request comment that holds them (docs/review.md, docs/ci.md)."""
