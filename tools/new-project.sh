#!/usr/bin/env bash
# Lays the boilerplate of one workspace project: tools/new-project.sh libs/foo "type:pure,scope:shared" [dep ...]
set -euo pipefail
dir=$1; tags=$2; shift 2
name=$(basename "$dir")
mkdir -p "$dir/src"
tagjson=$(printf '"%s",' ${tags//,/ }); tagjson="[${tagjson%,}]"
refs=""; for d in "$@"; do refs="$refs{ \"path\": \"../../libs/$d/tsconfig.lib.json\" },"; done; refs="[${refs%,}]"
cat > "$dir/project.json" <<J
{
  "\$schema": "../../node_modules/nx/schemas/project-schema.json",
  "name": "$name",
  "sourceRoot": "$dir/src",
  "projectType": "$( [[ $dir == apps/* ]] && echo application || echo library )",
  "tags": $tagjson
}
J
cat > "$dir/package.json" <<J
{
  "name": "@wattprint/$name",
  "version": "0.1.0",
  "private": true,
  "license": "Apache-2.0",
  "main": "dist/index.js",
  "types": "dist/index.d.ts"
}
J
cat > "$dir/tsconfig.json" <<J
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "noEmit": true, "isolatedModules": true, "types": ["node", "jest"] },
  "include": ["src/**/*.ts", "test/**/*.ts"]
}
J
cat > "$dir/tsconfig.lib.json" <<J
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": {
    "composite": true,
    "rootDir": "src",
    "outDir": "dist",
    "tsBuildInfoFile": "dist/tsconfig.lib.tsbuildinfo"
  },
  "include": ["src/**/*.ts"],
  "exclude": ["src/**/*.spec.ts"],
  "references": $refs
}
J
cat > "$dir/jest.config.js" <<J
module.exports = { ...require('../../jest.preset.js'), displayName: '$name', rootDir: __dirname };
J
echo "export { default } from '../../eslint.config.mjs';" > "$dir/eslint.config.mjs"
