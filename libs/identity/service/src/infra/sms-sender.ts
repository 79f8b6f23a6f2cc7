import { createHash } from 'node:crypto';
import { PartnerClient, SMS_API } from '@ledger/partners-http';

/** One SMS as a handset receives it. */
export interface SmsMessage {
  /** Normalized mobile number. */
  to: string;
  text: string;
}

/** Port to whatever delivers SMS. Throws when the message was not taken. */
export abstract class SmsSender {
  abstract send(message: SmsMessage): Promise<void>;
}

/**
 * The SMS gateway over HTTP (`SMS_API`), signed like every partner request. The idempotency key is
 * the hash of the message, so a repeated send of the same code is one SMS, and the number and the
 * code never appear in a header or a log line. Locally the partner simulator's inbox receives it.
 */
export class HttpSmsSender extends SmsSender {
  constructor(readonly client: PartnerClient) {
    super();
  }

  async send(message: SmsMessage): Promise<void> {
    await this.client.request({
      operation: 'send',
      method: 'POST',
      path: SMS_API.messages,
      idempotencyKey: createHash('sha256').update(`${message.to}\n${message.text}`).digest('hex'),
      body: { to: message.to, text: message.text },
    });
  }
}
