import type { Admin, Kafka } from 'kafkajs';

/**
 * Whether the broker answers now: a metadata request on an admin connection of its own, kept open
 * between checks and opened again after a failure. No retries (a check that fails says so at once;
 * the health registry bounds it in time and asks again a moment later), and one request at a time
 * however many callers ask.
 */
export class BrokerProbe {
  private admin?: Admin;
  private connected = false;
  private inFlight?: Promise<void>;

  constructor(
    private readonly kafka: Kafka,
    private readonly timeoutMs = 2_000,
  ) {}

  /** Resolves when the broker answered within the timeout; rejects with the reason otherwise. */
  check(): Promise<void> {
    this.inFlight ??= this.probe().finally(() => (this.inFlight = undefined));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`broker unreachable: no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    return Promise.race([this.inFlight, timeout]).finally(() => clearTimeout(timer));
  }

  private async probe(): Promise<void> {
    this.admin ??= this.kafka.admin({ retry: { retries: 0 } });
    try {
      if (!this.connected) {
        await this.admin.connect();
        this.connected = true;
      }
      await this.admin.describeCluster();
    } catch (error) {
      await this.close();
      throw new Error(`broker unreachable: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    this.connected = false;
    await admin?.disconnect().catch(() => undefined);
  }
}
