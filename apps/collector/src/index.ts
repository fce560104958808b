export { parseCollectorConfig, type CollectorConfig } from './config/collector-config';
