export * from './issues';
export * from './sample.schema';
export * from './batch.schema';
export * from './job-event.schema';
export * from './job-environment';
export * from './queues';
export * from './canonical-json';
export * from './signing';
