import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { JobMetadata, parseWith, problemLines } from '@wattprint/protocol';

/** The part of tools/traces' scenario.json the quick start reads (docs/traces.md, "Files"). */
const ScenarioSchema = z.object({
  startMs: z.number().int(),
  endMs: z.number().int(),
  sites: z.array(z.object({ id: z.string().min(1), name: z.string().min(1), pue: z.number().min(1), region: z.string().min(1) })).min(1),
  nodes: z
    .array(z.object({ id: z.string().min(1), site: z.string().min(1), devices: z.array(z.string()), traceFile: z.string().min(1) }))
    .min(1),
  jobs: z.array(
    z.object({
      id: z.string().min(1).max(128),
      kind: z.string(),
      metadata: JobMetadata,
      startMs: z.number().int(),
      endMs: z.number().int(),
      truncated: z.boolean(),
      placement: z.array(z.object({ node: z.string().min(1), devices: z.array(z.string()) })).min(1),
    }),
  ),
});
export type Scenario = z.infer<typeof ScenarioSchema>;
export type ScenarioJob = Scenario['jobs'][number];

export class ScenarioFileError extends Error {
  constructor(
    readonly path: string,
    readonly problems: string[],
  ) {
    super(`${path}: ${problems.join('; ')}`);
    this.name = 'ScenarioFileError';
  }
}

export function parseScenario(json: unknown, path: string): Scenario {
  const parsed = parseWith(ScenarioSchema, json);
  if (!parsed.ok) throw new ScenarioFileError(path, problemLines(parsed.problems));
  return parsed.value;
}

export function readScenario(path: string): Scenario {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ScenarioFileError(path, [(error as Error).message]);
  }
  return parseScenario(json, path);
}
