/**
 * What a tester of the local stack needs and would otherwise dig out of the code: where the SMS
 * codes go, which simulated cards bind with which holder and phone, and how to make a provider call
 * back. `npm start` prints it under its table; every line is for development only.
 */
import { TEST_CARDS } from '@ledger/util/testing';
import { paymentsContract } from '@ledger/contracts';
import { formatYuan } from '@ledger/util';

/** What each simulated card does when bound or charged. */
const CARD_NOTES: Record<keyof typeof TEST_CARDS, string> = {
  zhangSanDebit: 'binds; a debit card',
  zhangSanSecond: 'binds; a second debit card (19 digits)',
  zhangSanCredit: 'binds; a credit card',
  expired: 'CARD_EXPIRED',
  blocked: 'CARD_BLOCKED (reported lost)',
  liSi: "李四's: as 张三 → CARD_HOLDER_MISMATCH",
  nonIcbc: 'not ICBC → CARD_NOT_SUPPORTED',
};

export function devNotes(options: { gatewayUrl: string; partnersUrl: string }): string[] {
  const cards = Object.entries(TEST_CARDS).map(
    ([name, card]) =>
      `    ${card.number.padEnd(20)} ${card.holderName.padEnd(4)} ${card.reservedPhone}  ${card.issuer} ${card.cardType}, ${formatYuan(card.balanceMinor)} CNY: ${CARD_NOTES[name as keyof typeof TEST_CARDS]}`,
  );
  return [
    'Trying it out (development only):',
    `  SMS codes (the partner simulator's handsets): curl '${options.partnersUrl}/sms/inbox?to=<phone>'`,
    '  Cards the simulated ICBC knows (bind with this number, holder name and reserved phone):',
    ...cards,
    `  Alipay / WeChat paying a top-up: POST ${options.partnersUrl}/providers/v1/payments { provider, paymentId, amountMinor }: the provider calls`,
    `    ${options.gatewayUrl}/provider-callbacks back, signed with its own development secret ("${paymentsContract.DEV_PROVIDER_SECRETS.wechat}" for WeChat)`,
    '    over "<provider>|<paymentId>|<providerReference>|<amountMinor>|<timestamp>|<nonce>"',
    `  API page: ${options.gatewayUrl}/docs    The whole story through the API: npm run demo`,
  ];
}
