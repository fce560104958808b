/** A data-centre site: where nodes stand, how much overhead its cooling adds, which grid feeds it. */
export interface Site {
  id: string;
  name: string;
  /** Power usage effectiveness: facility energy / IT energy. */
  pue: number;
  /** Grid zone of the intensity series (Electricity Maps zone code). */
  region: string;
}

export interface ClusterNode {
  /** Node name; the agent on it reports this as its node. */
  id: string;
  site: string;
  /** Device ids as the agent names them: gpu0, gpu1, … */
  devices: string[];
  /** The trace file of this node, relative to the output folder. */
  traceFile: string;
}

/**
 * Two sites on grids with very different carbon: a nuclear-heavy one with a modern, efficient
 * hall, and a fossil-and-solar one with an older hall, so reports show both factors matter.
 */
export const SITES: readonly Site[] = [
  { id: 'paris', name: 'Paris DC1', pue: 1.15, region: 'FR' },
  { id: 'frankfurt', name: 'Frankfurt DC2', pue: 1.42, region: 'DE' },
];

export function nodeId(index: number): string {
  return `gpu-node-${String(index + 1).padStart(2, '0')}`;
}

export function deviceId(index: number): string {
  return `gpu${index}`;
}

/** The first half of the nodes stand in the first site, the rest in the second. */
export function buildNodes(nodes: number, gpusPerNode: number): ClusterNode[] {
  const firstSiteNodes = Math.ceil(nodes / 2);
  return Array.from({ length: nodes }, (_, n) => ({
    id: nodeId(n),
    site: SITES[n < firstSiteNodes ? 0 : 1].id,
    devices: Array.from({ length: gpusPerNode }, (_, g) => deviceId(g)),
    traceFile: `${nodeId(n)}.csv`,
  }));
}
