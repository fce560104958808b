import { Global, Module } from '@nestjs/common';
import { QueueRepository } from './queue.repository';

/** Redis and the BullMQ queues, shared by ingest, health and metrics. */
@Global()
@Module({ providers: [QueueRepository], exports: [QueueRepository] })
export class QueueModule {}
