/** No such search, or one the caller's team may not see: the same answer, so scoping leaks nothing. */
export class SearchNotFoundError extends Error {
  constructor(readonly searchId: string) {
    super(`no search with id "${searchId}"`);
    this.name = 'SearchNotFoundError';
  }
}

export class SearchExistsError extends Error {
  constructor(readonly searchId: string) {
    super(`a search with id "${searchId}" exists already; choose another id or leave id out for a new one`);
    this.name = 'SearchExistsError';
  }
}
