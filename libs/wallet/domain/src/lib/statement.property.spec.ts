import fc from 'fast-check';
import { fold, isRejection } from '@ledger/util';
import type { WalletCommand } from './commands';
import type { WalletEvent } from './events';
import { accountId } from './ledger';
import { balancesOf, type WalletState } from './state';
import { emptyStatementRun, statementEntryOf, type HoldShown, type StatementEntry, type StatementRun } from './statement';
import { cmd, decider } from './wallet.fixtures';

/**
 * Random operations between several users' wallets (top-ups, merchant payments, transfers from one
 * wallet to another, holds captured in part, released or expired), each decided by the wallet's own
 * decider; the statement is built entry by entry from the events. At every point, each wallet's
 * statement sums to its balance and its held amount, and every entry's balances are those of the
 * wallet right after it.
 */
const WALLETS = ['w-0', 'w-1', 'w-2'] as const;
const wallet = fc.integer({ min: 0, max: WALLETS.length - 1 });
const amount = fc.bigInt(1n, 3_000n);

type Operation =
  | { kind: 'topup'; to: number; amountMinor: bigint }
  | { kind: 'pay'; from: number; amountMinor: bigint }
  | { kind: 'transfer'; from: number; to: number; amountMinor: bigint }
  | { kind: 'hold'; from: number; amountMinor: bigint }
  | { kind: 'settle'; from: number; how: 'capture' | 'part' | 'release' | 'expire' };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant('topup' as const), to: wallet, amountMinor: amount }),
  fc.record({ kind: fc.constant('pay' as const), from: wallet, amountMinor: amount }),
  fc.record({ kind: fc.constant('transfer' as const), from: wallet, to: wallet, amountMinor: amount }),
  fc.record({ kind: fc.constant('hold' as const), from: wallet, amountMinor: amount }),
  fc.record({
    kind: fc.constant('settle' as const),
    from: wallet,
    how: fc.constantFrom('capture' as const, 'part' as const, 'release' as const, 'expire' as const),
  }),
);

interface Book {
  state: WalletState;
  run: StatementRun;
  entries: StatementEntry[];
  holds: Map<string, HoldShown>;
  open: string[];
}

describe('a wallet statement, entry by entry', () => {
  it('sums to each wallet’s balance and held amount at every point, whatever moves between the wallets', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 60 }), (operations) => {
        const at = (step: number) => new Date(Date.parse('2026-03-10T02:00:00.000Z') + step * 1000).toISOString();
        const books = WALLETS.map((walletId, i): Book => {
          const events = decider.decide(cmd.open({ walletId, userId: `u-${i}`, tier: 'premium', now: at(0) }), decider.initialState());
          if (isRejection(events)) throw new Error('open failed');
          return { state: fold(decider, events), run: emptyStatementRun(), entries: [], holds: new Map(), open: [] };
        });
        const apply = (book: Book, command: WalletCommand): boolean => {
          const events = decider.decide(command, book.state);
          if (isRejection(events)) return false;
          for (const event of events as WalletEvent[]) {
            book.state = fold(decider, [event], book.state);
            if (event.type === 'wallet.FundsReserved.v1') book.holds.set(event.data.holdId, event.data);
            const entry = statementEntryOf(book.run, event, (holdId) => book.holds.get(holdId));
            if (entry) book.entries.push(entry);
            const balances = balancesOf(book.state);
            // The running figures are the wallet's own, after every event.
            expect([book.run.balanceMinor, book.run.heldMinor]).toEqual([balances.totalMinor, balances.heldMinor]);
            if (entry) expect([entry.balanceAfterMinor, entry.availableAfterMinor]).toEqual([balances.totalMinor, balances.availableMinor]);
          }
          return true;
        };
        operations.forEach((op, step) => {
          const now = at(step + 1);
          const walletId = (i: number) => WALLETS[i]!;
          const holdId = `h-${step}`;
          const reserve = { holdId, now, expiresAt: at(step + 30), reference: `payment ${step}` };
          switch (op.kind) {
            case 'topup':
              apply(books[op.to]!, cmd.credit({ walletId: walletId(op.to), creditId: `c-${step}`, amountMinor: op.amountMinor, now }));
              break;
            case 'pay':
              apply(books[op.from]!, cmd.pay({ walletId: walletId(op.from), amountMinor: op.amountMinor, ...reserve }));
              break;
            case 'transfer': {
              const paid = apply(
                books[op.from]!,
                cmd.pay({
                  walletId: walletId(op.from),
                  amountMinor: op.amountMinor,
                  counterparty: accountId.transferClearing(),
                  ...reserve,
                }),
              );
              if (paid)
                apply(
                  books[op.to]!,
                  cmd.credit({
                    walletId: walletId(op.to),
                    creditId: `t-${step}`,
                    amountMinor: op.amountMinor,
                    counterparty: accountId.transferClearing(),
                    now,
                  }),
                );
              break;
            }
            case 'hold': {
              const book = books[op.from]!;
              if (apply(book, cmd.reserve({ walletId: walletId(op.from), amountMinor: op.amountMinor, ...reserve })))
                book.open.push(holdId);
              break;
            }
            case 'settle': {
              const book = books[op.from]!;
              const open = book.open.shift();
              if (open === undefined) break;
              const id = { walletId: walletId(op.from), holdId: open };
              const held = book.holds.get(open) as HoldShown & { amountMinor: string };
              const command: WalletCommand =
                op.how === 'release'
                  ? cmd.release({ ...id, now })
                  : op.how === 'expire'
                    ? cmd.expire({ ...id, now: at(step + 60) })
                    : cmd.capture({
                        ...id,
                        amountMinor: op.how === 'part' ? (BigInt(held.amountMinor) + 1n) / 2n : BigInt(held.amountMinor),
                        now,
                      });
              expect(apply(book, command)).toBe(true);
              break;
            }
          }
        });
        for (const book of books) {
          const balances = balancesOf(book.state);
          // The statement sums to the balance and to the held amount; entries are numbered 1, 2, … with no gap.
          expect(book.entries.reduce((sum, entry) => sum + entry.amountMinor, 0n)).toBe(balances.totalMinor);
          expect(book.entries.reduce((sum, entry) => sum + entry.heldMinor, 0n)).toBe(balances.heldMinor);
          expect(book.entries.map((entry) => entry.seq)).toEqual(book.entries.map((_entry, i) => i + 1));
          // A release or expiry shows its hold's counterparty and reference.
          for (const entry of book.entries.filter((e) => e.kind === 'release' || e.kind === 'expiry'))
            expect(entry.reference).toBe(book.holds.get(entry.holdId!)?.reference);
        }
      }),
      { numRuns: 300 },
    );
  });
});
