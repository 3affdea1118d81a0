#!/usr/bin/env bash
# Build the web console (web/ → src/cityops/web/dist) when it is out of date.
#  - `npm ci` only when web/package-lock.json changed since the last install;
#  - `vite build` only when a source, the lock file or the build configuration changed.
# Fails loudly: any error stops `make` with the reason.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WEB="$ROOT/web"
DIST="$ROOT/src/cityops/web/dist"
LOCK_STAMP="$WEB/node_modules/.cityops-lock.sha256"
BUILD_STAMP="$DIST/.cityops-build.sha256"

die() { echo "build-web: $*" >&2; exit 1; }

command -v node >/dev/null || die "node is not installed (Node 20 or newer is needed)"
command -v npm >/dev/null || die "npm is not installed"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 18 ] || die "Node $node_major is too old; Node 20 or newer is needed"
[ -f "$WEB/package-lock.json" ] || die "web/package-lock.json is missing"

lock_hash="$(sha256sum "$WEB/package-lock.json" | cut -d' ' -f1)"
if [ ! -d "$WEB/node_modules" ] || [ ! -f "$LOCK_STAMP" ] || [ "$(cat "$LOCK_STAMP")" != "$lock_hash" ]; then
  echo "build-web: installing npm packages (npm ci)"
  (cd "$WEB" && npm ci --no-audit --no-fund) || die "npm ci failed"
  echo "$lock_hash" > "$LOCK_STAMP"
fi

sources_hash="$(
  cd "$WEB" &&
    find src static m public index.html vite.config.js package.json package-lock.json scripts \
      -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
)"
if [ -f "$BUILD_STAMP" ] && [ -f "$DIST/index.html" ] && [ "$(cat "$BUILD_STAMP")" = "$sources_hash" ]; then
  echo "build-web: up to date"
  exit 0
fi

echo "build-web: building the console (vite build)"
(cd "$WEB" && npm run --silent build) || die "vite build failed"
[ -f "$DIST/index.html" ] && [ -f "$DIST/m/index.html" ] && [ -f "$DIST/public/index.html" ] \
  || die "the build did not produce the three pages under $DIST"
echo "$sources_hash" > "$BUILD_STAMP"
echo "build-web: done"
