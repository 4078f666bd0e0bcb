import {
  Body,
  Controller,
  Get,
  GatewayTimeoutException,
  NotFoundException,
  Param,
  Post,
} from '@nestjs/common';
import { Route, isTimeoutError } from 'obsweave';
import { TranscriptionClient } from './transcription.client';

interface Job {
  id: string;
  url: string;
  transcript: string;
}

/**
 * `@Route()` reads the route from Nest's own metadata: `POST /api/jobs` and
 * `GET /api/jobs/:id`, with `201` for the POST and the `HttpException` status on failure.
 */
@Controller('api/jobs')
export class JobsController {
  private readonly jobs = new Map<string, Job>();

  constructor(private readonly asr: TranscriptionClient) {}

  @Post()
  @Route()
  async create(@Body() body: { url: string; language?: string }): Promise<Job> {
    try {
      const transcript = await this.asr.transcribe(body.url, { language: body.language });
      const job = { id: String(this.jobs.size + 1), url: body.url, transcript };
      this.jobs.set(job.id, job);
      return job;
    } catch (err) {
      if (isTimeoutError(err)) throw new GatewayTimeoutException('transcription timed out');
      throw err;
    }
  }

  @Get(':id')
  @Route()
  get(@Param('id') id: string): Job {
    const job = this.jobs.get(id);
    if (job === undefined) throw new NotFoundException(`no job ${id}`);
    return job;
  }
}
