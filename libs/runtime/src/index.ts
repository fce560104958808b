export * from './env-config';
export * from './logger';
export * from './redis-client';
