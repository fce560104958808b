import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The built programs the quick start runs, found from its own location (not the working directory). */
export interface WorkspacePaths {
  root: string;
  collectorMain: string;
  agentBin: string;
  tracesCli: string;
}

export function workspacePaths(root = resolve(__dirname, '..', '..', '..')): WorkspacePaths {
  return {
    root,
    collectorMain: join(root, 'apps/collector/dist/main.js'),
    agentBin: join(root, 'apps/agent/bin/wattprint-agent.js'),
    tracesCli: join(root, 'tools/traces/dist/cli.js'),
  };
}

/** The build outputs that are missing, relative to the root; empty when everything is built. */
export function missingBuildOutputs(paths: WorkspacePaths): string[] {
  const needed = [paths.collectorMain, join(paths.root, 'apps/agent/dist/main.js'), paths.tracesCli];
  return needed.filter((p) => !existsSync(p)).map((p) => p.slice(paths.root.length + 1));
}
