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
 * `use-cases/` and answers exactly one result. Each use case lists the codes it can answer with,
 * besides INVALID_INPUT (a field the service cannot use) and the transport's own codes
 * (INVALID_COMMAND, UNKNOWN_COMMAND, PROCESSING_FAILED, TIMEOUT).
 */
@Controller()
export class CardsController {
  constructor(private readonly core: CardsCore) {}

  @CommandHandler(contract.bindCard)
  bindCard(command: CommandEnvelope<PayloadOf<typeof contract.bindCard>>): Promise<CommandResult> {
    return this.core.execute(command, () => bindCard(this.core, command));
  }

  @CommandHandler(contract.unbindCard)
  unbindCard(command: CommandEnvelope<PayloadOf<typeof contract.unbindCard>>): Promise<CommandResult> {
    return this.core.execute(command, () => unbindCard(this.core, command));
  }

  @CommandHandler(contract.setDefaultCard)
  setDefaultCard(command: CommandEnvelope<PayloadOf<typeof contract.setDefaultCard>>): Promise<CommandResult> {
    return this.core.execute(command, () => setDefaultCard(this.core, command));
  }

  @CommandHandler(contract.listCards)
  listCards(command: CommandEnvelope<PayloadOf<typeof contract.listCards>>): Promise<CommandResult> {
    return this.core.execute(command, () => listCards(this.core, command));
  }

  @CommandHandler(contract.checkCard)
  checkCard(command: CommandEnvelope<PayloadOf<typeof contract.checkCard>>): Promise<CommandResult> {
    return this.core.execute(command, () => checkCard(this.core, command));
  }
}
