import { normalizeMobilePhone } from '@ledger/contracts';

/** One SMS as the handset received it. */
export interface DeliveredSms {
  readonly to: string;
  readonly text: string;
  readonly deliveredAt: string;
  readonly messageId: string;
}

/** The six-digit code in the newest of a phone's messages (oldest first), if it has one. */
export function codeInNewest(messages: readonly { text: string }[]): string | undefined {
  const text = messages[messages.length - 1]?.text;
  return text === undefined ? undefined : /(?<!\d)(\d{6})(?!\d)/.exec(text)?.[1];
}

/** Messages kept per phone, and phones kept, at most: the oldest go first (a tester reads the newest). */
const MAX_MESSAGES_PER_PHONE = 20;
const MAX_PHONES = 200_000;

/**
 * The SMS gateway's far end: every handset's inbox, which testers and the demo read through the
 * simulator's inbox route (`GET /sms/inbox?to=<phone>`), the way a person reads their phone. It holds
 * codes in clear text because it is the phone, not the ledger; it exists only in the simulator.
 */
export class SmsInbox {
  private readonly inboxes = new Map<string, DeliveredSms[]>();
  private sent = 0;

  deliver(to: string, text: string, now: Date): DeliveredSms {
    const phone = normalizeMobilePhone(to) ?? to;
    this.sent += 1;
    const message: DeliveredSms = { to: phone, text, deliveredAt: now.toISOString(), messageId: `sms-${this.sent}` };
    const inbox = this.inboxes.get(phone) ?? [];
    inbox.push(message);
    if (inbox.length > MAX_MESSAGES_PER_PHONE) inbox.shift();
    // Re-inserting keeps the map in order of last delivery, so the phone idle longest is dropped first.
    this.inboxes.delete(phone);
    this.inboxes.set(phone, inbox);
    if (this.inboxes.size > MAX_PHONES) this.inboxes.delete(this.inboxes.keys().next().value as string);
    return message;
  }

  /** The phone's messages, oldest first. */
  messagesTo(to: string): readonly DeliveredSms[] {
    return this.inboxes.get(normalizeMobilePhone(to) ?? to) ?? [];
  }

  /** The six-digit code in the phone's newest message, if it has one. */
  latestCode(to: string): string | undefined {
    return codeInNewest(this.messagesTo(to));
  }
}
