/** The two figures that bound a card's power: what it draws doing nothing, and its board power limit. */
export interface GpuProfile {
  /** Short name used on the command line, e.g. `h100`. */
  id: string;
  /** Marketing name as nvidia-smi prints it. */
  name: string;
  /** Typical draw in the P0 state with nothing running, watts. */
  idleW: number;
  /** Board power limit (enforced.power.limit), watts; traces never exceed it. */
  tdpW: number;
}

/**
 * Idle figures are what nvidia-smi reports on an idle card; the H100 pair (69.85 W idle,
 * 700 W limit) comes from the capture in shared/fixtures/nvidia-smi.
 */
export const GPU_PROFILES: Readonly<Record<string, GpuProfile>> = {
  h100: { id: 'h100', name: 'NVIDIA H100 80GB HBM3', idleW: 70, tdpW: 700 },
  a100: { id: 'a100', name: 'NVIDIA A100-SXM4-80GB', idleW: 55, tdpW: 400 },
  l40s: { id: 'l40s', name: 'NVIDIA L40S', idleW: 35, tdpW: 350 },
};
