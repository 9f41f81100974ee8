#!/usr/bin/env bash
# Install time and virtualenv size of gpulab alone and with each cloud extra, each in a fresh virtualenv
# (a temporary folder this script makes and removes); pip's cache is used as it is, so downloads are
# not counted once it is warm. README.md, "Install only what you use", has the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
for extra in core aws azure gcp all; do
  venv=$(mktemp -d)
  python3 -m venv "$venv"
  spec="."; [ "$extra" != core ] && spec=".[$extra]"
  start=$(date +%s.%N)
  "$venv/bin/pip" install --quiet "$spec" >/dev/null 2>&1 || echo "$extra: install failed"
  end=$(date +%s.%N)
  echo "$extra: $(echo "$end - $start" | bc) s, $(du -sm "$venv" | cut -f1) MB"
  rm -rf "$venv"
done
