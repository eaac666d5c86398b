import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  assertMayChangeProject,
  normalizeGroupRef,
  projectRecordAnnotations,
  type LubanActor,
  type LubanProjectLookup,
} from './projectRecord';

const member: LubanActor = {
  userEntityRef: 'user:default/jane',
  ownershipEntityRefs: ['user:default/jane', 'group:default/payments-team'],
  isProjectAdmin: false,
};
const outsider: LubanActor = {
  userEntityRef: 'user:default/mallory',
  ownershipEntityRefs: ['user:default/mallory', 'group:default/orders-team'],
  isProjectAdmin: false,
};
const admin: LubanActor = { userEntityRef: 'user:default/root', ownershipEntityRefs: [], isProjectAdmin: true };
const recorded: LubanProjectLookup = {
  state: 'recorded',
  record: { project: 'payments', owner: 'group:default/payments-team' },
};

describe('assertMayChangeProject', () => {
  it('lets a member onboard a new project for their own group, and nobody for a group they are not in', () => {
    expect(() => assertMayChangeProject(member, 'payments', { state: 'absent' }, { owner: 'payments-team' })).not.toThrow();
    expect(() => assertMayChangeProject(outsider, 'payments', { state: 'absent' }, { owner: 'payments-team' })).toThrow(
      new NotAllowedError(
        "user:default/mallory may not create project 'payments' for group:default/payments-team: you can only onboard a project for a group you are a member of",
      ),
    );
  });

  it("refuses changes to another group's project, and owner changes by its own members", () => {
    expect(() => assertMayChangeProject(member, 'payments', recorded)).not.toThrow();
    expect(() => assertMayChangeProject(member, 'payments', recorded, { owner: 'group:default/Payments-Team' })).not.toThrow();
    expect(() => assertMayChangeProject(outsider, 'payments', recorded, { owner: 'orders-team' })).toThrow(
      "Project 'payments' is owned by group:default/payments-team; user:default/mallory is not a member of it",
    );
    expect(() => assertMayChangeProject(member, 'payments', recorded, { owner: 'orders-team' })).toThrow(
      /changing its owner to group:default\/orders-team needs the luban.project.admin permission/,
    );
  });

  it('never adopts a ci- namespace luban did not record, and needs a project before an app', () => {
    expect(() => assertMayChangeProject(member, 'payments', { state: 'unrecorded' }, { owner: 'payments-team' })).toThrow(
      NotAllowedError,
    );
    expect(() => assertMayChangeProject(member, 'payments', { state: 'absent' })).toThrow(NotFoundError);
  });

  it('lets a platform admin do all of it', () => {
    expect(() => assertMayChangeProject(admin, 'payments', recorded, { owner: 'orders-team' })).not.toThrow();
    expect(() => assertMayChangeProject(admin, 'payments', { state: 'unrecorded' }, { owner: 'orders-team' })).not.toThrow();
  });
});

describe('the record annotations', () => {
  it('store the owner in its full, lower-case form', () => {
    expect(normalizeGroupRef('Payments-Team')).toBe('group:default/payments-team');
    expect(normalizeGroupRef('group:platform/sre')).toBe('group:platform/sre');
    expect(() => normalizeGroupRef('user:default/jane')).toThrow(/is not a group reference/);
    expect(projectRecordAnnotations({ owner: 'payments-team', harborProject: 'payments' })).toEqual({
      'luban.dev/owner': 'group:default/payments-team',
      'luban.dev/harbor-project': 'payments',
    });
  });
});
