import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/**
 * Every environment variable name the apps' sources can read: string literals handed to the config
 * parsers (`e.int('PORT', …)`), keys of the agent's config schema (`REDIS_URL: z.string()…`) and
 * `env.NAME` accesses. Read from the sources each run, so a renamed variable breaks the manifest test.
 */
export function appEnvNames(...dirs: string[]): Set<string> {
  const names = new Set<string>();
  const patterns = [/['"`]([A-Z][A-Z0-9_]{3,})['"`]/g, /^\s*([A-Z][A-Z0-9_]{3,})\s*:/gm, /\benv\.([A-Z][A-Z0-9_]{3,})\b/g];
  for (const file of dirs.flatMap(sources)) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of patterns) for (const m of text.matchAll(pattern)) names.add(m[1]);
  }
  return names;
}
