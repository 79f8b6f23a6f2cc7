import { nowInstant } from '@ledger/util';
import { cardsContract, type CommandResult } from '@ledger/contracts';
import { userCardsStreamId } from '@ledger/cards-domain';
import { accepted, rejectedBy } from '@ledger/messaging';
import { type CardsCore, type Envelope } from '../cards-core';

/**
 * The owner only; choosing the current default is accepted without events.
 *
 * Codes: `cardsContract.setDefaultCard.rejects`.
 */
export async function setDefaultCard(core: CardsCore, envelope: Envelope<typeof cardsContract.setDefaultCard>): Promise<CommandResult> {
  const { userId, cardId } = envelope.payload;
  core.requireActor(envelope, userId, []);
  const now = nowInstant(core.config.clock);
  const stream = userCardsStreamId(userId);
  const outcome = await core.users.handle(
    stream,
    { type: 'SetDefaultCard', userId, actorUserId: userId, cardId, now },
    core.meta(envelope, now),
  );
  if (outcome.kind === 'rejected') return rejectedBy(envelope, outcome.rejection);
  return accepted(envelope, { userId, defaultCardId: cardId });
}
