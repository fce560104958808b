export * from './schema';
export * from './dialect';
export * from './connect';
export * from './migrator';
export * from './reader';
