/**
 * Expands the Grafana variables the generated SQL uses, as Grafana's PostgreSQL data source does, so
 * panel SQL can run on a real database: the parity tests and the benchmarks (tools/bench) run it
 * this way. Only the variables the dashboards use are known; anything else left in the SQL fails
 * loudly, so a new macro cannot slip in untested.
 */
export interface GrafanaContext {
  /** Dashboard range, epoch ms. */
  from: number;
  to: number;
  /** Grafana's $__interval_ms for the panel. */
  intervalMs: number;
  /** Selected values of multi-value variables (after "All" is resolved to every option). */
  variables: Record<string, readonly string[]>;
}

/** Grafana's SQL formatting of a multi-value variable: each value single-quoted, quotes doubled, comma-joined. */
export function quoteValues(values: readonly string[]): string {
  return values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',');
}

export class UnexpandedMacroError extends Error {
  constructor(
    readonly macro: string,
    sql: string,
  ) {
    super(
      `SQL uses ${macro}, which expandMacros does not expand (known: $__from, $__to, $__interval_ms and the dashboard variables):\n${sql}`,
    );
    this.name = 'UnexpandedMacroError';
  }
}

export function expandMacros(sql: string, ctx: GrafanaContext): string {
  const builtins: Record<string, string> = { __from: String(ctx.from), __to: String(ctx.to), __interval_ms: String(ctx.intervalMs) };
  const expanded = sql.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    if (name in builtins) return builtins[name];
    const values = ctx.variables[name];
    if (values === undefined) throw new UnexpandedMacroError(whole, sql);
    return quoteValues(values);
  });
  return expanded;
}
