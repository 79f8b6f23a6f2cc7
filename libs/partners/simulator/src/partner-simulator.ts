import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { paymentsContract } from '@ledger/contracts';
import {
  ACQUIRER_API,
  BILLER_API,
  IDEMPOTENCY_HEADER,
  ISSUER_API,
  SIGNATURE_WINDOW_MS,
  SIMULATOR_HEADER,
  SIGNATURE_HEADERS,
  SMS_API,
  checkSignature,
  devPartnerCredential,
  type PartnerCredential,
} from '@ledger/partners-http';
import { AcquirerSimulator } from './acquirer/acquirer-simulator';
import { BillerSimulator } from './biller/biller-simulator';
import { FaultSwitches, SIMULATED_PARTNERS, type Fault, type SimulatedPartner } from './faults';
import { CardIssuerSimulator } from './issuer/card-issuer-simulator';
import {
  ProviderSimulator,
  deliverTo,
  type CallbackDelivery,
  type CallbackTampering,
  type ProviderCallback,
} from './providers/provider-simulator';
import { SimulatedFailure } from './simulated-failure';
import { SmsInbox } from './sms/sms-inbox';

export interface PartnerSimulatorOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Generated load-test cards the issuer knows besides its test cards (benchmarks). */
  readonly loadTestCards?: number;
  /** How long a simulated issuer timeout holds the request before the connection is dropped. */
  readonly issuerTimeoutMs?: number;
  /** The credentials each partner accepts; by default each one's development credential. */
  readonly credentials?: Partial<Record<SimulatedPartner, readonly PartnerCredential[]>>;
  /** Where the providers post their callbacks (the gateway's `/provider-callbacks`); unset, only tests deliver them. */
  readonly callbackUrl?: string;
}

type Json = Record<string, unknown>;
type Answer = { status: number; body: unknown } | 'drop';

/** Request bodies above this size are refused: every partner request is a few hundred bytes. */
const MAX_BODY_BYTES = 64 * 1024;
/** Idempotency keys remembered per partner; the oldest are forgotten first. */
const MAX_REMEMBERED_ANSWERS = 200_000;

/**
 * One process that plays every outside party the ledger talks to: the card acquirer, the card issuer
 * and core banking, the billers, the SMS gateway (with every handset's inbox) and the third-party
 * top-up providers, each over the HTTP API its adapter speaks (`@ledger/partners-http`). Like a real
 * partner it checks each request's signature (and refuses a stale or replayed one), and answers a
 * repeated idempotency key with its first answer. Tests, the demo and chaos runs tell it to decline,
 * fail, delay, time out, lose an answer or call back twice, in process or over its control routes.
 * Every answer carries `x-partner-simulator`, by which a service outside development mode refuses it.
 */
export class PartnerSimulator {
  readonly acquirer = new AcquirerSimulator();
  readonly issuer: CardIssuerSimulator;
  readonly biller = new BillerSimulator();
  readonly sms = new SmsInbox();
  readonly providers = new ProviderSimulator();
  readonly faults = new FaultSwitches();
  /** Requests refused for their signature, by reason (tests check the adapters sign). */
  readonly refusedSignatures = new Map<string, number>();
  private readonly credentials: Map<SimulatedPartner, Map<string, string>>;
  private readonly seenNonces = new Map<string, number>();
  private readonly remembered = new Map<string, { bodyHash: string; answer: { status: number; body: unknown } }>();
  private readonly server: http.Server;
  private baseUrl = '';

  private constructor(private readonly options: PartnerSimulatorOptions) {
    this.issuer = new CardIssuerSimulator({ loadTestCards: options.loadTestCards ?? 0, timeoutMs: options.issuerTimeoutMs ?? 5_000 });
    this.credentials = new Map(
      SIMULATED_PARTNERS.map((partner) => [
        partner,
        new Map(
          (options.credentials?.[partner] ?? [devPartnerCredential(partner)]).map((credential) => [credential.keyId, credential.secret]),
        ),
      ]),
    );
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
  }

  static async start(options: PartnerSimulatorOptions = {}): Promise<PartnerSimulator> {
    const simulator = new PartnerSimulator(options);
    await new Promise<void>((resolve, reject) => {
      simulator.server.once('error', reject);
      simulator.server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    const address = simulator.server.address() as AddressInfo;
    simulator.baseUrl = `http://${address.address}:${address.port}`;
    return simulator;
  }

  /** The simulator's root; each partner answers under `/<partner>` (`/acquirer`, `/issuer`, `/biller`, `/sms`). */
  get url(): string {
    return this.baseUrl;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Posts a provider's callback to `callbackUrl`, the way the provider's servers would. */
  readonly deliverOverHttp: CallbackDelivery = (callback: ProviderCallback) => {
    if (!this.options.callbackUrl) throw new Error('no callback URL: start the simulator with callbackUrl to deliver callbacks over HTTP');
    return deliverTo(this.options.callbackUrl)(callback);
  };

  // ------------------------------------------------------------------ HTTP

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.setHeader(SIMULATOR_HEADER, '1');
    try {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://simulator');
      const answer = await this.route(req, url, body);
      if (answer === 'drop') {
        req.socket.destroy();
        return;
      }
      send(res, answer.status, answer.body);
    } catch (error) {
      if (error instanceof RangeError || error instanceof SyntaxError) return send(res, 400, { error: error.message });
      send(res, 500, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  private async route(req: http.IncomingMessage, url: URL, body: string): Promise<Answer> {
    const method = req.method ?? 'GET';
    const [partner, ...rest] = url.pathname.split('/').filter(Boolean);
    const path = `/${rest.join('/')}`;
    if (partner === undefined) return { status: 200, body: { simulator: true, partners: [...SIMULATED_PARTNERS, 'providers'] } };
    if (partner === 'control') return this.control(method, path, body);
    if (partner === 'providers' && method === 'POST' && path === '/v1/payments') return this.payAtProvider(body);
    if (partner === 'sms' && method === 'GET' && path === '/inbox') {
      const to = url.searchParams.get('to');
      if (!to) throw new RangeError('to is required');
      return { status: 200, body: { messages: this.sms.messagesTo(to) } };
    }
    if (!isPartner(partner)) return { status: 404, body: { error: 'no such partner' } };
    const operation = operationOf(partner, method, path);
    if (!operation) return { status: 404, body: { error: `no ${method} ${path} at the ${partner}` } };
    const refused = this.refuseSignature(partner, req, method, url, body);
    if (refused) return refused;
    return this.withFaultsAndMemory(partner, operation.name, req, body, () => operation.run(this, body ? (JSON.parse(body) as Json) : {}));
  }

  /** A real partner refuses an unsigned, wrongly signed, stale or replayed request with 401. */
  private refuseSignature(
    partner: SimulatedPartner,
    req: http.IncomingMessage,
    method: string,
    url: URL,
    body: string,
  ): Answer | undefined {
    const headers = req.headers as Record<string, string | undefined>;
    const now = Date.now();
    const check = checkSignature(
      (keyId) => this.credentials.get(partner)?.get(keyId),
      headers,
      { method, path: url.pathname + url.search, body },
      now,
    );
    let reason: string | undefined = check.ok ? undefined : check.reason;
    if (!reason) {
      const nonce = `${partner}:${headers[SIGNATURE_HEADERS.nonce]}`;
      this.forgetOldNonces(now);
      if (this.seenNonces.has(nonce)) reason = 'replayed';
      else this.seenNonces.set(nonce, now + 2 * SIGNATURE_WINDOW_MS);
    }
    if (!reason) return undefined;
    this.refusedSignatures.set(reason, (this.refusedSignatures.get(reason) ?? 0) + 1);
    return { status: 401, body: { error: `signature ${reason}` } };
  }

  private forgetOldNonces(now: number): void {
    for (const [nonce, expiresAt] of this.seenNonces) {
      if (expiresAt > now) break;
      this.seenNonces.delete(nonce);
    }
  }

  private async withFaultsAndMemory(
    partner: SimulatedPartner,
    operation: string,
    req: http.IncomingMessage,
    body: string,
    run: () => Promise<unknown>,
  ): Promise<Answer> {
    const fault: Fault | undefined = this.faults.take(partner, operation);
    if (fault?.mode === 'unavailable') return { status: 503, body: { error: 'simulated unavailability' } };
    if (fault?.mode === 'timeout') {
      await sleep(fault.delayMs ?? 30_000);
      return 'drop';
    }
    if (fault?.mode === 'delay') await sleep(fault.delayMs ?? 1_000);
    const key = req.headers[IDEMPOTENCY_HEADER];
    const memoryKey = typeof key === 'string' ? `${partner}:${key}` : undefined;
    const bodyHash = createHash('sha256').update(body).digest('hex');
    const earlier = memoryKey ? this.remembered.get(memoryKey) : undefined;
    if (earlier) {
      if (earlier.bodyHash !== bodyHash) return { status: 422, body: { error: 'idempotency key reused with another request' } };
      return earlier.answer;
    }
    let answer: { status: number; body: unknown };
    try {
      answer = { status: 200, body: await run() };
    } catch (error) {
      if (!(error instanceof SimulatedFailure)) throw error;
      return error.failure === 'unavailable' ? { status: 503, body: { error: error.message } } : 'drop';
    }
    if (memoryKey) {
      this.remembered.set(memoryKey, { bodyHash, answer });
      if (this.remembered.size > MAX_REMEMBERED_ANSWERS) this.remembered.delete(this.remembered.keys().next().value as string);
    }
    return fault?.mode === 'lose-answer' ? { status: 500, body: { error: 'simulated lost answer' } } : answer;
  }

  private async payAtProvider(body: string): Promise<Answer> {
    const request = JSON.parse(body) as {
      provider?: string;
      paymentId?: string;
      amountMinor?: string;
      times?: number;
      delayMs?: number;
      tamper?: CallbackTampering;
    };
    if (!request.paymentId || !request.amountMinor || !(paymentsContract.PROVIDERS as readonly string[]).includes(request.provider ?? ''))
      throw new RangeError('provider (alipay|wechat), paymentId and amountMinor are required');
    const paid = {
      provider: request.provider as paymentsContract.ProviderName,
      paymentId: request.paymentId,
      amountMinor: request.amountMinor,
      ...(request.tamper ? { tamper: request.tamper } : {}),
    };
    const delivering = this.providers.pay(paid, this.deliverOverHttp, { times: request.times ?? 1, delayMs: request.delayMs ?? 0 });
    // A late callback is the provider's business: the request that asked for it does not wait.
    if (request.delayMs) {
      delivering.catch(() => undefined);
      return { status: 202, body: { scheduled: true } };
    }
    return { status: 200, body: { deliveries: await delivering } };
  }

  private control(method: string, path: string, body: string): Answer {
    if (method !== 'POST') return { status: 405, body: { error: 'control routes take POST' } };
    const request = (body ? JSON.parse(body) : {}) as Json;
    switch (path) {
      case '/faults': {
        const partner = String(request.partner);
        if (!isPartner(partner)) throw new RangeError(`partner must be one of ${SIMULATED_PARTNERS.join(', ')}`);
        this.faults.arm(
          partner,
          { mode: request.mode as Fault['mode'], ...(typeof request.delayMs === 'number' ? { delayMs: request.delayMs } : {}) },
          {
            ...(typeof request.count === 'number' ? { count: request.count } : {}),
            ...(typeof request.operation === 'string' ? { operation: request.operation } : {}),
          },
        );
        return { status: 200, body: { armed: true } };
      }
      case '/reset':
        this.faults.clear();
        this.issuer.reset();
        this.acquirer.declineMerchants.clear();
        this.acquirer.declineAmounts.clear();
        this.acquirer.timeoutMerchants.clear();
        this.acquirer.delayMs = 0;
        return { status: 200, body: { reset: true } };
      case '/acquirer': {
        for (const merchant of strings(request.declineMerchants)) this.acquirer.declineMerchants.add(merchant);
        for (const merchant of strings(request.timeoutMerchants)) this.acquirer.timeoutMerchants.add(merchant);
        for (const amount of strings(request.declineAmounts)) this.acquirer.declineAmounts.add(BigInt(amount));
        if (typeof request.delayMs === 'number') this.acquirer.delayMs = request.delayMs;
        return { status: 200, body: { updated: true } };
      }
      case '/issuer/card-status':
        this.issuer.setCardStatus(String(request.card), request.status as 'active' | 'expired' | 'blocked');
        return { status: 200, body: { updated: true } };
      default:
        return { status: 404, body: { error: 'no such control route' } };
    }
  }
}

interface Operation {
  readonly name: string;
  run(simulator: PartnerSimulator, body: Json): Promise<unknown>;
}

/** Which partner operation a request is, by method and path (the paths of `@ledger/partners-http`). */
function operationOf(partner: SimulatedPartner, method: string, path: string): Operation | undefined {
  const post = method === 'POST';
  switch (partner) {
    case 'acquirer':
      return post && path === ACQUIRER_API.authorizations
        ? {
            name: 'authorize',
            run: (s, b) =>
              s.acquirer.authorize({
                paymentId: str(b.paymentId),
                merchantId: str(b.merchantId),
                channel: str(b.channel),
                amountMinor: str(b.amountMinor),
              }),
          }
        : undefined;
    case 'issuer': {
      if (post && path === ISSUER_API.verifications)
        return {
          name: 'verifyCard',
          run: (s, b) =>
            s.issuer.verifyCard({ cardNumber: str(b.cardNumber), holderName: str(b.holderName), reservedPhone: str(b.reservedPhone) }),
        };
      if (post && (path === ISSUER_API.charges || path === ISSUER_API.payouts)) {
        const name = path === ISSUER_API.charges ? 'charge' : 'payout';
        return { name, run: (s, b) => s.issuer[name](str(b.cardToken), BigInt(str(b.amountMinor)), str(b.reference)) };
      }
      const status = /^\/v1\/cards\/([^/]+)\/status$/.exec(path);
      return method === 'GET' && status ? { name: 'checkCard', run: (s) => s.issuer.checkCard(decodeURIComponent(status[1]!)) } : undefined;
    }
    case 'biller': {
      if (post && path === BILLER_API.payments)
        return {
          name: 'payBill',
          run: (s, b) =>
            s.biller.payBill({
              paymentId: str(b.paymentId),
              billerId: str(b.billerId),
              billReference: str(b.billReference),
              amountMinor: str(b.amountMinor),
            }),
        };
      const bill = /^\/v1\/billers\/([^/]+)\/bills\/([^/]+)$/.exec(path);
      return method === 'GET' && bill
        ? { name: 'checkBill', run: (s) => s.biller.checkBill(decodeURIComponent(bill[1]!), decodeURIComponent(bill[2]!)) }
        : undefined;
    }
    case 'sms':
      return post && path === SMS_API.messages
        ? { name: 'send', run: async (s, b) => ({ messageId: s.sms.deliver(str(b.to), str(b.text), new Date()).messageId }) }
        : undefined;
  }
}

function isPartner(name: string): name is SimulatedPartner {
  return (SIMULATED_PARTNERS as readonly string[]).includes(name);
}

function str(value: unknown): string {
  if (typeof value !== 'string') throw new RangeError('a required field is missing or not a string');
  return value;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_BODY_BYTES) {
        reject(new RangeError(`request body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body ?? null);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
