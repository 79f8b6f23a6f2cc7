import { escapeHtml, formatYuan, scaled } from './charts';
import { DEFAULT_DASHBOARD_PORT, dashboardPortFromEnv } from './dashboard-server';

describe('dashboard charts', () => {
  it('formats fen as yuan without floats, whatever the size', () => {
    expect([formatYuan('0'), formatYuan('5'), formatYuan('1250'), formatYuan('-123456'), formatYuan('123456789012345678901')]).toEqual([
      '¥0.00',
      '¥0.05',
      '¥12.50',
      '-¥1,234.56',
      '¥1,234,567,890,123,456,789.01',
    ]);
  });

  it('scales bar lengths in integers, beyond the range of doubles', () => {
    expect(scaled(1250n, 6500n, 180)).toBe(34);
    expect(scaled(6500n, 6500n, 180)).toBe(180);
    expect(scaled(10n ** 30n + 1n, 2n * 10n ** 30n, 100)).toBe(50);
    expect([scaled(0n, 10n, 100), scaled(5n, 0n, 100), scaled(-5n, 10n, 100)]).toEqual([0, 0, 0]);
  });

  it('escapes text put into the page', () => {
    expect(escapeHtml(`<b a="1">&'`)).toBe('&lt;b a=&quot;1&quot;&gt;&amp;&#39;');
  });

  it('reads PROJECTOR_HTTP_PORT, refusing what is not a port', () => {
    expect(dashboardPortFromEnv({})).toBe(DEFAULT_DASHBOARD_PORT);
    expect(dashboardPortFromEnv({ PROJECTOR_HTTP_PORT: '3456' })).toBe(3456);
    expect(() => dashboardPortFromEnv({ PROJECTOR_HTTP_PORT: 'http' })).toThrow('PROJECTOR_HTTP_PORT: not a port: http');
    expect(() => dashboardPortFromEnv({ PROJECTOR_HTTP_PORT: '70000' })).toThrow('not a port');
  });
});
