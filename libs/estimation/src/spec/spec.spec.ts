import { forecast } from '../forecast/forecast';
import { SpecError, problemLine } from '../problems';
import { denseSearchSpec, mnistSpec } from '../testing/fixtures';
import { prepareSpec } from './prepare';

function problems(input: unknown): string[] {
  try {
    prepareSpec(input);
  } catch (error) {
    if (error instanceof SpecError) return error.problems.map(problemLine);
    throw error;
  }
  throw new Error('expected the spec to be refused');
}

describe('run spec parsing', () => {
  it('accepts the contract example and fills defaults', () => {
    const p = prepareSpec(mnistSpec());
    expect(p.profile.id).toBe('nvidia-a100-sxm4-80gb');
    expect(p.utilization).toBe(0.4);
    expect(p.variables).toEqual([]);
  });

  it('names an unknown key with its path', () => {
    expect(problems(mnistSpec({ hardwre: {} }))).toContain('hardwre: unknown key "hardwre"');
    const spec = mnistSpec();
    (spec.model.layers as object[]) = [{ type: 'dense', units: 10, unit: 3 }];
    expect(problems({ ...spec, model: { input: [4], layers: [{ type: 'dense', units: 10, unit: 3 }] } })).toContain(
      'model.layers.0.unit: unknown key "unit"',
    );
  });

  it('names a wrong type with the value and what was expected', () => {
    expect(problems(mnistSpec({ training: { samples: 'many', epochs: 2 } }))).toEqual([
      'training.samples: got "many"; expected a positive number or a $name from search.space',
    ]);
    expect(problems(mnistSpec({ hardware: { profile: 'nvidia-l4', count: 1.5 } }))).toEqual([
      'hardware.count: got 1.5; expected a positive integer',
    ]);
  });

  it('refuses a negative count', () => {
    expect(problems(mnistSpec({ inference: { count: -5 } }))).toEqual(['inference.count: got -5; expected a non-negative number']);
    expect(problems(mnistSpec({ model: { input: [28, 28, 1], layers: [{ type: 'conv2d', filters: -32, kernel: 3 }] } }))).toEqual([
      'model.layers.0.filters: got -32; expected a positive integer or a $name from search.space',
    ]);
  });

  it('refuses an unknown profile and an unknown layer type', () => {
    expect(problems(mnistSpec({ hardware: { profile: 'nvidia-rtx-9090' } }))).toEqual([
      'hardware.profile: got "nvidia-rtx-9090"; expected a profile id listed by `wattprint hardware list`',
    ]);
    const lines = problems(mnistSpec({ model: { input: [4], layers: [{ type: 'dens', units: 3 }] } }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^model\.layers\.0\.type: got "dens"; expected one of dense, conv1d, conv2d/);
  });

  it('refuses an unbound $name, naming the names that are bound', () => {
    expect(problems(mnistSpec({ model: { input: [784], layers: [{ type: 'dense', units: '$units' }] } }))).toEqual([
      'model.layers.0.units: got "$units", which is unbound; expected a number or a $name from search.space (no search.space given)',
    ]);
    const spec = denseSearchSpec({ strategy: 'random', trials: 5 });
    spec.model.layers[1] = { type: 'dense', units: '$classes' } as never;
    expect(problems(spec)).toEqual([
      'model.layers.1.units: got "$classes", which is unbound; expected a number or a $name from search.space ($units, $depth, $lr)',
    ]);
  });

  it('checks every value a variable takes against every place that uses it', () => {
    const spec = denseSearchSpec({ strategy: 'random', trials: 4 });
    (spec.search.space as Record<string, unknown>).units = [64, 0.5];
    expect(problems(spec)).toEqual(['search.space.units.1: got 0.5; expected a positive integer for model.layers.0.units']);
  });

  it('refuses a range where a count depends on it, and ranges in a grid', () => {
    const spec = denseSearchSpec({ strategy: 'grid' });
    (spec.search.space as Record<string, unknown>).units = { min: 16, max: 512 };
    expect(problems(spec)).toEqual([
      'search.space.units: got a range; expected a list of values (a grid runs every point)',
      'search.space.lr: got a range; expected a list of values (a grid runs every point)',
      'search.space.units: got a range; expected a list of values, because model.layers.0.units depends on it',
    ]);
  });

  it('asks each strategy for what it needs', () => {
    expect(problems(denseSearchSpec({ strategy: 'random' }))).toEqual([
      'search.trials: missing; expected the number of configurations random samples',
    ]);
    expect(problems({ ...denseSearchSpec({ strategy: 'hyperband', trials: 9, maxEpochs: 27 }), training: undefined })).toEqual([
      'search: missing training beside it; expected a training section (every trial trains the model)',
      'search.trials: got 9; expected no trials for hyperband, which derives its trials from maxEpochs and reductionFactor',
    ]);
  });

  it('needs exactly one model description, and input with layers', () => {
    expect(problems(mnistSpec({ model: { flopsPerSample: 1e9, inferenceJ: 0.4 } }))).toEqual([
      'model: got ["flopsPerSample","inferenceJ"]; expected exactly one of layers, flopsPerSample, transformer, inferenceJ',
    ]);
    expect(problems(mnistSpec({ model: { layers: [{ type: 'flatten' }] } }))).toEqual([
      'model.input: missing; expected the sample shape, e.g. [28, 28, 1], with layers',
    ]);
  });

  it('lists every problem at once, keeping the valid parts out of it', () => {
    const lines = problems(mnistSpec({ hardware: { profile: 'nvidia-l4', count: 0, utilization: 2 }, start: 'tomorrow' }));
    expect(lines).toEqual([
      'hardware.count: got 0; expected a positive integer',
      'hardware.utilization: got 2; expected a share in (0, 1]',
      'start: got "tomorrow"; expected an ISO 8601 date-time, e.g. 2026-12-01T00:00:00Z',
    ]);
  });

  it('reports an unknown profile and unbound $names beside schema problems, in one run', () => {
    const spec = mnistSpec({
      hardware: { profile: 'nvidia-rtx-9090', count: -2 },
      model: { input: [784], layers: [{ type: 'dense', units: '$width', activaton: 'relu' }] },
    });
    expect(problems(spec)).toEqual([
      'model.layers.0.activaton: unknown key "activaton"',
      'hardware.count: got -2; expected a positive integer',
      'hardware.profile: got "nvidia-rtx-9090"; expected a profile id listed by `wattprint hardware list`',
      'model.layers.0.units: got "$width", which is unbound; expected a number or a $name from search.space (no search.space given)',
    ]);
  });

  it('refuses a precision the hardware cannot run, and a region without a series', () => {
    expect(problems(mnistSpec({ hardware: { profile: 'nvidia-tesla-t4', precision: 'bf16' } }))).toEqual([
      'hardware.precision: got "bf16"; expected one nvidia-tesla-t4 runs: fp32, fp16',
    ]);
    expect(() => forecast(mnistSpec({ site: { region: 'DE' } }))).toThrow(
      'site.region: got "DE"; expected a region whose hourly intensity series is supplied (none supplied), or site.intensity',
    );
  });

  it('reports a searched layer that cannot take its input with the binding', () => {
    const spec = {
      ...mnistSpec(),
      model: { input: [6, 6, 1], layers: [{ type: 'conv2d', filters: 4, kernel: '$k' }] },
      search: { strategy: 'grid', space: { k: [3, 7] } },
    };
    expect(() => forecast(spec)).toThrow(
      'model.layers.0.kernel: conv2d expected an input of at least 7 along each spatial axis; got 6 (with $k=7)',
    );
  });
});
