import { TRANSPORT_ERROR, cardsContract, type CommandResult } from '@ledger/contracts';
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
import { accepted, InvalidInput, rejected, rejectedBy } from '@ledger/messaging';
import { isRejection, nowInstant } from '@ledger/util';
import { CARDS_SERVICE_ERROR, type CardsCore, type Envelope } from '../cards-core';
import { cardIdFor, derivedId } from '../infra/ids';

/**
 * 1. actor = the user; a re-delivered command whose card is already bound answers as before;
 * 2. the number is decrypted in memory, checked (Luhn, length, ICBC BIN) and fingerprinted;
 * 3. pre-checks on the user's cards (already bound by this user, too many cards);
 * 3a. identity checks the second factor (`identity.VerifySecondFactor.v1`, purpose `bind_card`,
 *    with the dynamic code the command carries, forwarded unopened): accepted when the user's factor
 *    is off, otherwise its refusal is answered unchanged (SECOND_FACTOR_REQUIRED,
 *    INVALID_SECOND_FACTOR, SECOND_FACTOR_LOCKED, USER_NOT_FOUND), no answer is IDENTITY_UNAVAILABLE.
 *    After the local checks, so a mistyped number costs no dynamic-code attempt; before the issuer,
 *    so a binding the factor refuses learns nothing about the card;
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

  const secondFactor = await core.verifier.verifySecondFactor({
    userId,
    ...(envelope.payload.secondFactorCode === undefined ? {} : { encryptedSecondFactorCode: envelope.payload.secondFactorCode }),
    commandId: derivedId(envelope.commandId, 'verify-second-factor'),
    correlationId: envelope.correlationId,
    causationId: envelope.commandId,
  });
  if (secondFactor.status === 'rejected') {
    if (secondFactor.code === TRANSPORT_ERROR.TIMEOUT)
      return rejected(
        envelope,
        CARDS_SERVICE_ERROR.IDENTITY_UNAVAILABLE,
        'the second factor could not be checked right now; nothing was changed, please retry',
      );
    return rejected(envelope, secondFactor.code, secondFactor.message, secondFactor.details);
  }

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
