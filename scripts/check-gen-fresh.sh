#!/usr/bin/env bash
# Fails when gen/ is not exactly what `npm run gen` makes from proto/: a .proto
# edited without regenerating, or a hand edit under gen/. Regenerates in place,
# then asks git whether anything under gen/ changed (new files included).
set -euo pipefail
cd "$(dirname "$0")/.."

npm run --silent gen

changes=$(git status --porcelain --untracked-files=all -- gen/)
if [ -n "$changes" ]; then
  {
    echo "gen/ is stale: 'npm run gen' changed these files:"
    echo "$changes"
    git --no-pager diff --stat -- gen/ || true
    echo "Fix: run 'npm run gen' and commit gen/ together with the proto change."
  } >&2
  exit 1
fi
echo "gen/ is fresh: 'npm run gen' reproduces it exactly"
