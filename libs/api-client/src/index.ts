export * from './collector-client';
