import { defaultBusyW, mixedPrecision, type HardwareProfile } from '@wattprint/estimation';
import { renderTable } from './table';

const tflops = (profile: HardwareProfile, precision: keyof HardwareProfile['peakFlops']) =>
  `${Number(((profile.peakFlops[precision]?.value ?? 0) / 1e12).toPrecision(4))} ${precision}`;

function utilization(p: HardwareProfile): string {
  const { large, small } = p.transformerUtilization;
  return small ? `${large.value} (${small.value} small)` : String(large.value);
}

export function formatHardware(profiles: readonly HardwareProfile[]): string {
  return (
    renderTable(
      [
        { header: 'Profile' },
        { header: 'Generation' },
        { header: 'TDP W', align: 'right' },
        { header: 'Idle W', align: 'right' },
        { header: 'Busy W', align: 'right' },
        { header: 'Default TFLOPS', align: 'right' },
        { header: 'Mixed TFLOPS', align: 'right' },
        { header: 'Transformer u', align: 'right' },
        { header: 'Memory GB', align: 'right' },
        { header: 'Bandwidth GB/s', align: 'right' },
      ],
      profiles.map((p) => [
        p.id,
        p.generation,
        String(p.tdpW.value),
        String(p.idleW.value),
        String(Math.round(defaultBusyW(p))),
        tflops(p, p.defaultPrecision),
        tflops(p, mixedPrecision(p)),
        utilization(p),
        String(p.memoryGB.value),
        String(Number((p.memoryBandwidth.value / 1e9).toPrecision(5))),
      ]),
    ) +
    '\nBusy W: average power while training, host share included (a share of TDP; hardware.powerW overrides).\n' +
    'Mixed TFLOPS: the precision transformers default to. Transformer u: utilisation default for transformer training\n' +
    '(in brackets, for models under 20 B parameters). Every figure carries its source: `wattprint hardware list --json`.\n'
  );
}
