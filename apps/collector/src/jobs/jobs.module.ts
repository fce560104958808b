import { Module } from '@nestjs/common';
import { JobController } from './job.controller';
import { JobRepository } from './job.repository';
import { JobService } from './job.service';

/** Jobs with their measured energy and derived emissions. Needs EmissionFactorsModule bound in the app. */
@Module({
  controllers: [JobController],
  providers: [JobRepository, JobService],
})
export class JobsModule {}
