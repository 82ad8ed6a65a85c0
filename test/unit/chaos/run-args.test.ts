import { describe, expect, it } from 'vitest';
import { parseDrillArgs, parseDuration, parseSoakArgs } from '../../../chaos/run.js';

describe('npm run chaos arguments', () => {
  it('reads durations in ms, s, m and h', () => {
    // Act
    const parsed = ['1500ms', '90s', '10m', '1.5h', '250'].map((text) => parseDuration(text, 'outage'));

    // Assess
    expect(parsed).toEqual([1_500, 90_000, 600_000, 5_400_000, 250]);
    expect(() => parseDuration('ten minutes', 'outage')).toThrow(/--outage must be a duration/);
  });

  it('runs the outage drill only with --outage, with the issue defaults', () => {
    // Act
    const drill = parseDrillArgs(['--outage', '10m']);
    const scaled = parseDrillArgs(['--outage', '1m', '--duration', '2m', '--time-scale', '10', '--containers', '3']);

    // Assess
    expect(parseDrillArgs(['--messages', '10'])).toBeUndefined();
    expect(drill).toMatchObject({
      outageMs: 600_000,
      durationMs: 1_200_000,
      timeScale: 1,
      recoveryBoundMs: 300_000,
      ratePerSecond: 1,
      sweepEveryMs: 60_000,
    });
    expect(scaled).toMatchObject({ outageMs: 60_000, durationMs: 120_000, timeScale: 10, containers: 3 });
    expect(() => parseDrillArgs(['--outage', '20m'])).toThrow(/shorter than --duration/);
  });

  it('keeps the ideal site by default and takes --site realistic', () => {
    // Act
    const ideal = parseSoakArgs([]);
    const realistic = parseSoakArgs([
      '--site',
      'realistic',
      '--twilio-patience-ms',
      '15000',
      '--sweep-every-ms',
      '20000',
    ]);

    // Assess
    expect(ideal.site).toBe('ideal');
    expect(realistic).toMatchObject({
      site: 'realistic',
      twilioPatienceMs: 15_000,
      sweepEveryMs: 20_000,
      containers: 2,
    });
    expect(() => parseSoakArgs(['--site', 'perfect'])).toThrow(/--site must be ideal or realistic/);
  });
});
