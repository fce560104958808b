import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { GeneratedScenario } from './generate';
import { formatIntensityCsv } from './intensity';
import { traceCsvChunks } from './trace-csv';

export const SCENARIO_FILE = 'scenario.json';
export const TRUTH_FILE = 'truth.json';
export const INTENSITY_FILE = 'intensity.csv';

/** scenario.json: the plan plus ISO copies of the times, for people reading it. */
export function scenarioDocument(generated: GeneratedScenario): unknown {
  const { scenario } = generated;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    ...scenario,
    start: iso(scenario.startMs),
    end: iso(scenario.endMs),
    intensityFile: INTENSITY_FILE,
    truthFile: TRUTH_FILE,
    jobs: scenario.jobs.map((job) => ({ ...job, start: iso(job.startMs), end: iso(job.endMs) })),
  };
}

/** Writes one trace per node, scenario.json, truth.json and intensity.csv into `outDir`; returns the paths. */
export function writeScenario(outDir: string, generated: GeneratedScenario): string[] {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  generated.scenario.nodes.forEach((node, n) => {
    const path = join(outDir, node.traceFile);
    const fd = openSync(path, 'w');
    try {
      for (const chunk of traceCsvChunks(generated.scenario, generated.grid, generated.traces[n])) writeSync(fd, chunk);
    } finally {
      closeSync(fd);
    }
    written.push(path);
  });
  const files: Array<[string, string]> = [
    [SCENARIO_FILE, `${JSON.stringify(scenarioDocument(generated), null, 2)}\n`],
    [TRUTH_FILE, `${JSON.stringify(generated.truth, null, 2)}\n`],
    [INTENSITY_FILE, formatIntensityCsv(generated.intensity)],
  ];
  for (const [name, text] of files) {
    writeFileSync(join(outDir, name), text);
    written.push(join(outDir, name));
  }
  return written;
}
