import type { Producer, ProducerBatch } from 'kafkajs';
import { CoalescingProducer } from './coalescing-producer';

/** Records the batches it is asked to send; fails the next one when told to. (The broker itself is exercised by the int specs.) */
function recordingProducer() {
  const batches: ProducerBatch[] = [];
  let failNext = false;
  const producer = {
    sendBatch: async (batch: ProducerBatch) => {
      batches.push(batch);
      if (failNext) {
        failNext = false;
        throw new Error('broker unavailable');
      }
      return [];
    },
  } as unknown as Producer;
  return { producer, batches, failNext: () => void (failNext = true) };
}

describe('CoalescingProducer', () => {
  it('sends what is produced within one event-loop turn as one batch, grouped by topic, acks from all replicas', async () => {
    const { producer, batches } = recordingProducer();
    const outbox = new CoalescingProducer(producer);
    await Promise.all([
      outbox.send('a', [{ value: '1' }]),
      outbox.send('b', [{ value: '2' }]),
      outbox.send('a', [{ value: '3' }, { value: '4' }]),
    ]);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.acks).toBe(-1);
    expect(batches[0]!.topicMessages).toEqual([
      { topic: 'a', messages: [{ value: '1' }, { value: '3' }, { value: '4' }] },
      { topic: 'b', messages: [{ value: '2' }] },
    ]);
    await outbox.send('a', [{ value: '5' }]);
    expect(batches).toHaveLength(2);
  });

  it('tells every caller of a failed batch, and the next batch goes on', async () => {
    const { producer, batches, failNext } = recordingProducer();
    const outbox = new CoalescingProducer(producer);
    failNext();
    const results = await Promise.allSettled([outbox.send('a', [{ value: '1' }]), outbox.send('a', [{ value: '2' }])]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    await expect(outbox.send('a', [{ value: '3' }])).resolves.toBeUndefined();
    expect(batches).toHaveLength(2);
  });
});
