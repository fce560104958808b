export * from './schema';
export * from './dialect';
export * from './connect';
export * from './migrator';
export * from './reader';
export * from './partitions';
export * from './rollup-lock';
export * from './node-hours';
export { ReadCancelledError, ReadTimeoutError } from './reads';
