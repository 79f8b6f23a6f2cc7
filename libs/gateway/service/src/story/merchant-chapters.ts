/**
 * The café refunds over the merchant API: a supervisor issues 咖啡小店 an API key, the café refunds
 * part of 张三's coffee with it, is refused more than is left and a payment that was not its own,
 * and lists its payments and its settlement statement. The key is revoked at the end of the story
 * (`revokeMerchantKey`), so the demo can run again (a merchant holds at most five live keys).
 */
import { StoryFailure, yuan, type StoryCast, type StoryKit } from './story-kit';

export const CAFE = 'm-coffee';

/** A Shanghai calendar day, as the settlement statement names it. */
const shanghaiDay = (instant: Date) => new Date(instant.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

export async function merchantRefund(
  kit: StoryKit,
  { alice, supervisor }: StoryCast,
): Promise<{ keyId: string; key: string; coffee: string }> {
  const { get, newPaymentId, ok, paid, post, refused, section } = kit;
  section('The café refunds over the merchant API');
  const coffee = alice.payments.find((id) => id.startsWith('demo-coffee-'));
  const canteen = alice.payments.find((id) => id.startsWith('demo-canteen-too-much-'));
  if (coffee === undefined || canteen === undefined) throw new StoryFailure('the story has no coffee or canteen payment to refund');
  const issued = ok(
    `A supervisor issues 咖啡小店 (${CAFE}) an API key for the merchant API`,
    await post(`/support/merchants/${CAFE}/api-keys`, {}, supervisor),
    201,
    (b) => `key ${String(b['keyId'])}, shown this once`,
  );
  const key = String(issued['apiKey']);
  const refundId = newPaymentId('coffee-refund');
  alice.payments.push(refundId);
  ok(
    '咖啡小店 refunds ¥8.00 of 张三’s coffee (POST /merchants/{merchantId}/refunds, Bearer API key)',
    await post(`/merchants/${CAFE}/refunds`, { refundId, paymentId: coffee, amountMinor: '800', reason: 'the coffee was cold' }, key),
    200,
    paid,
  );
  refused(
    '咖啡小店 tries to refund ¥25.00 more: only ¥20.00 is left',
    await post(
      `/merchants/${CAFE}/refunds`,
      { refundId: newPaymentId('coffee-refund-too-much'), paymentId: coffee, amountMinor: '2500' },
      key,
    ),
    'REFUND_EXCEEDS_PAYMENT',
  );
  refused(
    '咖啡小店 tries to refund a payment made to the canteen',
    await post(`/merchants/${CAFE}/refunds`, { refundId: newPaymentId('not-mine'), paymentId: canteen, amountMinor: '100' }, key),
    'NOT_MERCHANTS_PAYMENT',
  );
  refused(
    'A made-up key is refused',
    await get(`/merchants/${CAFE}/payments`, `mk_${'0'.repeat(12)}_${'0'.repeat(32)}`),
    'MERCHANT_KEY_INVALID',
  );
  ok('咖啡小店 lists its newest payments', await get(`/merchants/${CAFE}/payments?limit=3`, key), 200, (b) => {
    const payments = (b['payments'] as Array<Record<string, unknown>>) ?? [];
    return payments.map((p) => `${String(p['kind'])} ${yuan(p['amountMinor'])} ${String(p['status'])}`).join(', ');
  });
  const today = shanghaiDay(new Date());
  ok(
    `咖啡小店's settlement statement for ${today}`,
    await get(`/merchants/${CAFE}/settlements/${today}`, key),
    200,
    (b) =>
      `${String(b['payments'])} payments ${yuan(b['grossMinor'])}, ${String(b['refunds'])} refunds ${yuan(b['refundedMinor'])}, net ${yuan(b['netMinor'])} (from the read models: a moment behind)`,
  );
  return { keyId: String(issued['keyId']), key, coffee };
}

/**
 * The story's clean-up: the café's key goes, so each run issues one and none pile up; from that moment
 * it refunds nothing (a refund always has the key checked, whatever the gateway remembers for reading).
 */
export async function revokeMerchantKey(
  kit: StoryKit,
  { supervisor }: StoryCast,
  cafe: { keyId: string; key: string; coffee: string },
): Promise<void> {
  kit.ok(
    `The supervisor revokes the café's API key ${cafe.keyId}`,
    await kit.remove(`/support/merchants/${CAFE}/api-keys/${cafe.keyId}`, supervisor),
    200,
    () => 'revoked',
  );
  kit.refused(
    'Right after, the revoked key refunds nothing',
    await kit.post(
      `/merchants/${CAFE}/refunds`,
      { refundId: kit.newPaymentId('coffee-refund-revoked'), paymentId: cafe.coffee, amountMinor: '100' },
      cafe.key,
    ),
    'MERCHANT_KEY_INVALID',
  );
}
