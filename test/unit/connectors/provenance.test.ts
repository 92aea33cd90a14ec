import type { Connector } from '../../../src/connectors/connector';
import { describeState, legacyProvenance, upgradeConnector } from '../../../src/connectors/provenance';
import { connectorRecord } from '../../support/connectorFixtures';
import { aConnector } from '../../support/builders';

const AT = '2026-12-03T10:00:00.000Z';
const day = (iso: string) => iso.slice(0, 10);

describe('provenance rules', () => {
  test('a reported state names who reported it and says it is not verified', () => {
    const connector: Connector = connectorRecord({
      tenantId: 't',
      type: 'box',
      provenance: { kind: 'reported', by: 'u1', byName: 'Ada', at: AT },
    });
    expect(describeState(connector, day)).toBe('authorized, reported by Ada on 2026-12-03, not verified');
    expect(describeState({ ...connector, provenance: { kind: 'reported', by: 'api', at: AT } }, day)).toBe(
      'authorized, reported by the management API (import) on 2026-12-03, not verified',
    );
    // An import that named the reporter only by object id: the id is not shown as a name.
    const oid = '6f1f0d6e-3c1a-4d54-9f0e-0b6a4d3e2c11';
    expect(describeState({ ...connector, provenance: { kind: 'reported', by: oid, at: AT } }, day)).toBe(
      `authorized, reported by the account with Entra object id ${oid} on 2026-12-03, not verified`,
    );
  });

  test('a verified state names the check; a deauthorized one says how it had been authorized', () => {
    const verified = connectorRecord({
      tenantId: 't',
      provenance: { kind: 'verified', method: 'graph-consent', at: AT },
    });
    const consentCheck = 'the Microsoft Graph check of the Office 365 Mover app’s tenant-wide admin consent';
    expect(describeState(verified, day)).toBe(
      `authorized, verified 2026-12-03 by ${consentCheck}; steps 1 to 4 in Mover not verified`,
    );
    expect(describeState({ ...verified, status: 'deauthorized' }, day)).toBe(
      `deauthorized (was authorized, verified 2026-12-03 by ${consentCheck}; steps 1 to 4 in Mover not verified)`,
    );
    const reported = {
      ...verified,
      provenance: { ...verified.provenance!, stepsReportedBy: { by: 'sam-oid', byName: 'Sam' } },
    };
    expect(describeState(reported, day)).toBe(
      `authorized, verified 2026-12-03 by ${consentCheck}; steps 1 to 4 in Mover reported by Sam, not verified`,
    );
    expect(describeState({ status: 'awaiting-consent', provenance: undefined }, day)).toBe(
      'awaiting-consent: admin consent not verified yet',
    );
  });

  test('records without provenance get it derived from what they hold, and nothing is claimed without evidence', () => {
    expect(
      legacyProvenance(
        connectorRecord({ tenantId: 't', type: 'azure-blob', keysVerified: true, authorizedAt: AT }),
      ),
    ).toEqual({ kind: 'verified', method: 'container-listing', at: AT });
    expect(
      legacyProvenance(
        connectorRecord({
          tenantId: 't',
          type: 'amazon-s3',
          keysVerified: false,
          createdBy: 'u',
          authorizedAt: AT,
        }),
      ),
    ).toEqual({ kind: 'reported', by: 'u', byName: undefined, at: AT });
    expect(legacyProvenance(aConnector('t').inStatus('awaiting-consent').build())).toBeUndefined();
    expect(legacyProvenance(aConnector('t').ofType('box').inStatus('deauthorized').build())).toBeUndefined();
    const stored = connectorRecord({
      tenantId: 't',
      provenance: { kind: 'reported', by: 'u2', at: AT },
      consent: { verifiedAt: AT },
    });
    expect(upgradeConnector(stored)).toBe(stored);
  });
});
