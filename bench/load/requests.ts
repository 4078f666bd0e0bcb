import type { Shape } from './service-process';

/** What autocannon sends to each shape of the service. */
export interface RequestSpec {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

const JOB = JSON.stringify({
  name: 'interview-2024-03-18.mp4',
  language: 'en',
  callbackUrl: 'https://hooks.example.com/jobs',
  options: { diarize: true, speakers: 2, punctuate: true, vocabulary: ['obsweave', 'Prometheus'] },
});

export const REQUEST: Record<Shape, RequestSpec> = {
  trivial: { url: '/api/jobs/123' },
  realistic: {
    url: '/api/jobs',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JOB,
  },
};
