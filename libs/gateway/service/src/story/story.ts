import { paymentsContract } from '@ledger/contracts';
import { moneyIn, moneyOut } from './money-chapters';
import { passwordsCardsWallets, registration } from './onboarding-chapters';
import { forgottenPaymentPassword, lostPhone } from './recovery-chapters';
import { StoryFailure, randomPhone, storyKit, yuan, type Reply, type StoryCast, type StoryDeps, type StoryUser } from './story-kit';

export { StoryFailure, randomPhone, type Reply, type StoryCard, type StoryDeps, type StoryUser } from './story-kit';

export interface StoryReport {
  alice: StoryUser;
  bob: StoryUser;
  balances: Record<string, Record<string, unknown>>;
  statements: Record<string, Array<Record<string, unknown>>>;
  steps: number;
}

export const DEV_PROVIDER_SECRET = paymentsContract.DEV_PROVIDER_SECRET;

/**
 * The story of the source documents, told through the gateway's HTTP API only: the same function
 * runs as `npm run demo` (against `npm start`) and in `story.e2e-spec.ts` (services in-process), so
 * the two cannot drift apart. Every step prints a numbered line: ✔ for what worked, ✘ with the
 * service's stable code for a refusal the story expects. An unexpected answer throws StoryFailure.
 */
export async function runStory(deps: StoryDeps): Promise<StoryReport> {
  const kit = storyKit(deps);
  const { describe, get, nextStep, ok, post, section, steps, until } = kit;

  const alice: StoryUser = { name: '张三', phone: randomPhone(), userId: '', token: '', paymentPassword: '802417', payments: [] };
  const bob: StoryUser = { name: '李四', phone: randomPhone(), userId: '', token: '', paymentPassword: '364815', payments: [] };
  const support = await deps.staffToken('agent-0042', 'support');
  const teller = await deps.staffToken('teller-0042', 'teller');
  const supervisor = await deps.staffToken('supervisor-0007', 'supervisor');
  const cast: StoryCast = { alice, bob, support, teller, supervisor };

  await registration(kit, cast);
  await passwordsCardsWallets(kit, cast);
  await moneyIn(kit, cast);
  await moneyOut(kit, cast);
  await forgottenPaymentPassword(kit, cast);
  await lostPhone(kit, cast);

  // ── Statements
  section('Statements');
  const balances: StoryReport['balances'] = {};
  const statements: StoryReport['statements'] = {};
  for (const user of [alice, bob]) {
    const balance = ok(
      `${user.name}'s wallet`,
      await get(`/users/${user.userId}/wallet`, user.token),
      200,
      (b) => `total ${yuan(b['totalMinor'])}, held ${yuan(b['heldMinor'])}, available ${yuan(b['availableMinor'])}`,
    );
    balances[user.name] = balance;
    // The statement is a read model: wait until it shows every payment of the story, each settled.
    const settled = (reply: Reply) => {
      const listed = (reply.body['payments'] as Array<Record<string, unknown>> | undefined) ?? [];
      return (
        reply.status === 200 && user.payments.every((id) => listed.some((row) => row['paymentId'] === id && row['status'] !== 'pending'))
      );
    };
    const list = await until(() => get(`/users/${user.userId}/payments?limit=100`, user.token), settled);
    if (!settled(list)) throw new StoryFailure(`${user.name}'s statement does not show every payment: ${describe(list)}`);
    const rows = [...((list.body['payments'] as Array<Record<string, unknown>>) ?? [])].reverse();
    const number = nextStep();
    deps.out(
      `${String(number).padStart(2)}. ${user.name}'s statement (GET /users/{userId}/payments), oldest first\n    ✔ 200 ${rows.length} payments`,
    );
    for (const row of rows) {
      deps.out(
        `      ${String(row['createdAt']).slice(11, 19)}  ${String(row['kind']).padEnd(14)} ${yuan(row['amountMinor']).padStart(10)}  ${String(row['counterparty']).padEnd(24)} ${String(row['status'])} ${String(row['failureCode'] ?? '')}`,
      );
    }
    statements[user.name] = rows;
  }
  // 李四's incoming transfer is 张三's payment (one payment, two wallets): the wallets' ledgers show both sides.

  section('Clean-up: the simulator has one 张三 debit card and one 李四 card; unbind them so the demo can run again');
  for (const user of [alice, bob]) {
    ok(
      `${user.name} unbinds his card with the payment password`,
      await post(`/users/${user.userId}/cards/${String(user.cardId)}/unbind`, { paymentPassword: user.paymentPassword }, user.token),
      200,
      (b) => `remaining cards ${String(b['remainingCards'])}`,
    );
  }
  return { alice, bob, balances, statements, steps: steps() };
}
