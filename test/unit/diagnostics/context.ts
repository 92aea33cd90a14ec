import { performance } from 'node:perf_hooks';
import { DEFAULT_DIAGNOSTIC_LIMITS, type DiagnosticContext } from '../../../src/diagnostics/finding';
import { UTC_DATES } from '../../../src/util/dates';

export const TENANT = '7a1d3b5e-0000-4000-8000-00000000c0de';
export const CONNECTOR_APP = '5e3ce6c0-2b1f-4285-8d4b-75ee78787346';
export const ASKER = '0b7f9a3e-1111-4222-8333-444455556666';
export const NOW = new Date('2026-03-02T09:00:00.000Z');

/** A check's context with readable defaults; override what a test is about. */
export function diagnosticContext(overrides: Partial<DiagnosticContext> = {}): DiagnosticContext {
  return {
    connectorAppId: CONNECTOR_APP,
    adminConsentLink: 'https://aka.ms/office365moverauth',
    cloud: 'global',
    inactivityDays: 90,
    firstNoticeDays: 30,
    now: NOW,
    dates: UTC_DATES,
    asker: { aadObjectId: ASKER, name: 'Adele Vance' },
    connectors: [],
    limits: DEFAULT_DIAGNOSTIC_LIMITS,
    elapsed: () => performance.now(),
    ...overrides,
  };
}
