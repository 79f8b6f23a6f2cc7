import type { EventCodec, RecordedEvent } from '@ledger/event-store';
import { isWalletEventType, type WalletEvent } from '@ledger/wallet-domain';

/**
 * Wallet events are stored exactly as the decider builds them: a versioned type name and JSON-native
 * data (amounts are decimal strings), so encoding is the identity. Decoding checks the type name;
 * the data's shape is checked by `evolve`, which parses every amount and asserts the invariants.
 */
export const walletCodec: EventCodec<WalletEvent> = {
  encode: (event) => ({ type: event.type, data: { ...event.data } }),
  decode: (record: RecordedEvent): WalletEvent => {
    if (!isWalletEventType(record.type)) throw new Error(`${record.stream}@${record.revision}: ${record.type} is not a wallet event`);
    return { type: record.type, data: record.data } as unknown as WalletEvent;
  },
};
