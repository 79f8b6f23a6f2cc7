import { Inject, Injectable } from '@nestjs/common';
import { HASH_PURPOSE, messageKeyOf, openSealedField, sealField } from '@ledger/crypto';
import { cardsContract, identityContract, paymentsContract, walletContract, type CommandContract, type PayloadOf } from '@ledger/contracts';
import { COMMAND_BUS, execute, type CommandBus } from './command-bus';
import { GATEWAY_CONFIG, type GatewayConfig } from './config';
import { pageOf } from './http/paging';
import { canonicalPhone } from './http/phone';
import { RateLimiter } from './http/rate-limiter';
import { BearerVerifier, type Principal } from './http/auth';

/** What every controller needs: the bus, the config, field encryption, token checks, rate limiters. */
@Injectable()
export class Edge {
  readonly codeRequestsPerIp: RateLimiter;
  readonly codeRequestsPerPhone: RateLimiter;
  readonly loginsPerIp: RateLimiter;
  readonly loginsPerPhone: RateLimiter;
  /** User id → wallet id, for the users whose wallet was looked up (bounded, oldest forgotten first). */
  private readonly walletIds = new Map<string, string>();
  private static readonly WALLET_IDS_KEPT = 100_000;
  private readonly bearer: BearerVerifier;

  constructor(
    @Inject(COMMAND_BUS) readonly bus: CommandBus,
    @Inject(GATEWAY_CONFIG) readonly config: GatewayConfig,
  ) {
    const { rateLimits, rateLimiterMaxKeys } = config;
    this.codeRequestsPerIp = new RateLimiter('verification codes per IP', rateLimits.codeRequestsPerIp, rateLimiterMaxKeys);
    this.codeRequestsPerPhone = new RateLimiter('verification codes per phone', rateLimits.codeRequestsPerPhone, rateLimiterMaxKeys);
    this.loginsPerIp = new RateLimiter('logins per IP', rateLimits.loginsPerIp, rateLimiterMaxKeys);
    this.loginsPerPhone = new RateLimiter('logins per phone', rateLimits.loginsPerPhone, rateLimiterMaxKeys);
    this.bearer = new BearerVerifier({ user: config.accessTokenKeys, staff: config.staffTokenKeys });
  }

  /** Seals an identity secret field for identity's key (AAD `identity:<field>`): from here on only identity can open it. */
  identitySecret(field: identityContract.SecretField, plaintext: string): string {
    return sealField(plaintext, this.config.sealFor.identity, identityContract.secretAad(field));
  }

  /** Opens a secret of an identity result, sealed for the gateway (the tokens of a login or refresh, a provisioning URI, recovery codes), for the client. */
  openIdentityResult(field: 'accessToken' | 'refreshToken' | 'provisioningUri' | 'recoveryCodes', ciphertext: unknown): string {
    return openSealedField(String(ciphertext), this.config.sealOpeningKeys, identityContract.secretAad(field));
  }

  /** Seals a payments secret field for payments' key (AAD `payments:<field>`). */
  paymentsSecret(field: paymentsContract.SecretField, plaintext: string): string {
    return sealField(plaintext, this.config.sealFor.payments, paymentsContract.secretAad(field));
  }

  /** The Kafka key of a phone's commands: a keyed hash of the normalized number, never the number. */
  phoneMessageKey(phone: string): string {
    return messageKeyOf(HASH_PURPOSE.phone, canonicalPhone(phone), this.config.messageKeyring);
  }

  /** Encrypts a cards secret field for Kafka (AAD `cards:<field>`). */
  cardsSecret(field: cardsContract.SecretField, plaintext: string): string {
    return sealField(plaintext, this.config.sealFor.cards, cardsContract.secretAad(field));
  }

  /**
   * The wallet id of a user, looked up once and then remembered: a user has one wallet and its id
   * never changes, while every money route needs it, so the lookup (a Kafka round trip to the
   * wallet) is paid once per user instead of once per payment. Only a successful answer is kept;
   * the wallet still checks every money command against the wallet's owner. A remembered answer is
   * given without asking the wallet again, so callers first check that the actor may act for this
   * user (`requireSelf`, `requireSupport`).
   */
  async walletIdOf(userId: string, actor: string): Promise<string> {
    const known = this.walletIds.get(userId);
    if (known !== undefined) return known;
    const wallet = await execute(this.bus, walletContract.getWalletByUser, { userId }, { key: userId, actor });
    const walletId = String(wallet['walletId']);
    this.walletIds.set(userId, walletId);
    if (this.walletIds.size > Edge.WALLET_IDS_KEPT) this.walletIds.delete(this.walletIds.keys().next().value as string);
    return walletId;
  }

  principal(authorization: string | undefined): Promise<Principal> {
    return this.bearer.verify(authorization, new Date());
  }
}

/** A money command, awaited as long as a payment may take (`paymentTimeoutMs`), keyed by its payment id. */
export function executePayment<C extends CommandContract>(
  edge: Edge,
  contract: C,
  payload: PayloadOf<C>,
  paymentId: string,
  actor: string,
) {
  return execute(edge.bus, contract, payload, { key: paymentId, actor, timeoutMs: edge.config.paymentTimeoutMs });
}

/** `{ secondFactorCode }` encrypted, or nothing when absent. */
export function optionalSecondFactor(edge: Edge, code: string | undefined): { secondFactorCode?: string } {
  return code === undefined ? {} : { secondFactorCode: edge.identitySecret('secondFactorCode', code) };
}

/** The Kafka key of a session command: the session id in front of the refresh token, so one session's commands stay in order. */
export function sessionKey(refreshToken: string): string {
  return refreshToken.split('.')[0] || 'session';
}

/** The tokens travel encrypted on Kafka; the client gets them in clear over TLS only. */
export function clearTokens(edge: Edge, data: Record<string, unknown>) {
  return {
    ...data,
    tokenType: 'Bearer',
    accessToken: edge.openIdentityResult('accessToken', data['accessToken']),
    refreshToken: edge.openIdentityResult('refreshToken', data['refreshToken']),
  };
}

/** `ListUserPayments` with the query validated (limit as a decimal string, the opaque cursor). */
export function listPayments(edge: Edge, userId: string, query: unknown, actor: string) {
  return execute(edge.bus, paymentsContract.listUserPayments, { userId, ...pageOf(query) }, { key: userId, actor });
}

/** `ListSupportAccess` with the query validated (same paging as the payment list). */
export function listSupportAccess(edge: Edge, userId: string, query: unknown, actor: string) {
  return execute(edge.bus, paymentsContract.listSupportAccess, { userId, ...pageOf(query) }, { key: userId, actor });
}
