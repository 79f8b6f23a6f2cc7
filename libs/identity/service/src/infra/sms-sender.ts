import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

/** One SMS as a handset receives it. */
export interface SmsMessage {
  /** Normalized mobile number. */
  to: string;
  text: string;
}

/**
 * Port to whatever delivers SMS. The only adapter is the local simulator below; a production
 * adapter (an SMS gateway) would implement the same interface.
 */
export abstract class SmsSender {
  abstract send(message: SmsMessage): Promise<void>;
}

/**
 * The simulated handset: appends each delivered message as one JSON line to an outbox file
 * (default `.local/sms/outbox.jsonl`, `SMS_OUTBOX_FILE` to move it). Tests and the demo read codes
 * from it the way a user reads their phone. It is the phone, not the system's storage, which is
 * why it may hold a code in clear text, and why the service refuses to use it in production.
 */
export class OutboxSmsSender extends SmsSender {
  constructor(
    readonly file: string,
    private readonly now: () => Date,
  ) {
    super();
  }

  async send(message: SmsMessage): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    // One write per line: appends of a few hundred bytes are atomic on local file systems, so
    // concurrent sends never interleave within a line.
    await appendFile(this.file, `${JSON.stringify({ to: message.to, text: message.text, deliveredAt: this.now().toISOString() })}\n`, {
      mode: 0o600,
    });
  }
}
