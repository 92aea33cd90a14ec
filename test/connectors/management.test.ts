import { canManage } from '../../src/connectors/management';

const alice = { id: 'alice-oid', name: 'Alice' };
const bob = { id: 'bob-oid', name: 'Bob' };
const created = { createdBy: alice.id, createdByName: 'Alice', displayName: 'Finance' };
const imported = { displayName: 'Imported one' };

describe('canManage', () => {
  it('lets the creator manage their connector', () => {
    expect(canManage(alice, { connector: created, adminGroupSet: true, inAdminGroup: false })).toEqual({
      allowed: true,
    });
  });

  it('refuses someone else, naming the creator, while no admin group is set', () => {
    expect(canManage(bob, { connector: created, adminGroupSet: false, inAdminGroup: false })).toEqual({
      allowed: false,
      reason: 'Only Alice, who created it, can manage "Finance".',
    });
  });

  it('lets a member of the admin group manage anyone’s connector', () => {
    expect(canManage(bob, { connector: created, adminGroupSet: true, inAdminGroup: true }).allowed).toBe(
      true,
    );
  });

  it('mentions the admin group in the refusal when one is set', () => {
    expect(canManage(bob, { connector: created, adminGroupSet: true, inAdminGroup: false })).toEqual({
      allowed: false,
      reason: 'Only Alice, who created it, or a member of the connector admins group, can manage "Finance".',
    });
  });

  it('lets anyone in the tenant manage an imported connector while no admin group is set', () => {
    expect(canManage(bob, { connector: imported, adminGroupSet: false, inAdminGroup: false }).allowed).toBe(
      true,
    );
  });

  it('keeps an imported connector to the admin group once one is set', () => {
    expect(canManage(bob, { connector: imported, adminGroupSet: true, inAdminGroup: false })).toEqual({
      allowed: false,
      reason:
        'Only the person who created it, or a member of the connector admins group, can manage "Imported one".',
    });
    expect(canManage(bob, { connector: imported, adminGroupSet: true, inAdminGroup: true }).allowed).toBe(
      true,
    );
  });

  it('ignores an admin group answer when no group is set', () => {
    expect(canManage(bob, { connector: created, adminGroupSet: false, inAdminGroup: true }).allowed).toBe(
      false,
    );
  });
});
