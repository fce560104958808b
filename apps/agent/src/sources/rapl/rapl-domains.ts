/**
 * Which powercap zones to read so that no joule counts twice. psys (the whole SoC) contains the packages;
 * each package contains its core and uncore (graphics) zones; DRAM is separate from the package. So: every
 * package and every dram zone; psys only on a machine with no package zone; never core or uncore.
 * `intel-rapl-mmio:*` zones repeat the package over MMIO and are skipped.
 */
export interface PowercapZone {
  /** Directory name, e.g. `intel-rapl:0`, `intel-rapl:0:2`. */
  zone: string;
  /** Content of the zone's `name` file, e.g. `package-0`, `core`, `dram`, `psys`. */
  name: string;
}

export interface RaplDomain {
  zone: string;
  id: string;
  kind: 'cpu' | 'dram';
  name: string;
}

const ZONE = /^intel-rapl:(\d+)(?::(\d+))?$/;

export function isRaplZoneDir(entry: string): boolean {
  return ZONE.test(entry);
}

export function selectRaplDomains(zones: PowercapZone[]): RaplDomain[] {
  const parsed = zones.map((z) => ({ ...z, m: ZONE.exec(z.zone) })).filter((z): z is PowercapZone & { m: RegExpExecArray } => z.m !== null);
  const packages = parsed.filter((z) => /^package-\d+$/.test(z.name));
  const out: RaplDomain[] = [];
  for (const z of packages) out.push({ zone: z.zone, id: `cpu${z.name.slice('package-'.length)}`, kind: 'cpu', name: z.name });
  if (packages.length === 0) {
    const psys = parsed.find((z) => z.name === 'psys');
    if (psys) out.push({ zone: psys.zone, id: 'cpu0', kind: 'cpu', name: 'psys' });
  }
  for (const z of parsed.filter((p) => p.name === 'dram')) {
    // A dram sub-zone belongs to the package of its parent zone.
    const socket = packages.find((p) => p.m[1] === z.m[1] && p.m[2] === undefined)?.name.slice('package-'.length) ?? z.m[1];
    out.push({ zone: z.zone, id: `dram${socket}`, kind: 'dram', name: 'dram' });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}
