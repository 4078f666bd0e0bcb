import { ProviderError, type Simulator } from './simulator';

export interface LoggedEvent {
  at: string;
  event: string;
  payload: unknown;
}

/**
 * The job event store: where lifecycle events are persisted for audit and replay. This one is
 * in memory, keeps the last `capacity` events, and fails now and then like a database under
 * load (fault `persistFail`).
 */
export class EventLog {
  private readonly entries: LoggedEvent[] = [];

  constructor(
    private readonly sim: Simulator,
    private readonly capacity = 1000,
  ) {}

  async append(event: string, payload: unknown): Promise<void> {
    await Promise.resolve();
    if (this.sim.chance('persistFail')) {
      throw new ProviderError('could not write job event: connection pool exhausted', 'EDBWRITE');
    }
    this.entries.push({ at: new Date().toISOString(), event, payload });
    if (this.entries.length > this.capacity) this.entries.shift();
  }

  get size(): number {
    return this.entries.length;
  }
}
