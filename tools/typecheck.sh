#!/usr/bin/env bash
# Type-checks every project with its tests. The build (tsc -b) checks sources only, and Jest runs
# ts-jest in transpile-only mode, so without this step a spec's type errors would go unseen.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for dir in libs/* apps/* tools/*; do
  config=""
  if [ -f "$dir/tsconfig.spec.json" ]; then config="$dir/tsconfig.spec.json"
  elif [ -f "$dir/tsconfig.json" ]; then config="$dir/tsconfig.json"
  else continue; fi
  if ! npx tsc -p "$config" --noEmit; then echo "typecheck: $config has type errors" >&2; status=1; fi
done
exit $status
