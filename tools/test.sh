#!/usr/bin/env bash
# `npm test`: build, type-check, check formatting, then lint and every project's Jest suite through Nx.
# Nx forces colour on the tasks it runs, so a log file would fill with escape codes: off a terminal
# (a file, a pipe, CI) colour is off unless FORCE_COLOR says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -t 1 ] && [ -z "${FORCE_COLOR:-}" ]; then export FORCE_COLOR=0; fi
npm run build
npm run typecheck
npx prettier --check .
npx nx run-many -t lint test --parallel=2 --outputStyle=static
