// The accuracy targets of issue #11, asserted over the reference set the repository ships
// (data/reference-runs): what `wattprint accuracy` prints and the README quotes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { accuracyReport, checkTargets, DEFAULT_SPREAD, LOO_MIN_RUNS, SpecError, type AccuracyReport } from '../src';

const DIR = join(__dirname, '..', '..', '..', 'data', 'reference-runs');
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
const documents = files.map((f) => parse(readFileSync(join(DIR, f), 'utf8')));
let report: AccuracyReport;

beforeAll(() => {
  report = accuracyReport(documents, files);
});

/**
 * Families that miss the leave-one-out target, with the reason; the test checks they still miss,
 * so that a fix has to update this list, the README and docs/cli.md together.
 */
const KNOWN_SHORTFALLS: Record<string, string> = {
  'gitzel-2023':
    'DMNIST is the only run of its family whose time is framework overhead; calibrated on the two compute-bound Xception runs, ' +
    'its forecast stays ~10× low',
};

describe('the reference set', () => {
  it('has at least 20 published runs from a small CNN to transformers over 10^23 FLOPs, on at least 4 hardware generations', () => {
    expect(report.overall.runs).toBeGreaterThanOrEqual(20);
    expect(report.overall.generations.length).toBeGreaterThanOrEqual(4);
    expect(report.overall.trainingFlops.min).toBeLessThan(1e15);
    expect(report.runs.filter((r) => r.trainingFlops > 1e23).length).toBeGreaterThanOrEqual(5);
    expect(report.runs.some((r) => r.kind === 'layers' && r.trainingFlops < 1e14)).toBe(true);
  });

  it('gives every figure its citation, says how a derived figure was derived and what each family counts', () => {
    for (const doc of documents) {
      expect(doc.source.length).toBeGreaterThan(20);
      expect(['devices', 'devices and host']).toContain(doc.covers.scope);
      for (const run of doc.runs) {
        expect(run.specSources.length).toBeGreaterThan(0);
        for (const figure of Object.values(run.measured) as { source: string; derived?: string; value: number }[]) {
          expect(figure.source).toMatch(/\d/);
          if (figure.derived !== undefined) expect(figure.derived).toMatch(/×|\/|less|without/);
        }
      }
    }
  });
});

describe('accuracy targets (issue #11)', () => {
  it('the uncalibrated p10–p90 covers at least 80 % of the set', () => {
    expect(report.overall.coverage).toBeGreaterThanOrEqual(0.8);
    expect(checkTargets(report).coverage.met).toBe(true);
  });

  it('leave-one-out calibration is within 10 % MAPE in every family of three runs or more, but for the known shortfalls', () => {
    const check = checkTargets(report);
    const eligible = report.families.filter((f) => f.runs >= LOO_MIN_RUNS).map((f) => f.family);
    expect(check.loo.map((l) => l.family)).toEqual(eligible);
    expect(eligible.length).toBeGreaterThanOrEqual(3);
    for (const l of check.loo) {
      if (KNOWN_SHORTFALLS[l.family]) expect(l.value).toBeGreaterThan(l.target);
      else expect(l.value).toBeLessThanOrEqual(l.target);
    }
  });

  it('ships default spreads that contain the spread the set supports', () => {
    for (const [kind, supported] of Object.entries(report.spreadByKind)) {
      const shipped = DEFAULT_SPREAD[kind as keyof typeof DEFAULT_SPREAD];
      expect(shipped.p10).toBeLessThanOrEqual(supported?.spread.p10 ?? 0);
      expect(shipped.p90).toBeGreaterThanOrEqual(supported?.spread.p90 ?? Infinity);
      // ... and no more than 10 % wider on either side.
      expect(shipped.p10).toBeGreaterThan(0.9 * (supported?.spread.p10 ?? 0));
      expect(shipped.p90).toBeLessThan(1.1 * (supported?.spread.p90 ?? 0));
    }
  });

  it('uses a pooled calibration for a run whose profile no other run of its family shares', () => {
    const gpt3 = report.runs.find((r) => r.id === 'gpt-3');
    expect(gpt3?.loo?.basis).toBe('pooled');
  });
});

describe('reference files that cannot be used', () => {
  const family = documents.find((d) => d.family === 'patterson-2021');

  it('names the file, the run and the field', () => {
    const noPue = structuredClone(family);
    delete noPue.runs[1].spec.site;
    const noSource = structuredClone(family);
    delete noSource.source;
    const bothEnergies = structuredClone(family);
    bothEnergies.runs[0].measured.energyKWh = { value: 1, source: 'a table 1 figure' };
    const badSpec = structuredClone(family);
    badSpec.runs[2].spec.hardware.profile = 'tpu-v9';
    const twice = structuredClone(family);
    twice.runs[3].id = twice.runs[2].id;
    [noPue, noSource, bothEnergies, badSpec, twice].forEach((d, i) => (d.family = `copy-${i}`));
    try {
      accuracyReport(
        [noPue, noSource, bothEnergies, badSpec, twice, family, family],
        ['a.yaml', 'b.yaml', 'c.yaml', 'd.yaml', 'e.yaml', 'f.yaml', 'g.yaml'],
      );
      throw new Error('expected a SpecError');
    } catch (error) {
      expect(error).toBeInstanceOf(SpecError);
      expect((error as SpecError).message.split('\n')).toEqual([
        'a.yaml.runs.1.spec.site.pue: missing; expected the PUE that measured.facilityEnergyKWh includes',
        'b.yaml.source: missing; expected string',
        'c.yaml.runs.0.measured: got both energyKWh and facilityEnergyKWh; expected exactly one of energyKWh and facilityEnergyKWh',
        'd.yaml.runs.2.spec.hardware.profile: got "tpu-v9"; expected a profile id listed by `wattprint hardware list`',
        'copy-4/meena: got a run id twice in one family; expected unique ids',
        'patterson-2021: got a family name twice; expected one file per family',
      ]);
    }
  });
});
