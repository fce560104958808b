import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root, found from this file in src/ or dist/. */
export const REPO_ROOT = resolve(__dirname, '../../..');

export class NotBuiltError extends Error {
  constructor(readonly missing: string[]) {
    super(`run npm run build first: missing ${missing.join(', ')}`);
    this.name = 'NotBuiltError';
  }
}

/** The built entry points the harness starts as processes. */
export const BUILT = {
  collectorMain: join(REPO_ROOT, 'apps/collector/dist/main.js'),
  agentMain: join(REPO_ROOT, 'apps/agent/dist/main.js'),
  collectorBin: join(REPO_ROOT, 'apps/collector/bin/wattprint-collector.js'),
  agentBin: join(REPO_ROOT, 'apps/agent/bin/wattprint-agent.js'),
};

/** Fails with "run npm run build first" naming what is missing, instead of a child's stack trace. */
export function requireBuiltApps(): void {
  const missing = [BUILT.collectorMain, BUILT.agentMain].filter((p) => !existsSync(p));
  if (missing.length > 0) throw new NotBuiltError(missing);
}
