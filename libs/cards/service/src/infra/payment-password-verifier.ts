import { identityContract, type CommandResult } from '@ledger/contracts';
import { KafkaCommandClient } from '@ledger/messaging';
import type { Kafka } from 'kafkajs';

export interface VerifyPaymentPasswordRequest {
  userId: string;
  /** The ciphertext the gateway made for identity (associated data identity:paymentPassword); never opened here. */
  encryptedPaymentPassword: string;
  /** The user's dynamic code as the gateway encrypted it for identity (identity:secondFactorCode), if any; never opened here. */
  encryptedSecondFactorCode?: string;
  /** Derived from the UnbindCard command id, so a re-delivered unbind gets identity's original answer. */
  commandId: string;
  correlationId: string;
  causationId: string;
}

export interface VerifySecondFactorRequest {
  userId: string;
  /** The user's dynamic code as the gateway encrypted it for identity (identity:secondFactorCode), if any; never opened here. */
  encryptedSecondFactorCode?: string;
  /** Derived from the BindCard command id, so a re-delivered binding gets identity's original answer. */
  commandId: string;
  correlationId: string;
  causationId: string;
}

/**
 * The checks that belong to the identity service (issue 5: "verified by the identity service over
 * Kafka"): the payment password of an unbinding, and the second factor of a binding, which has no
 * password to check. Each answers identity's result as it is, so its codes and details
 * (attemptsLeft, lockedUntil, the second factor's refusals) reach the caller unchanged; a TIMEOUT
 * result when identity did not answer in time.
 */
export abstract class PaymentPasswordVerifier {
  abstract verify(request: VerifyPaymentPasswordRequest): Promise<CommandResult>;
  abstract verifySecondFactor(request: VerifySecondFactorRequest): Promise<CommandResult>;
}

/**
 * Sends `identity.VerifyPaymentPassword.v1` (purpose `unbind_card`) and `identity.VerifySecondFactor.v1`
 * (purpose `bind_card`) as `system:cards` and awaits each single result: cards has already checked
 * that the actor is the card's user, and only the gateway asserts users' actors.
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
      {
        userId: request.userId,
        paymentPassword: request.encryptedPaymentPassword,
        purpose: 'unbind_card',
        ...(request.encryptedSecondFactorCode === undefined ? {} : { secondFactorCode: request.encryptedSecondFactorCode }),
      },
      {
        key: request.userId,
        actor: 'system:cards',
        commandId: request.commandId,
        correlationId: request.correlationId,
        causationId: request.causationId,
      },
    );
  }

  verifySecondFactor(request: VerifySecondFactorRequest): Promise<CommandResult> {
    return this.client.send(
      identityContract.verifySecondFactor,
      {
        userId: request.userId,
        purpose: 'bind_card',
        ...(request.encryptedSecondFactorCode === undefined ? {} : { secondFactorCode: request.encryptedSecondFactorCode }),
      },
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
