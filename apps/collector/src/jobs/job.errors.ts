/** No such job, or one the caller's team may not see: the same answer, so scoping leaks nothing. */
export class JobNotFoundError extends Error {
  constructor(readonly jobId: string) {
    super(`no job with id "${jobId}"`);
    this.name = 'JobNotFoundError';
  }
}
