import { AsyncLocalStorage } from 'node:async_hooks';

/** What the logger knows of the request being handled, wherever in the call chain it is asked. */
export interface RequestContext {
  reqId: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();
