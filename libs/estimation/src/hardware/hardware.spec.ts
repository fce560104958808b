import { PRECISIONS } from '../spec/spec.schema';
import { HARDWARE_CATALOGUE } from './hardware.catalogue';
import { findHardware } from './hardware.lookup';

const REQUIRED = [
  'nvidia-geforce-rtx-2080-ti',
  'nvidia-tesla-v100-sxm2-32gb',
  'nvidia-tesla-t4',
  'nvidia-a10',
  'nvidia-a100-pcie-40gb',
  'nvidia-a100-sxm4-80gb',
  'nvidia-l4',
  'nvidia-l40s',
  'nvidia-h100-pcie-80gb',
  'nvidia-h100-sxm5-80gb',
  'nvidia-h200-sxm-141gb',
  'amd-instinct-mi250x',
  'amd-instinct-mi300x',
  'google-tpu-v4',
  'generic-cpu',
  // Issue 11: the profiles published runs need.
  'nvidia-a100-sxm4-40gb',
  'nvidia-tesla-v100-sxm2-16gb',
  'nvidia-tesla-p100-pcie-16gb',
  'google-tpu-v2',
  'google-tpu-v3',
  'nvidia-h800-sxm5-80gb',
  'intel-gaudi2',
  'nvidia-geforce-rtx-4090',
];

describe('hardware catalogue', () => {
  it('has every profile issues 2 and 11 ask for, once', () => {
    for (const id of REQUIRED) expect(findHardware(id)?.id).toBe(id);
    expect(new Set(HARDWARE_CATALOGUE.map((p) => p.id)).size).toBe(HARDWARE_CATALOGUE.length);
  });

  it.each(HARDWARE_CATALOGUE.map((p) => [p.id, p] as const))('%s: every figure is positive and has a source', (_id, p) => {
    const u = p.transformerUtilization;
    const figures = [
      p.tdpW,
      p.idleW,
      p.memoryBandwidth,
      p.memoryGB,
      p.layerOverheadS,
      p.trainingPower,
      u.large,
      ...(u.small ? [u.small] : []),
      ...Object.values(p.peakFlops),
    ];
    for (const f of figures) {
      expect(f?.value).toBeGreaterThan(0);
      expect(f?.source.length).toBeGreaterThan(10);
    }
    expect(p.idleW.value).toBeLessThan(p.tdpW.value);
    // A busy device draws more than an idle one, and utilisation and power shares are shares.
    expect(p.trainingPower.value * p.tdpW.value).toBeGreaterThan(p.idleW.value);
    expect(u.large.value).toBeLessThanOrEqual(1);
    if (u.small) expect(u.small.value).toBeLessThan(u.large.value);
    expect(p.generation.length).toBeGreaterThan(1);
    expect(p.peakFlops[p.defaultPrecision]).toBeDefined();
    for (const k of Object.keys(p.peakFlops)) expect(PRECISIONS).toContain(k);
  });

  it('keeps the datasheet figures the tests of other modules rely on', () => {
    const a100 = findHardware('nvidia-a100-sxm4-80gb');
    expect(a100?.tdpW.value).toBe(400);
    expect(a100?.peakFlops.bf16?.value).toBe(312e12);
    expect(findHardware('nvidia-tesla-v100-sxm2-32gb')?.peakFlops.fp16?.value).toBe(125e12);
    expect(findHardware('google-tpu-v3')?.peakFlops.bf16?.value).toBe(123e12);
    expect(findHardware('nvidia-h800-sxm5-80gb')?.peakFlops.bf16?.value).toBe(findHardware('nvidia-h100-sxm5-80gb')?.peakFlops.bf16?.value);
  });
});
