#!/usr/bin/env bash
# Fails when docs/api.md is not what `npm run docs` generates from the protos
# and the running service.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent docs
if ! git diff --quiet -- docs/api.md; then
  git --no-pager diff --stat -- docs/api.md
  echo "docs/api.md is stale: run 'npm run docs' and commit the result." >&2
  exit 1
fi
echo "docs/api.md is fresh"
