import type { HardwareProfile } from '@wattprint/estimation';
import { renderTable } from './table';

function best(profile: HardwareProfile): string {
  const [precision, figure] = Object.entries(profile.peakFlops).reduce((a, b) => ((b[1]?.value ?? 0) > (a[1]?.value ?? 0) ? b : a));
  return `${Number(((figure?.value ?? 0) / 1e12).toPrecision(4))} ${precision}`;
}

export function formatHardware(profiles: readonly HardwareProfile[]): string {
  return (
    renderTable(
      [
        { header: 'Profile' },
        { header: 'TDP W', align: 'right' },
        { header: 'Idle W', align: 'right' },
        { header: 'Default TFLOPS', align: 'right' },
        { header: 'Peak TFLOPS', align: 'right' },
        { header: 'Memory GB', align: 'right' },
        { header: 'Bandwidth GB/s', align: 'right' },
      ],
      profiles.map((p) => [
        p.id,
        String(p.tdpW.value),
        String(p.idleW.value),
        `${Number(((p.peakFlops[p.defaultPrecision]?.value ?? 0) / 1e12).toPrecision(4))} ${p.defaultPrecision}`,
        best(p),
        String(p.memoryGB.value),
        String(Number((p.memoryBandwidth.value / 1e9).toPrecision(5))),
      ]),
    ) + '\nEvery figure carries its source: `wattprint hardware list --json`.\n'
  );
}
