/**
 * Slurm host lists (`gpu[01-03,07],login1`, `rack[1-2]n[1-4]`) expanded to host names, in Slurm's order,
 * duplicates kept, as `scontrol show hostnames` does. Pure, so a hook needs no Slurm command for it.
 */
export class HostlistError extends Error {
  constructor(hostlist: string, why: string) {
    super(`invalid Slurm host list ${JSON.stringify(hostlist.slice(0, 200))}: ${why}`);
    this.name = 'HostlistError';
  }
}

/** At most this many names: a list that would expand further is refused rather than filling memory. */
export const MAX_HOSTS = 100_000;

export function expandHostlist(hostlist: string): string[] {
  const out: string[] = [];
  for (const item of splitTopLevel(hostlist)) {
    for (const host of expandItem(item, hostlist)) {
      if (out.length >= MAX_HOSTS) throw new HostlistError(hostlist, `more than ${MAX_HOSTS} hosts`);
      out.push(host);
    }
  }
  return out;
}

/** Items separated by commas or blanks outside brackets. */
function splitTopLevel(hostlist: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of hostlist) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (depth < 0 || depth > 1) throw new HostlistError(hostlist, 'unbalanced brackets');
    if (depth === 0 && (ch === ',' || ch === ' ' || ch === '\t' || ch === '\n')) {
      if (current !== '') items.push(current);
      current = '';
    } else current += ch;
  }
  if (depth !== 0) throw new HostlistError(hostlist, 'unbalanced brackets');
  if (current !== '') items.push(current);
  return items;
}

/** `a[1-2]b[3-4]` → a1b3 a1b4 a2b3 a2b4: literal parts and bracket groups, crossed left to right. */
function expandItem(item: string, hostlist: string): string[] {
  let names = [''];
  const re = /([^[\]]*)(?:\[([^\]]*)\])?/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(item)) !== null && m[0] !== '') {
    const [, literal, group] = m;
    const values = group === undefined ? [''] : expandRanges(group, hostlist);
    if (names.length * values.length > MAX_HOSTS) throw new HostlistError(hostlist, `more than ${MAX_HOSTS} hosts`);
    names = names.flatMap((n) => values.map((v) => n + literal + v));
  }
  return names;
}

function expandRanges(group: string, hostlist: string): string[] {
  const out: string[] = [];
  for (const part of group.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new HostlistError(hostlist, `expected numbers or ranges like 01-04 in brackets, got ${JSON.stringify(part)}`);
    const width = m[1].length;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new HostlistError(hostlist, `range ${part} runs backwards`);
    if (hi - lo >= MAX_HOSTS) throw new HostlistError(hostlist, `more than ${MAX_HOSTS} hosts`);
    for (let n = lo; n <= hi; n++) out.push(String(n).padStart(width, '0'));
  }
  return out;
}
