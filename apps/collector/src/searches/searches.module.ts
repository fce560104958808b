import { Module } from '@nestjs/common';
import { CalibrationModule } from '../calibration/calibration.module';
import { SearchController } from './search.controller';
import { SearchRepository } from './search.repository';
import { SearchService } from './search.service';

/** Hyperparameter searches as one thing: a spec with its CT forecast, and the jobs that are its trials. */
@Module({
  imports: [CalibrationModule],
  controllers: [SearchController],
  providers: [SearchRepository, SearchService],
})
export class SearchesModule {}
