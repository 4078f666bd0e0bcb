import { randomBytes } from 'node:crypto';
import { correlationId, ExternalCall } from 'obsweave';
import { ProviderError, type Simulator } from '../simulator';
import type { CallOptions } from './call-options';

export interface StoredObject {
  key: string;
  bytes: number;
  /** A signed URL: its signature is a secret, which is why URLs never become metric labels. */
  url: string;
  metadata: Record<string, string>;
}

/** An object storage client (S3-like). */
export class StorageClient {
  constructor(
    private readonly sim: Simulator,
    private readonly bucket = 'media-transcripts',
  ) {}

  @ExternalCall('storage', { op: 'put', timeoutMs: 1000 })
  async put(key: string, body: string | Buffer, { signal }: CallOptions): Promise<StoredObject> {
    if (this.sim.chance('storageHang')) await this.sim.hang(signal);
    await this.sim.work(50, 150, signal);
    if (this.sim.chance('storageError')) {
      throw new ProviderError('socket hang up', 'ECONNRESET');
    }
    const signature = randomBytes(32).toString('hex');
    return {
      key,
      bytes: Buffer.byteLength(body),
      url: `https://${this.bucket}.storage.example/${key}?X-Amz-Expires=3600&X-Amz-Signature=${signature}`,
      // The request's correlation id travels with the object, as an `x-amz-meta-*` header would.
      metadata: { 'correlation-id': correlationId() ?? '' },
    };
  }
}
