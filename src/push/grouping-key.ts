import { describeValue } from '../core/describe';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Labels that name a group on the Pushgateway, besides `job`: `{ instance: 'nightly-2' }`. */
export type GroupingKey = Readonly<Record<string, string>>;

/**
 * The path of a group, `/metrics/job/<job>{/<label>/<value>}`, each value written as the
 * Pushgateway reads it: a value holding `/` cannot travel percent-encoded (the gateway's router
 * splits on the decoded `/`), so it goes as `<label>@base64/<base64url>`; an empty value as
 * `<label>@base64/=`, the gateway's spelling of "". Everything else is percent-encoded.
 */
export function groupPath(job: string, groupingKey: GroupingKey = {}): string {
  let path = `/metrics/${segment('job', job)}`;
  for (const [name, value] of Object.entries(groupingKey)) path += `/${segment(name, value)}`;
  return path;
}

function segment(name: string, value: string): string {
  if (value === '') return `${name}@base64/=`;
  if (value.includes('/')) return `${name}@base64/${Buffer.from(value).toString('base64url')}`;
  return `${name}/${encodeURIComponent(value)}`;
}

/** Throws, at configuration time, on a job or grouping key the gateway would refuse. */
export function checkGroup(job: unknown, groupingKey: unknown): void {
  if (typeof job !== 'string' || job === '') {
    throw new TypeError(`obsweave: push: job must be a non-empty string, got ${show(job)}`);
  }
  if (groupingKey === undefined) return;
  if (groupingKey === null || typeof groupingKey !== 'object' || Array.isArray(groupingKey)) {
    throw new TypeError('obsweave: push: groupingKey must be an object of label names to strings');
  }
  for (const [name, value] of Object.entries(groupingKey)) {
    if (!LABEL_NAME.test(name) || name.startsWith('__') || name === 'job') {
      throw new TypeError(
        `obsweave: push: invalid grouping label name ${describeValue(name)}` +
          (name === 'job' ? ' (the job is given by `job`)' : ''),
      );
    }
    if (typeof value !== 'string') {
      throw new TypeError(
        `obsweave: push: grouping label "${name}" must be a string, got ${show(value)}`,
      );
    }
  }
}

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : typeof v;
}
