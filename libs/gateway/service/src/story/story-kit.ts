import { randomInt, randomUUID } from 'node:crypto';
import type { StaffRole } from '@ledger/crypto';

/** A card as a user types it in. */
export interface StoryCard {
  number: string;
  holderName: string;
  reservedPhone: string;
}

export interface StoryDeps {
  baseUrl: string;
  /** The issuer's test cards the story binds: the card simulator's `TEST_CARDS` (cards domain), which the gateway does not know. */
  cards: { zhangSanDebit: StoryCard; nonIcbc: StoryCard; liSi: StoryCard };
  /** The last SMS code the phone received (the partner simulator's inbox of that handset). */
  smsCode(phone: string): Promise<string> | string;
  /** A member of staff's access token with their role (signed with the staff issuer's key, as the staff login does). */
  staffToken(agentId: string, role: StaffRole): Promise<string>;
  /**
   * The user pays a provider top-up at Alipay/WeChat, whose servers then call the gateway back (the
   * partner simulator's provider); resolves with the gateway's answer to that callback. `tamper`
   * makes the provider send a forged one.
   */
  payAtProvider(paid: { provider: 'alipay' | 'wechat'; paymentId: string; amountMinor: string; tamper?: 'bad-signature' }): Promise<Reply>;
  out(line: string): void;
  /** Waits for eventually consistent answers (read models, event followers). Default 60 s. */
  settleTimeoutMs?: number;
}

export class StoryFailure extends Error {
  override readonly name = 'StoryFailure';
}

export interface Reply {
  status: number;
  body: Record<string, unknown>;
}

export interface StoryUser {
  name: string;
  phone: string;
  userId: string;
  token: string;
  paymentPassword: string;
  cardId?: string;
  payments: string[];
}

/** The people of the story: the two users and the staff's access tokens. */
export interface StoryCast {
  alice: StoryUser;
  bob: StoryUser;
  support: string;
  teller: string;
  supervisor: string;
}

export const LOGIN_PASSWORD = 'Wallet2026ok';
/** A random mainland mobile number (fresh users each run, so the demo can run again). */
export const randomPhone = () => `13${randomInt(0, 1_000_000_000).toString().padStart(9, '0')}`;
export const yuan = (fen: unknown) => {
  const value = BigInt(String(fen));
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  return `${sign}¥${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
};

/**
 * What every chapter of the story tells it with: the HTTP calls to the gateway and the numbered
 * steps (✔ for what worked, ✘ with the stable code for an expected refusal; anything else throws
 * StoryFailure), counted across the chapters.
 */
export function storyKit(deps: StoryDeps) {
  let step = 0;
  const settle = deps.settleTimeoutMs ?? 60_000;

  async function call(method: 'GET' | 'POST' | 'DELETE', path: string, options: { token?: string; body?: unknown } = {}): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${deps.baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      body = { raw: text };
    }
    return { status: response.status, body };
  }
  const post = (path: string, body: unknown, token?: string) => call('POST', path, { body, token });
  const get = (path: string, token?: string) => call('GET', path, { token });
  const remove = (path: string, token?: string) => call('DELETE', path, { token });

  const describe = (reply: Reply) =>
    reply.status >= 400
      ? `${reply.status} ${String(reply.body['code'])}: ${String(reply.body['detail'])}`
      : `${reply.status} ${JSON.stringify(reply.body)}`;

  /** A step that must succeed with `status`. */
  function ok(title: string, reply: Reply, status: number, summary?: (body: Record<string, unknown>) => string): Record<string, unknown> {
    step++;
    if (reply.status !== status) {
      deps.out(`${String(step).padStart(2)}. ${title}\n    ✘ unexpected: ${describe(reply)}`);
      throw new StoryFailure(`step ${step} (${title}): expected ${status}, got ${describe(reply)}`);
    }
    deps.out(`${String(step).padStart(2)}. ${title}\n    ✔ ${status}${summary ? ` ${summary(reply.body)}` : ''}`);
    return reply.body;
  }

  /** A step the story expects to be refused with one of `codes`. */
  function refused(title: string, reply: Reply, ...codes: string[]): void {
    step++;
    const code = String(reply.body['code']);
    if (reply.status < 400 || !codes.includes(code)) {
      deps.out(`${String(step).padStart(2)}. ${title}\n    ✘ unexpected: ${describe(reply)}`);
      throw new StoryFailure(`step ${step} (${title}): expected ${codes.join(' or ')}, got ${describe(reply)}`);
    }
    deps.out(`${String(step).padStart(2)}. ${title}\n    ✘ refused as expected: ${reply.status} ${code} (${String(reply.body['detail'])})`);
  }

  async function until(probe: () => Promise<Reply>, done: (reply: Reply) => boolean): Promise<Reply> {
    const deadline = Date.now() + settle;
    for (;;) {
      const reply = await probe();
      if (done(reply) || Date.now() > deadline) return reply;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  const section = (title: string) => deps.out(`\n── ${title}`);
  const code = async (phone: string, purpose: string, title: string) => {
    ok(title, await post('/verification-codes', { phone, purpose }), 202, (body) => `SMS sent to ${String(body['maskedPhone'])}`);
    return deps.smsCode(phone);
  };
  const newPaymentId = (label: string) => `demo-${label}-${randomUUID()}`;
  const paid = (body: Record<string, unknown>) => `${String(body['status'])} (${String(body['paymentId'])})`;
  /** A merchant payment by `user` with the payment password (its id recorded in `user.payments`): the money-out and later chapters use it. */
  const pay = (
    user: StoryUser,
    label: string,
    merchantId: string,
    channel: string,
    amountMinor: string,
    paymentPassword = user.paymentPassword,
  ) => {
    const paymentId = newPaymentId(label);
    user.payments.push(paymentId);
    return post(
      `/users/${user.userId}/payments`,
      { paymentId, merchantId, channel, amountMinor, paymentPassword, description: label },
      user.token,
    );
  };

  /** Counts a step a chapter reports itself and returns its number. */
  const nextStep = () => ++step;
  /** The number of steps told so far. */
  const steps = () => step;

  return { deps, post, get, remove, describe, ok, refused, until, section, code, newPaymentId, paid, pay, nextStep, steps };
}

export type StoryKit = ReturnType<typeof storyKit>;
