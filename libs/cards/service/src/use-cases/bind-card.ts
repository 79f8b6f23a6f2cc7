import { cardsContract, type CommandResult } from '@ledger/contracts';
import { HASH_PURPOSE, fingerprint as keyedFingerprint } from '@ledger/crypto';
import {
  bindPrecheck,
  checkCardNumber,
  findCard,
  maskHolderName,
  normalizeCardNumber,
  userCardsStreamId,
  type BindCard,
} from '@ledger/cards-domain';
import { accepted, InvalidInput, rejectedBy } from '@ledger/messaging';
import { isRejection, nowInstant } from '@ledger/util';
import { type CardsCore, type Envelope } from '../cards-core';
import { cardIdFor, derivedId } from '../infra/ids';

/**
 * 1. actor = the user; a re-delivered command whose card is already bound answers as before;
 * 2. the number is decrypted in memory, checked (Luhn, length, ICBC BIN) and fingerprinted;
 * 3. pre-checks on the user's cards (already bound by this user, too many cards);
 * 4. the issuer verifies card, holder name and reserved phone (before any uniqueness answer, so
 *    nobody can probe which numbers are bound without knowing the holder's name and phone);
 * 5. a dry run of the decider turns the issuer's refusals into codes before anything is stored;
 * 6. the fingerprint is reserved (`cardfp-<fp>`, "no stream" or the exact revision): of
 *    concurrent bindings of one card exactly one wins;
 * 7. CardBound (+ DefaultCardChanged for the first card) is appended to `cards-<userId>`; if that
 *    is refused (a concurrent binding took the last slot) the reservation is released again.
 * A crash between 6 and 7 leaves a reservation without a card: a re-delivery (same command id,
 * same card id) completes it, and any later binding of the card frees it once it is older than
 * `orphanReservationTtlMs` (see `reserve`).
 *
 * Codes: `cardsContract.bindCard.rejects`.
 */
export async function bindCard(core: CardsCore, envelope: Envelope<typeof cardsContract.bindCard>): Promise<CommandResult> {
  const { userId } = envelope.payload;
  core.requireActor(envelope, userId, []);
  const now = nowInstant(core.config.clock);
  const meta = core.meta(envelope, now);
  const stream = userCardsStreamId(userId);
  const cardId = cardIdFor(envelope.commandId);

  const loaded = await core.users.load(stream);
  const alreadyDone = findCard(loaded.state, cardId);
  if (alreadyDone !== undefined) return accepted(envelope, core.cardData(loaded.state, alreadyDone));

  const holderName = core.open(envelope.payload.holderName, 'holderName');
  const reservedPhone = core.open(envelope.payload.reservedPhone, 'reservedPhone');
  if (holderName.trim() === '' || holderName.length > 100)
    throw new InvalidInput('holderName', 'a holder name of 1 to 100 characters is required');
  const cardNumber = core.open(envelope.payload.cardNumber, 'cardNumber');
  const numberCheck = checkCardNumber(cardNumber, core.config.binTable);
  const fingerprint = keyedFingerprint(HASH_PURPOSE.card, normalizeCardNumber(cardNumber), core.config.pepperKeyring);

  const early = bindPrecheck(loaded.state, { userId, actorUserId: userId, fingerprint, numberCheck }, core.userCards.maxCardsPerUser);
  if (early !== undefined) return rejectedBy(envelope, early);

  const verification = await core.issuer.verifyCard({ cardNumber, holderName, reservedPhone });
  const bind: BindCard = {
    type: 'BindCard',
    userId,
    actorUserId: userId,
    cardId,
    fingerprint,
    numberCheck,
    verification,
    holderNameMasked: maskHolderName(holderName),
    now,
  };
  const dryRun = core.userCards.decide(bind, loaded.state);
  if (isRejection(dryRun)) return rejectedBy(envelope, dryRun);

  const notReserved = await core.reserve(fingerprint, userId, cardId, meta, now);
  if (notReserved !== undefined) return rejectedBy(envelope, notReserved);

  const outcome = await core.users.handle(stream, bind, meta);
  if (outcome.kind === 'rejected') {
    await core.releaseFingerprint(
      fingerprint,
      userId,
      cardId,
      'bind_abandoned',
      { ...meta, commandId: derivedId(envelope.commandId, 'release') },
      now,
    );
    return rejectedBy(envelope, outcome.rejection);
  }
  const state = (await core.users.load(stream)).state;
  const card = findCard(state, cardId);
  if (card === undefined) throw new Error(`card ${cardId} accepted but not in the stream`);
  return accepted(envelope, core.cardData(state, card));
}
