#!/usr/bin/env bash
# Runs every test: type check, then unit tests beside the code and the black-box suites
# against real servers (the IdP, nginx, caddy, redis, chromium). Installs missing system
# packages first (scripts/install-system-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
[ -d node_modules ] || npm ci
npm run --silent build
npx tsc -p tsconfig.json --noEmit
mapfile -t files < <(find src test -name '*.test.ts' | sort)
if [ "$#" -gt 0 ]; then files=("$@"); fi
if [ "${#files[@]}" -eq 0 ]; then
  echo "no test files found: a test run that runs nothing must not pass" >&2
  exit 1
fi
exec node --import tsx --test --test-concurrency=2 --test-timeout=180000 "${files[@]}"
