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
];

describe('hardware catalogue', () => {
  it('has every profile issue 2 asks for, once', () => {
    for (const id of REQUIRED) expect(findHardware(id)?.id).toBe(id);
    expect(new Set(HARDWARE_CATALOGUE.map((p) => p.id)).size).toBe(HARDWARE_CATALOGUE.length);
  });

  it.each(HARDWARE_CATALOGUE.map((p) => [p.id, p] as const))('%s: every figure is positive and has a source', (_id, p) => {
    const figures = [p.tdpW, p.idleW, p.memoryBandwidth, p.memoryGB, p.layerOverheadS, ...Object.values(p.peakFlops)];
    for (const f of figures) {
      expect(f?.value).toBeGreaterThan(0);
      expect(f?.source.length).toBeGreaterThan(10);
    }
    expect(p.idleW.value).toBeLessThan(p.tdpW.value);
    expect(p.peakFlops[p.defaultPrecision]).toBeDefined();
    for (const k of Object.keys(p.peakFlops)) expect(PRECISIONS).toContain(k);
  });

  it('keeps the datasheet figures the tests of other modules rely on', () => {
    const a100 = findHardware('nvidia-a100-sxm4-80gb');
    expect(a100?.tdpW.value).toBe(400);
    expect(a100?.peakFlops.bf16?.value).toBe(312e12);
    expect(findHardware('nvidia-tesla-v100-sxm2-32gb')?.peakFlops.fp16?.value).toBe(125e12);
  });
});
