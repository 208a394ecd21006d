#!/usr/bin/env bash
# Checks the packed library in a Nest 11 CommonJS app tested with Jest, as `nest new` sets one up:
# builds and packs the repository, installs the app from this folder with the tarball in a
# temporary directory, and runs its Jest suite. Exits non-zero when any step fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/nest11-cjs.XXXXXX")"
cleanup() { if [[ "${KEEP_NEST11_WORKDIR:-}" != "1" ]]; then rm -rf "$work"; fi; }
trap cleanup EXIT

echo "==> building and packing nestjs-eventsource (${SECONDS}s)"
(cd "$root" && npm run build --silent)
tarball="$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -n 1)"
mv "$work/$tarball" "$work/nestjs-eventsource.tgz"

echo "==> installing the Nest 11 app in $work/app (${SECONDS}s)"
mkdir "$work/app"
(cd "$here" && tar --exclude=node_modules --exclude=dist --exclude=run.sh -cf - .) | (cd "$work/app" && tar -xf -)
cd "$work/app"
npm install --no-audit --no-fund --prefer-offline --loglevel=error

echo "==> versions (${SECONDS}s)"
node -e "for (const p of ['@nestjs/common', '@nestjs/core', '@nestjs/testing', 'jest', 'ts-jest', 'typescript']) console.log(p, require(p + '/package.json').version)" || true

echo "==> tsc --noEmit (the CommonJS typings under moduleResolution nodenext) (${SECONDS}s)"
npx tsc -p tsconfig.json --noEmit

echo "==> jest (${SECONDS}s)"
npx jest --ci
