"""Synthesize environments into a cdktf output folder, all or nothing, losing nothing.

The output folder is checked first (out_dir.py: only an empty folder or
cdktf's own output may be written to). The app (app.py) is synthesized into a
fresh folder beside it, whose files replace their namesakes only once
synthesis has succeeded (commit.py): a failure leaves the earlier output
untouched, and what Terraform keeps in a stack folder, and the stacks of
other environments, stay. Only app.py imports cdktf, so the CLI can check an
output folder before the jsii kernel starts.
"""
