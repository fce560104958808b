/**
 * The hooks' configuration file: `NAME=value` lines, `#` comments, blank lines; a value may be wrapped in
 * matching single or double quotes, which are removed. Nothing is expanded or executed, so the file is
 * safe to read as root, and it doubles as a systemd `EnvironmentFile=`.
 */
export interface EnvFile {
  values: Record<string, string>;
  /** One line per bad line: `<path>:<line>: …`, naming what was expected. */
  problems: string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseEnvFile(text: string, path: string): EnvFile {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const name = eq > 0 ? line.slice(0, eq).trim() : '';
    if (!NAME.test(name)) {
      problems.push(`${path}:${i + 1}: expected NAME=value, got ${JSON.stringify(raw.slice(0, 200))}`);
      return;
    }
    values[name] = unquote(line.slice(eq + 1).trim());
  });
  return { values, problems };
}

function unquote(value: string): string {
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) return value.slice(1, -1);
  return value;
}
