/** Bad input the person can fix: printed one line each, exit status 1. */
export class CliInputError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
    this.name = 'CliInputError';
  }
}

/** Ends the CLI with a given status and nothing more to print: `wattprint run` passes on its command's. */
export class CommandExit extends Error {
  constructor(readonly status: number) {
    super(`exit ${status}`);
    this.name = 'CommandExit';
  }
}

export const EXIT_OK = 0;
export const EXIT_BAD_INPUT = 1;
/** `wattprint run --budget-check enforce`: the collector refused the job against its team's budget. */
export const EXIT_BUDGET_REFUSED = 3;
/** Something the CLI did not expect: a bug to report, not an input to fix. */
export const EXIT_INTERNAL = 70;
