import { Global, Module } from '@nestjs/common';
import { COLLECTOR_CONFIG } from '../config/config.module';
import type { CollectorConfig } from '../config/collector-config';
import { AgentKeyCipher } from './agent-key-cipher';
import { AgentKeyRepository } from './agent-key.repository';

/** Agents' keys at rest, for every process: the API seals the keys it hands out, ingest opens them. */
@Global()
@Module({
  providers: [
    { provide: AgentKeyCipher, inject: [COLLECTOR_CONFIG], useFactory: (config: CollectorConfig) => new AgentKeyCipher(config.secretKey) },
    AgentKeyRepository,
  ],
  exports: [AgentKeyCipher],
})
export class SecretsModule {}
