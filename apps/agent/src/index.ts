export * from './config/agent-config';
export * from './agent';
export * from './bootstrap';
export * from './probe';
