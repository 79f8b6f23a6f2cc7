import { nowInstant } from '@ledger/util';
import { TRANSPORT_ERROR, cardsContract, type CommandResult } from '@ledger/contracts';
import { CARDS_ERROR, CARDS_EVENT, findCard, userCardsStreamId } from '@ledger/cards-domain';
import { accepted, rejected, rejectedBy } from '@ledger/messaging';
import { CARDS_SERVICE_ERROR, type CardsCore, type Envelope } from '../cards-core';
import { derivedId } from '../infra/ids';

/**
 * The owner only. CARD_NOT_FOUND is answered before the password is checked (no attempt is
 * spent on a card that is not there). Identity verifies the payment password (purpose
 * `unbind_card`) and, when the user's second factor is on, the dynamic code the command carries
 * (forwarded unopened); its rejection is answered unchanged (WRONG_PAYMENT_PASSWORD with
 * attemptsLeft, PAYMENT_PASSWORD_LOCKED with lockedUntil, ACCOUNT_FROZEN, SECOND_FACTOR_REQUIRED,
 * INVALID_SECOND_FACTOR, SECOND_FACTOR_LOCKED, …), no answer is IDENTITY_UNAVAILABLE.
 * Then CardUnbound (+ DefaultCardChanged when the default moves) and the fingerprint release.
 *
 * Codes: `cardsContract.unbindCard.rejects`.
 */
export async function unbindCard(core: CardsCore, envelope: Envelope<typeof cardsContract.unbindCard>): Promise<CommandResult> {
  const { userId, cardId } = envelope.payload;
  core.requireActor(envelope, userId, []);
  const now = nowInstant(core.config.clock);
  const meta = core.meta(envelope, now);
  const stream = userCardsStreamId(userId);

  const loaded = await core.users.load(stream);
  // A re-delivered command that already unbound skips the checks: the handler returns its original events.
  if (!loaded.commands.has(envelope.commandId)) {
    if (findCard(loaded.state, cardId) === undefined)
      return rejected(envelope, CARDS_ERROR.CARD_NOT_FOUND, 'no such bound card', { cardId });
    const verified = await core.verifier.verify({
      userId,
      encryptedPaymentPassword: envelope.payload.paymentPassword,
      ...(envelope.payload.secondFactorCode === undefined ? {} : { encryptedSecondFactorCode: envelope.payload.secondFactorCode }),
      commandId: derivedId(envelope.commandId, 'verify-payment-password'),
      correlationId: envelope.correlationId,
      causationId: envelope.commandId,
    });
    if (verified.status === 'rejected') {
      if (verified.code === TRANSPORT_ERROR.TIMEOUT)
        return rejected(
          envelope,
          CARDS_SERVICE_ERROR.IDENTITY_UNAVAILABLE,
          'the payment password could not be checked right now; nothing was changed, please retry',
        );
      return rejected(envelope, verified.code, verified.message, verified.details);
    }
  }

  const walletOpen = await core.readModel.isWalletOpen(userId);
  const outcome = await core.users.handle(
    stream,
    { type: 'UnbindCard', userId, actorUserId: userId, cardId, paymentPasswordVerified: true, walletOpen, now },
    meta,
  );
  if (outcome.kind === 'rejected') return rejectedBy(envelope, outcome.rejection);
  const unbound = outcome.events.find((event) => event.type === CARDS_EVENT.CardUnbound);
  if (unbound?.type !== CARDS_EVENT.CardUnbound) throw new Error('unbind accepted without CardUnbound');
  await core.releaseFingerprint(unbound.data.fingerprint, userId, cardId, 'card_unbound', meta, now);
  const state = (await core.users.load(stream)).state;
  return accepted(envelope, {
    userId,
    cardId,
    remainingCards: unbound.data.remainingCards,
    lastCardOfOpenWallet: unbound.data.lastCardOfOpenWallet,
    defaultCardId: state.kind === 'holding' ? state.defaultCardId : null,
  });
}
