import { nowInstant } from '@ledger/util';
import { cardsContract, type CommandResult } from '@ledger/contracts';
import { CARDS_ERROR, findCard, issuerStatusRejection, userCardsStreamId } from '@ledger/cards-domain';
import { accepted, rejected, rejectedBy } from '@ledger/messaging';
import { NotCardOwner, type CardsCore, type Envelope } from '../cards-core';
import { parseActor } from '../infra/actor';

/**
 * An internal system (payments) or the owner. A card the issuer reports expired or blocked is
 * suspended (details.suspended); a suspended card is checked again each time and reinstated when
 * the issuer says it is active.
 *
 * Codes: `cardsContract.checkCard.rejects`.
 */
export async function checkCard(core: CardsCore, envelope: Envelope<typeof cardsContract.checkCard>): Promise<CommandResult> {
  const { cardId } = envelope.payload;
  const userId = envelope.payload.userId ?? (await core.readModel.ownerOf(cardId));
  if (userId === undefined) {
    // Without an owner there is nothing to authorize against; only systems may ask by card id alone.
    if (parseActor(envelope.actor).kind !== 'system') throw new NotCardOwner();
    return rejected(envelope, CARDS_ERROR.CARD_NOT_FOUND, 'no such bound card', { cardId });
  }
  core.requireActor(envelope, userId, ['system']);
  const now = nowInstant(core.config.clock);
  const stream = userCardsStreamId(userId);
  const card = findCard((await core.users.load(stream)).state, cardId);
  if (card === undefined) return rejected(envelope, CARDS_ERROR.CARD_NOT_FOUND, 'no such bound card', { cardId });

  const { status } = await core.issuer.checkCard(card.cardToken);
  const outcome = await core.users.handle(
    stream,
    { type: 'RecordCardCheck', userId, actorUserId: userId, cardId, issuerStatus: status, now },
    core.meta(envelope, now),
  );
  if (outcome.kind === 'rejected') return rejectedBy(envelope, outcome.rejection);
  const refusal = issuerStatusRejection(status);
  if (refusal !== undefined) return rejected(envelope, refusal.code, refusal.message, { cardId, suspended: true });
  return accepted(envelope, {
    userId,
    cardId,
    status: 'active',
    cardToken: card.cardToken,
    last4: card.last4,
    issuer: card.issuer,
    cardType: card.cardType,
  });
}
