import { Module } from '@nestjs/common';
import { JobEventController } from './events/job-event.controller';
import { JobEventsModule } from './events/job-events.module';
import { JobController } from './job.controller';
import { JobRepository } from './job.repository';
import { JobService } from './job.service';

/** Jobs with their measured energy and derived emissions. Needs EmissionFactorsModule bound in the app. */
@Module({
  imports: [JobEventsModule],
  controllers: [JobController, JobEventController],
  providers: [JobRepository, JobService],
})
export class JobsModule {}
