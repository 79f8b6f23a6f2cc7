import { cardsContract, type CommandResult } from '@ledger/contracts';
import { accepted } from '@ledger/messaging';
import type { CardsCore, Envelope } from '../cards-core';

/**
 * The owner, support or an internal system. Masked numbers only, from the read model.
 *
 * Codes: `cardsContract.listCards.rejects`.
 */
export async function listCards(core: CardsCore, envelope: Envelope<typeof cardsContract.listCards>): Promise<CommandResult> {
  const { userId } = envelope.payload;
  core.requireActor(envelope, userId, ['support', 'system']);
  const cards = await core.readModel.list(userId);
  return accepted(envelope, { userId, defaultCardId: cards.find((card) => card.isDefault)?.cardId ?? null, cards });
}
