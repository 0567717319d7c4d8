#!/usr/bin/env bash
# Breaking-change check of the contract with buf's WIRE_JSON rules (JSON names
# are API: Envoy and the mini-program speak JSON). Compares the descriptor set
# built from the working tree with the one committed on a git ref (default
# main). The descriptor set is compared, not the .proto sources, because the
# google/api module lives in node_modules, which git does not hold.
set -euo pipefail
cd "$(dirname "$0")/.."
against_ref="${1:-main}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
git show "$against_ref:gen/flashsale.binpb" > "$tmp/against.binpb"
rpc=node_modules/google-proto-files/google/rpc
npx buf build --path proto/flashsale --path "$rpc/status.proto" --path "$rpc/error_details.proto" --as-file-descriptor-set -o "$tmp/current.binpb"
npx buf breaking "$tmp/current.binpb" --against "$tmp/against.binpb" --config '{"version":"v2","breaking":{"use":["WIRE_JSON"]}}'
echo "no breaking change against $against_ref (WIRE_JSON)"
