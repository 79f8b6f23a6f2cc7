/**
 * The examples of the AsyncAPI document (`build-asyncapi.ts`): one per command, event, result and
 * dead letter, each checked against its schema by the tests, so they show real messages.
 */
import { COMMAND_RESULT_TYPE } from '../command-result';
import { HEADER, JSON_CONTENT_TYPE } from '../headers';
import { topics } from '../topics';
import * as cards from '../cards';
import * as identity from '../identity';
import * as ops from '../ops';
import * as payments from '../payments';
import * as wallet from '../wallet';
import type { JsonSchema } from './build-asyncapi';

const EXAMPLE_USER = '5f0c2a4e-7a51-4d5e-9a43-2b1f4b7f6c10';
const EXAMPLE_WALLET = 'w-5f0c2a4e';
const EXAMPLE_PAYMENT = '8d7e2f10-3c4b-4a5e-8f61-0a9b8c7d6e5f';
const commandHeaders = (type: string, actor: string, correlationId: string) => ({
  [HEADER.messageId]: 'b3f1c9de-1111-4a2b-9c3d-000000000001',
  [HEADER.messageType]: type,
  [HEADER.correlationId]: correlationId,
  [HEADER.causationId]: 'b3f1c9de-1111-4a2b-9c3d-000000000001',
  [HEADER.actor]: actor,
  [HEADER.occurredAt]: '2026-11-22T10:00:00.000Z',
  [HEADER.schemaVersion]: '1',
  [HEADER.contentType]: JSON_CONTENT_TYPE,
  [HEADER.replyTo]: 'replies.gateway.3f9a1c2b',
});

export const COMMAND_EXAMPLES: Record<string, JsonSchema> = {
  [identity.registerUser.type]: {
    name: 'register',
    summary: 'Register with the SMS code; the phone, the name and every secret are field-encrypted at the edge.',
    headers: commandHeaders(identity.registerUser.type, 'anonymous', 'c-register-1'),
    payload: { phone: 'enc:v1:k1:…', code: 'enc:v1:k1:…', loginPassword: 'enc:v1:k1:…', name: 'enc:v1:k1:…', deviceId: 'iphone-15-a1' },
  },
  [cards.bindCard.type]: {
    name: 'bindCard',
    headers: commandHeaders(cards.bindCard.type, `user:${EXAMPLE_USER}`, 'c-bind-1'),
    payload: { userId: EXAMPLE_USER, cardNumber: 'enc:v1:k1:…', holderName: 'enc:v1:k1:…', reservedPhone: 'enc:v1:k1:…' },
  },
  [wallet.openWallet.type]: {
    name: 'openWallet',
    headers: commandHeaders(wallet.openWallet.type, `user:${EXAMPLE_USER}`, 'c-open-1'),
    payload: { userId: EXAMPLE_USER },
  },
  [payments.topUpFromCard.type]: {
    name: 'topUp',
    summary: 'Top up 50.00 yuan from a bound card.',
    headers: commandHeaders(payments.topUpFromCard.type, `user:${EXAMPLE_USER}`, 'c-topup-1'),
    payload: {
      paymentId: '1c2d3e4f-0000-4000-8000-000000000001',
      userId: EXAMPLE_USER,
      walletId: EXAMPLE_WALLET,
      cardId: 'card-7f3a',
      amountMinor: '5000',
    },
  },
  [payments.payMerchant.type]: {
    name: 'payMerchant',
    summary: 'Pay 12.50 yuan at a merchant by QR code.',
    headers: commandHeaders(payments.payMerchant.type, `user:${EXAMPLE_USER}`, 'c-pay-1'),
    payload: {
      paymentId: EXAMPLE_PAYMENT,
      userId: EXAMPLE_USER,
      walletId: EXAMPLE_WALLET,
      merchantId: 'm-canteen',
      channel: 'qr',
      amountMinor: '1250',
      description: 'lunch',
      paymentPassword: 'enc:v1:k1:…',
      deviceId: 'iphone-15-a1',
    },
  },
};

const eventHeaders = (type: string, stream: string, revision: string) => ({
  [HEADER.messageId]: 'e7a1b2c3-2222-4d5e-8f90-000000000007',
  [HEADER.messageType]: type,
  [HEADER.correlationId]: 'c-pay-1',
  [HEADER.causationId]: 'b3f1c9de-1111-4a2b-9c3d-000000000001',
  [HEADER.actor]: `user:${EXAMPLE_USER}`,
  [HEADER.occurredAt]: '2026-11-22T10:00:01.000Z',
  [HEADER.schemaVersion]: '1',
  [HEADER.contentType]: JSON_CONTENT_TYPE,
  [HEADER.stream]: stream,
  [HEADER.streamRevision]: revision,
  [HEADER.position]: '4711',
  [HEADER.recordedAt]: '2026-11-22T10:00:01.012Z',
});

export const EVENT_EXAMPLES: Record<string, JsonSchema> = {
  [wallet.EVENT_TYPES.HoldCaptured]: {
    name: 'holdCaptured',
    summary: 'A merchant payment captured: balanced postings (they sum to zero).',
    headers: eventHeaders(wallet.EVENT_TYPES.HoldCaptured, `wallet-${EXAMPLE_WALLET}`, '7'),
    payload: {
      walletId: EXAMPLE_WALLET,
      holdId: `payment-${EXAMPLE_PAYMENT}`,
      amountMinor: '1250',
      releasedMinor: '0',
      counterparty: 'merchant:m-canteen',
      capturedAt: '2026-11-22T10:00:01.000Z',
      transactionId: 'tx-0f1e2d3c',
      postings: [
        { account: `wallet:${EXAMPLE_WALLET}`, amountMinor: '-1250' },
        { account: 'merchant:m-canteen', amountMinor: '1250' },
      ],
      idempotencyKey: `payment-${EXAMPLE_PAYMENT}:capture`,
      payloadFingerprint: 'sha256:9b1c…',
    },
  },
  [payments.EVENT_TYPES.PaymentCompleted]: {
    name: 'paymentCompleted',
    headers: eventHeaders(payments.EVENT_TYPES.PaymentCompleted, `payment-${EXAMPLE_PAYMENT}`, '4'),
    payload: {
      paymentId: EXAMPLE_PAYMENT,
      kind: 'merchant',
      amountMinor: '1250',
      transactionIds: ['tx-0f1e2d3c'],
      postings: [
        { account: `wallet:${EXAMPLE_WALLET}`, amountMinor: '-1250' },
        { account: 'merchant:m-canteen', amountMinor: '1250' },
      ],
      completedAt: '2026-11-22T10:00:01.000Z',
    },
  },
};

const resultHeaders = (correlationId: string) => ({
  [HEADER.messageId]: '0a1b2c3d-3333-4e5f-8a9b-000000000009',
  [HEADER.messageType]: COMMAND_RESULT_TYPE,
  [HEADER.correlationId]: correlationId,
  [HEADER.causationId]: 'b3f1c9de-1111-4a2b-9c3d-000000000001',
  [HEADER.contentType]: JSON_CONTENT_TYPE,
});

export const RESULT_EXAMPLES: JsonSchema[] = [
  {
    name: 'accepted',
    headers: resultHeaders('c-pay-1'),
    payload: {
      status: 'accepted',
      commandId: 'b3f1c9de-1111-4a2b-9c3d-000000000001',
      data: { paymentId: EXAMPLE_PAYMENT, status: 'completed', amountMinor: '1250' },
    },
  },
  {
    name: 'rejected',
    headers: resultHeaders('c-pay-2'),
    payload: {
      status: 'rejected',
      commandId: 'b3f1c9de-1111-4a2b-9c3d-000000000002',
      code: 'INSUFFICIENT_FUNDS',
      message: 'available 10.00 CNY is less than 12.50 CNY',
      details: { availableMinor: '1000' },
    },
  },
];

// A payment started and never finished: the projector raises the alert once, and clears it when the payment gets its outcome.
export const ALERT_EXAMPLES: JsonSchema[] = [
  {
    name: 'raised',
    summary: 'A payment has had no outcome for longer than the configured time.',
    headers: {
      [HEADER.messageId]: '6b1f0c2e-4444-4a5b-8c7d-000000000011',
      [HEADER.messageType]: ops.INVARIANT_ALERT_TYPE,
      [HEADER.occurredAt]: '2026-11-22T15:00:05.000Z',
      [HEADER.schemaVersion]: '1',
      [HEADER.contentType]: JSON_CONTENT_TYPE,
    },
    payload: {
      alertId: '6b1f0c2e-4444-4a5b-8c7d-000000000011',
      key: 'payment-outcome-in-time:payments',
      invariant: 'payment-outcome-in-time',
      subject: 'payments',
      state: 'raised',
      severity: 'warning',
      summary: '1 payment without an outcome more than 300 min after its start',
      details: [EXAMPLE_PAYMENT],
      detailsTotal: 1,
      firstSeenAt: '2026-11-22T15:00:05.000Z',
      at: '2026-11-22T15:00:05.000Z',
    },
  },
];

// A refund from an internal system (a sender RefundPayment lists) whose value was cut short.
export const DEAD_LETTER_EXAMPLE: JsonSchema = {
  name: 'notJson',
  headers: {
    [HEADER.messageId]: 'b3f1c9de-1111-4a2b-9c3d-00000000000f',
    [HEADER.messageType]: payments.refundPayment.type,
    [HEADER.correlationId]: 'c-refund-3',
    [HEADER.actor]: 'system:merchant-portal',
    [HEADER.replyTo]: 'replies.merchant-portal.a1',
    [HEADER.deadLetterReason]: 'value is not JSON: Unexpected token } in JSON at position 1',
    [HEADER.deadLetterSourceTopic]: topics.commandsFrom(payments.CONTEXT, 'internal'),
    [HEADER.deadLetterSourcePartition]: '2',
    [HEADER.deadLetterSourceOffset]: '1042',
  },
  payload: '{}}',
};
