/** A generator option that is out of range or malformed; names the option, the value and what was expected. */
export class TraceOptionError extends Error {
  override readonly name = 'TraceOptionError';

  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`${field}: got ${JSON.stringify(value) ?? String(value)}; expected ${expected}`);
  }
}

/** Several bad options at once, so a person fixes them all in one go. */
export class TraceOptionsError extends Error {
  override readonly name = 'TraceOptionsError';

  constructor(readonly problems: TraceOptionError[]) {
    super(problems.map((p) => p.message).join('\n'));
  }
}
