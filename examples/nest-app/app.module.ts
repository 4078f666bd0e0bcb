import { Module } from '@nestjs/common';
import { MetricsModule } from 'obsweave/nest';
import { JobsController } from './jobs.controller';
import { TranscriptionClient } from './transcription.client';

@Module({
  // GET /metrics: JSON, or Prometheus text with `Accept: text/plain` or `?format=prometheus`.
  imports: [MetricsModule.forRoot({ path: 'metrics' })],
  controllers: [JobsController],
  providers: [TranscriptionClient],
})
export class AppModule {}
