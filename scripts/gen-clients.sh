#!/usr/bin/env bash
# Generates Python and Java clients (messages + gRPC stubs) into ${1:-clients}/
# with Debian's protoc and gRPC plugins. Needs: protobuf-compiler,
# protobuf-compiler-grpc, protobuf-compiler-grpc-java-plugin.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-clients}"
for tool in /usr/bin/protoc /usr/bin/grpc_python_plugin /usr/bin/grpc_java_plugin; do
  [ -x "$tool" ] || { echo "missing $tool: apt-get install -y protobuf-compiler protobuf-compiler-grpc protobuf-compiler-grpc-java-plugin" >&2; exit 1; }
done
rm -rf "$out"
tmpl="$(mktemp --suffix=.yaml)"
trap 'rm -f "$tmpl"' EXIT
sed "s|out: clients/|out: $out/|" buf.gen.clients.yaml > "$tmpl"
rpc=node_modules/google-proto-files/google/rpc
npx buf generate --template "$tmpl" --include-imports --path proto/flashsale --path "$rpc/status.proto" --path "$rpc/error_details.proto"
# Python imports the generated folders as namespace packages (no __init__.py,
# so google.api merges with the system's google.protobuf).
echo "clients generated in $out/"
