import { TRANSPORT_ERROR, type CommandResult } from '@ledger/contracts';
import { metricsRegistry } from '@ledger/observability';
import { CommandMetrics, classifyResult } from './command-metrics';

const rejected = (code: string): CommandResult => ({ status: 'rejected', commandId: 'c', code, message: '' });

describe('command metrics', () => {
  it('class each result: accepted, a business refusal, an invalid or forbidden command, a transport code, a failure', () => {
    expect(classifyResult({ status: 'accepted', commandId: 'c' })).toEqual({ outcome: 'accepted', codeClass: 'none' });
    expect(classifyResult(rejected('INSUFFICIENT_FUNDS'))).toEqual({ outcome: 'rejected', codeClass: 'business' });
    expect(classifyResult(rejected(TRANSPORT_ERROR.INVALID_COMMAND))).toEqual({ outcome: 'rejected', codeClass: 'invalid' });
    expect(classifyResult(rejected(TRANSPORT_ERROR.UNKNOWN_COMMAND))).toEqual({ outcome: 'rejected', codeClass: 'invalid' });
    expect(classifyResult(rejected(TRANSPORT_ERROR.FORBIDDEN))).toEqual({ outcome: 'rejected', codeClass: 'forbidden' });
    expect(classifyResult(rejected(TRANSPORT_ERROR.TIMEOUT))).toEqual({ outcome: 'rejected', codeClass: 'transport' });
    expect(classifyResult(rejected(TRANSPORT_ERROR.PROCESSING_FAILED))).toEqual({ outcome: 'failed', codeClass: 'none' });
  });

  it('count each command once under its type, outcome and class, with its duration', async () => {
    const metrics = new CommandMetrics();
    const startedAt = performance.now();
    metrics.record('test.Thing.v1', { status: 'accepted', commandId: 'a' }, startedAt);
    metrics.record('test.Thing.v1', { status: 'accepted', commandId: 'b' }, startedAt);
    expect(metrics.record('test.Thing.v1', rejected('NOPE'), startedAt)).toEqual(rejected('NOPE'));
    const text = await metricsRegistry.metrics();
    expect(text).toContain('ledger_commands_handled_total{command="test.Thing.v1",outcome="accepted",code_class="none"} 2');
    expect(text).toContain('ledger_commands_handled_total{command="test.Thing.v1",outcome="rejected",code_class="business"} 1');
    expect(text).toContain('ledger_command_duration_seconds_count{command="test.Thing.v1",outcome="accepted"} 2');
  });
});
