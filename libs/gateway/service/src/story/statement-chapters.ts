/**
 * The story's last chapter: what each user sees of their money. The list of their payments, their
 * wallet statement (every entry with the balances after it: 李四's shows 张三's transfer coming in,
 * with 张三's phone masked), their balance as of an earlier instant, and a support agent's audited
 * look-up of a statement, which the user then finds on their support-access trail.
 */
import { StoryFailure, yuan, type Reply, type StoryCast, type StoryKit } from './story-kit';

type Row = Record<string, unknown>;

export interface StatementsReport {
  balances: Record<string, Row>;
  /** Each user's payments, oldest first (GET /users/{userId}/payments). */
  statements: Record<string, Row[]>;
  /** Each user's wallet statement, oldest first (GET /users/{userId}/statement). */
  walletStatements: Record<string, Row[]>;
}

export async function statements(kit: StoryKit, { alice, bob, support }: StoryCast): Promise<StatementsReport> {
  const { deps, describe, get, nextStep, ok, section, until } = kit;
  section('Statements');
  const report: StatementsReport = { balances: {}, statements: {}, walletStatements: {} };
  for (const user of [alice, bob]) {
    const balance = ok(
      `${user.name}'s wallet`,
      await get(`/users/${user.userId}/wallet`, user.token),
      200,
      (b) => `total ${yuan(b['totalMinor'])}, held ${yuan(b['heldMinor'])}, available ${yuan(b['availableMinor'])}`,
    );
    report.balances[user.name] = balance;
    // The list is a read model: wait until it shows every payment of the story, each settled.
    const settled = (reply: Reply) => {
      const listed = (reply.body['payments'] as Row[] | undefined) ?? [];
      return (
        reply.status === 200 && user.payments.every((id) => listed.some((row) => row['paymentId'] === id && row['status'] !== 'pending'))
      );
    };
    const list = await until(() => get(`/users/${user.userId}/payments?limit=100`, user.token), settled);
    if (!settled(list)) throw new StoryFailure(`${user.name}'s payments do not show every payment: ${describe(list)}`);
    const rows = [...((list.body['payments'] as Row[]) ?? [])].reverse();
    deps.out(
      `${String(nextStep()).padStart(2)}. ${user.name}'s payments (GET /users/{userId}/payments), oldest first\n    ✔ 200 ${rows.length} payments`,
    );
    for (const row of rows)
      deps.out(
        `      ${String(row['createdAt']).slice(11, 19)}  ${String(row['kind']).padEnd(14)} ${yuan(row['amountMinor']).padStart(10)}  ${String(row['counterparty']).padEnd(24)} ${String(row['status'])} ${String(row['failureCode'] ?? '')}`,
      );
    report.statements[user.name] = rows;

    // The wallet statement is a read model too: wait until its newest entry leaves the wallet's balances.
    const current = (reply: Reply) => {
      const newest = ((reply.body['entries'] as Row[] | undefined) ?? [])[0];
      return (
        reply.status === 200 &&
        newest?.['balanceAfterMinor'] === balance['totalMinor'] &&
        newest?.['availableAfterMinor'] === balance['availableMinor']
      );
    };
    const statement = await until(() => get(`/users/${user.userId}/statement?limit=100`, user.token), current);
    if (!current(statement))
      throw new StoryFailure(`${user.name}'s statement does not end at the wallet's balance: ${describe(statement)}`);
    const entries = [...((statement.body['entries'] as Row[]) ?? [])].reverse();
    deps.out(
      `${String(nextStep()).padStart(2)}. ${user.name}'s wallet statement (GET /users/{userId}/statement), oldest first\n    ✔ 200 ${entries.length} entries, ending at the balance`,
    );
    for (const entry of entries)
      deps.out(
        `      ${String(entry['at']).slice(11, 19)}  ${String(entry['kind']).padEnd(7)} ${yuan(entry['amountMinor']).padStart(10)}  balance ${yuan(entry['balanceAfterMinor']).padStart(9)}  available ${yuan(entry['availableAfterMinor']).padStart(9)}  ${String(entry['counterparty']).padEnd(20)} ${String(entry['paymentKind'] ?? '')}`,
      );
    report.walletStatements[user.name] = entries;
  }

  // The balance as it was at the instant of 张三's first debit: the balance after the last entry at or before it.
  const aliceEntries = report.walletStatements[alice.name] ?? [];
  const firstDebit = aliceEntries.find((entry) => entry['kind'] === 'debit');
  if (firstDebit === undefined) throw new StoryFailure(`${alice.name}'s statement has no debit`);
  const asOf = String(firstDebit['at']);
  const expected = aliceEntries.filter((entry) => Date.parse(String(entry['at'])) <= Date.parse(asOf)).pop();
  ok(
    `${alice.name}'s balance as of his first payment (${asOf})`,
    await get(`/users/${alice.userId}/balance-as-of?asOf=${encodeURIComponent(asOf)}`, alice.token),
    200,
    (b) => {
      if (b['totalMinor'] !== expected?.['balanceAfterMinor'])
        throw new StoryFailure(
          `balance as of ${asOf} is ${String(b['totalMinor'])}, the statement says ${String(expected?.['balanceAfterMinor'])}`,
        );
      return `total ${yuan(b['totalMinor'])}, available ${yuan(b['availableMinor'])}, as the statement says`;
    },
  );

  // Support looks at 李四's statement on the hotline: recorded on his trail before it is answered.
  ok(
    `Support looks at ${bob.name}'s statement (GET /support/users/{userId}/statement)`,
    await get(`/support/users/${bob.userId}/statement?limit=5`, support),
    200,
    (b) => `${(b['entries'] as Row[]).length} newest entries`,
  );
  ok(
    `${bob.name} sees who looked (GET /users/{userId}/support-access)`,
    await get(`/users/${bob.userId}/support-access?limit=1`, bob.token),
    200,
    (b) => {
      const [entry] = b['entries'] as Row[];
      const viewed = entry?.['viewed'] as Row | undefined;
      if (viewed?.['kind'] !== 'statement') throw new StoryFailure(`the look-up is not on ${bob.name}'s trail: ${JSON.stringify(b)}`);
      return `${String(entry?.['agentId'])} viewed his statement at ${String(entry?.['at'])}`;
    },
  );
  return report;
}
