import { readFileSync } from 'node:fs';

/**
 * Slurm account → Wattprint team. One mapping a line, `<account> <team>`, blank lines and `#` comments
 * ignored. Accounts match whatever their case (Slurm lower-cases them). An account not listed is its own team.
 */
export type TeamMap = ReadonlyMap<string, string>;

export class TeamMapError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'TeamMapError';
  }
}

export function parseTeamMap(text: string, path: string): TeamMap {
  const map = new Map<string, string>();
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const fields = line.split(/\s+/);
    const where = `${path}:${i + 1}`;
    if (fields.length !== 2) {
      problems.push(`${where}: expected "<account> <team>", got ${JSON.stringify(raw.slice(0, 200))}`);
      return;
    }
    const [account, team] = fields;
    if (team.length > 128) {
      problems.push(`${where}: team ${JSON.stringify(team.slice(0, 40))}… is ${team.length} characters; expected at most 128`);
      return;
    }
    const key = account.toLowerCase();
    const earlier = map.get(key);
    if (earlier !== undefined && earlier !== team) problems.push(`${where}: account ${account} is already mapped to ${earlier}`);
    map.set(key, team);
  });
  if (problems.length > 0) throw new TeamMapError(problems);
  return map;
}

/** Reads the mapping file; none configured is the empty map. Throws TeamMapError naming file and line. */
export function readTeamMap(path: string | null): TeamMap {
  if (path === null) return new Map();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TeamMapError([`cannot read the team mapping ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]);
  }
  return parseTeamMap(text, path);
}

export function teamOf(account: string, map: TeamMap): string {
  return map.get(account.toLowerCase()) ?? account;
}
