#!/usr/bin/env bash
# Regenerates gen/ from proto/: ts-proto TypeScript, and the descriptor set
# (with imports) that server reflection, the JSON gateway and Envoy read.
# google/rpc/{status,error_details}.proto are generated too: the server puts
# google.rpc.Status + ErrorInfo in every error's grpc-status-details-bin.
set -euo pipefail
cd "$(dirname "$0")/.."
rpc=node_modules/google-proto-files/google/rpc
paths=(--path proto/flashsale --path "$rpc/status.proto" --path "$rpc/error_details.proto")
npx buf generate "${paths[@]}"
npx buf build "${paths[@]}" --as-file-descriptor-set -o gen/flashsale.binpb
