import { identityContract, type CommandResult } from '@ledger/contracts';
import { KafkaCommandClient } from '@ledger/messaging';
import type { Kafka } from 'kafkajs';

export interface VerifyPaymentPasswordRequest {
  userId: string;
  /** The ciphertext the gateway made for identity (associated data identity:paymentPassword); never opened here. */
  encryptedPaymentPassword: string;
  /** Derived from the UnbindCard command id, so a re-delivered unbind gets identity's original answer. */
  commandId: string;
  correlationId: string;
  causationId: string;
}

/**
 * The payment-password check, which belongs to the identity service (issue 5: "verified by the
 * identity service over Kafka"). Answers identity's result as it is, so its codes and details
 * (attemptsLeft, lockedUntil) reach the caller unchanged; a TIMEOUT result when identity did not
 * answer in time.
 */
export abstract class PaymentPasswordVerifier {
  abstract verify(request: VerifyPaymentPasswordRequest): Promise<CommandResult>;
}

/**
 * Sends `identity.VerifyPaymentPassword.v1` (purpose `unbind_card`) as `system:cards` and awaits its
 * single result: cards has already checked that the unbind's actor owns the card, and only the
 * gateway asserts users' actors.
 */
export class KafkaPaymentPasswordVerifier extends PaymentPasswordVerifier {
  private readonly client: KafkaCommandClient;

  constructor(kafka: Kafka, topicPrefix: string, timeoutMs: number) {
    super();
    this.client = new KafkaCommandClient({
      kafka,
      clientName: 'cards',
      sender: 'cards',
      topicPrefix,
      defaultTimeoutMs: timeoutMs,
      maxPending: 1_000,
    });
  }

  start(): Promise<void> {
    return this.client.start();
  }

  stop(): Promise<void> {
    return this.client.stop();
  }

  verify(request: VerifyPaymentPasswordRequest): Promise<CommandResult> {
    return this.client.send(
      identityContract.verifyPaymentPassword,
      { userId: request.userId, paymentPassword: request.encryptedPaymentPassword, purpose: 'unbind_card' },
      {
        key: request.userId,
        actor: 'system:cards',
        commandId: request.commandId,
        correlationId: request.correlationId,
        causationId: request.causationId,
      },
    );
  }
}
