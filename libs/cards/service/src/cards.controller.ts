import { Controller } from '@nestjs/common';
import { cardsContract as contract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { CommandHandler, type CommandEnvelope } from '@ledger/messaging';
import { CardsCore } from './cards-core';
import { bindCard } from './use-cases/bind-card';
import { checkCard } from './use-cases/check-card';
import { listCards } from './use-cases/list-cards';
import { setDefaultCard } from './use-cases/set-default-card';
import { unbindCard } from './use-cases/unbind-card';

/**
 * The cards commands on `cards.commands`: each handler hands its command to its use case under
 * `use-cases/` and answers exactly one result. The codes listed are the rejections it can answer with, besides INVALID_INPUT (a field the service cannot use) and
 * the transport's own codes (INVALID_COMMAND, UNKNOWN_COMMAND, PROCESSING_FAILED, TIMEOUT).
 */
@Controller()
export class CardsController {
  constructor(private readonly core: CardsCore) {}

  /**
   * NOT_CARD_OWNER, INVALID_CARD_NUMBER, CARD_NOT_SUPPORTED, CARD_EXPIRED, CARD_BLOCKED, CARD_HOLDER_MISMATCH,
   * RESERVED_PHONE_MISMATCH, CARD_ALREADY_BOUND, CARD_BOUND_TO_ANOTHER_USER, TOO_MANY_CARDS, CARD_BINDING_IN_PROGRESS, ISSUER_UNAVAILABLE.
   */
  @CommandHandler(contract.bindCard)
  bindCard(command: CommandEnvelope<PayloadOf<typeof contract.bindCard>>): Promise<CommandResult> {
    return this.core.execute(command, () => bindCard(this.core, command));
  }

  /**
   * NOT_CARD_OWNER, CARD_NOT_FOUND, IDENTITY_UNAVAILABLE, and identity's codes unchanged: WRONG_PAYMENT_PASSWORD (attemptsLeft),
   * PAYMENT_PASSWORD_LOCKED (lockedUntil), PAYMENT_PASSWORD_NOT_SET, ACCOUNT_FROZEN, USER_NOT_FOUND, FORBIDDEN, INVALID_INPUT.
   */
  @CommandHandler(contract.unbindCard)
  unbindCard(command: CommandEnvelope<PayloadOf<typeof contract.unbindCard>>): Promise<CommandResult> {
    return this.core.execute(command, () => unbindCard(this.core, command));
  }

  /** NOT_CARD_OWNER, CARD_NOT_FOUND, CARD_SUSPENDED. */
  @CommandHandler(contract.setDefaultCard)
  setDefaultCard(command: CommandEnvelope<PayloadOf<typeof contract.setDefaultCard>>): Promise<CommandResult> {
    return this.core.execute(command, () => setDefaultCard(this.core, command));
  }

  /** NOT_CARD_OWNER. */
  @CommandHandler(contract.listCards)
  listCards(command: CommandEnvelope<PayloadOf<typeof contract.listCards>>): Promise<CommandResult> {
    return this.core.execute(command, () => listCards(this.core, command));
  }

  /** NOT_CARD_OWNER, CARD_NOT_FOUND, CARD_EXPIRED, CARD_BLOCKED (the card is suspended), ISSUER_UNAVAILABLE. */
  @CommandHandler(contract.checkCard)
  checkCard(command: CommandEnvelope<PayloadOf<typeof contract.checkCard>>): Promise<CommandResult> {
    return this.core.execute(command, () => checkCard(this.core, command));
  }
}
