/** Errors of the carbon domain; the HTTP filter maps each to its status. */
export class SiteNotFoundError extends Error {
  constructor(readonly siteId: string) {
    super(`site "${siteId}" does not exist`);
    this.name = 'SiteNotFoundError';
  }
}

export class SiteExistsError extends Error {
  constructor(readonly siteId: string) {
    super(`site "${siteId}" already exists`);
    this.name = 'SiteExistsError';
  }
}

/** A bad import document as a whole (not one bad row): missing header, unknown column, not an array. */
export class ImportFormatError extends Error {
  constructor(
    readonly line: number,
    readonly column: string,
    readonly value: string,
    readonly expected: string,
  ) {
    super(`line ${line}, ${column}: got ${JSON.stringify(value)}; expected ${expected}`);
    this.name = 'ImportFormatError';
  }
}
