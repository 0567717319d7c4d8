#!/usr/bin/env bash
# Compiles the generated Java client (scripts/gen-clients.sh) against Debian's
# jars: needs a JDK and libgrpc-java + libprotobuf-java. Output: ${1:-clients}/java-classes.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-clients}"
[ -d "$out/java" ] || bash scripts/gen-clients.sh "$out"
jars=(protobuf grpc-api grpc-stub grpc-protobuf grpc-core guava geronimo-annotation-1.3-spec)
cp=""
for jar in "${jars[@]}"; do
  [ -f "/usr/share/java/$jar.jar" ] || { echo "missing /usr/share/java/$jar.jar: apt-get install -y libgrpc-java libprotobuf-java" >&2; exit 1; }
  cp="$cp:/usr/share/java/$jar.jar"
done
rm -rf "$out/java-classes" && mkdir -p "$out/java-classes"
find "$out/java" -name '*.java' -print0 | xargs -0 javac -nowarn -d "$out/java-classes" -cp "${cp#:}"
echo "compiled $(find "$out/java-classes" -name '*.class' | wc -l) classes into $out/java-classes"
