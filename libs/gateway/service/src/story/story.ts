import { moneyIn, moneyOut } from './money-chapters';
import { passwordsCardsWallets, registration } from './onboarding-chapters';
import { merchantRefund, revokeMerchantKey } from './merchant-chapters';
import { forgottenPaymentPassword, lostPhone } from './recovery-chapters';
import { statements } from './statement-chapters';
import { randomPhone, storyKit, type StoryCast, type StoryDeps, type StoryUser } from './story-kit';

export { StoryFailure, randomPhone, type Reply, type StoryCard, type StoryDeps, type StoryUser } from './story-kit';

export interface StoryReport {
  alice: StoryUser;
  bob: StoryUser;
  balances: Record<string, Record<string, unknown>>;
  /** Each user's payments, oldest first. */
  statements: Record<string, Array<Record<string, unknown>>>;
  /** Each user's wallet statement, oldest first. */
  walletStatements: Record<string, Array<Record<string, unknown>>>;
  steps: number;
}

/**
 * The story of the source documents, told through the gateway's HTTP API only: the same function
 * runs as `npm run demo` (against `npm start`) and in `story.e2e-spec.ts` (services in-process), so
 * the two cannot drift apart. Every step prints a numbered line: ✔ for what worked, ✘ with the
 * service's stable code for a refusal the story expects. An unexpected answer throws StoryFailure.
 */
export async function runStory(deps: StoryDeps): Promise<StoryReport> {
  const kit = storyKit(deps);
  const { ok, post, section, steps } = kit;

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
  const cafe = await merchantRefund(kit, cast);
  await forgottenPaymentPassword(kit, cast);
  await lostPhone(kit, cast);

  const { balances, statements: payments, walletStatements } = await statements(kit, cast);

  section('Clean-up: the simulator has one 张三 debit card and one 李四 card; unbind them so the demo can run again');
  await revokeMerchantKey(kit, cast, cafe);
  for (const user of [alice, bob]) {
    ok(
      `${user.name} unbinds his card with the payment password`,
      await post(`/users/${user.userId}/cards/${String(user.cardId)}/unbind`, { paymentPassword: user.paymentPassword }, user.token),
      200,
      (b) => `remaining cards ${String(b['remainingCards'])}`,
    );
  }
  return { alice, bob, balances, statements: payments, walletStatements, steps: steps() };
}
