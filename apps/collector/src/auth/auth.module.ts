import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { COLLECTOR_CONFIG } from '../config/config.module';
import type { CollectorConfig } from '../config/collector-config';
import { AgentController } from './agent.controller';
import { AgentRepository } from './agent.repository';
import { AgentService } from './agent.service';
import { AuthGuard } from './auth.guard';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimitStorageModule, RedisRateLimitStorage } from './rate-limit.storage';
import { SecretRepository } from './secret.repository';
import { TokenController } from './token.controller';
import { TokenRepository } from './token.repository';
import { TokenService } from './token.service';

/**
 * Bearer tokens, the global guards and agent registration. Import it once (in the app module):
 * its guards then apply to every route of every module. The rate limit runs first, so a client
 * guessing tokens is throttled too.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStorageModule],
      inject: [COLLECTOR_CONFIG, RedisRateLimitStorage],
      useFactory: (config: CollectorConfig, storage: RedisRateLimitStorage) => ({
        throttlers: [{ ttl: 60_000, limit: config.rateLimitPerMinute }],
        storage,
        errorMessage: `rate limit exceeded: at most ${config.rateLimitPerMinute} requests a minute per token, or per client address without a known token; retry after the Retry-After header's seconds`,
      }),
    }),
  ],
  controllers: [TokenController, AgentController],
  providers: [
    SecretRepository,
    TokenRepository,
    AgentRepository,
    TokenService,
    AgentService,
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [TokenService],
})
export class AuthModule {}
