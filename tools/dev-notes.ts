/**
 * What a tester of the local stack needs and would otherwise dig out of the code: where the SMS
 * codes go, which simulated cards bind with which holder and phone, and how to sign a provider's
 * callback. `npm start` prints it under its table; every line is for development only.
 */
import path from 'node:path';
import { TEST_CARDS } from '@ledger/cards-domain';
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

export function devNotes(options: { gatewayUrl: string; smsOutboxFile: string; repoRoot: string }): string[] {
  const cards = Object.entries(TEST_CARDS).map(
    ([name, card]) =>
      `    ${card.number.padEnd(20)} ${card.holderName.padEnd(4)} ${card.reservedPhone}  ${card.issuer} ${card.cardType}, ${formatYuan(card.balanceMinor)} CNY: ${CARD_NOTES[name as keyof typeof TEST_CARDS]}`,
  );
  return [
    'Trying it out (development only):',
    `  SMS codes (the simulated handset): tail -f ${path.relative(options.repoRoot, options.smsOutboxFile)}`,
    '  Cards the simulated ICBC knows (bind with this number, holder name and reserved phone):',
    ...cards,
    `  Alipay / WeChat callbacks: POST ${options.gatewayUrl}/provider-callbacks, signature = hex HMAC-SHA256("${paymentsContract.DEV_PROVIDER_SECRET}",`,
    '    "<provider>|<paymentId>|<providerReference>|<amountMinor>")',
    `  API page: ${options.gatewayUrl}/docs    The whole story through the API: npm run demo`,
  ];
}
