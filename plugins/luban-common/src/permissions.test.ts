import { isResourcePermission, type Permission } from '@backstage/plugin-permission-common';
import {
  LUBAN_ENVIRONMENT_RESOURCE_TYPE,
  lubanEnvironmentResourceRef,
  lubanEnvironmentSyncPermission,
  lubanPermissions,
  lubanProjectAdminPermission,
  lubanPromotionCreatePermission,
  lubanPromotionRollbackPermission,
  parseLubanEnvironmentResourceRef,
} from './permissions';

describe('lubanPermissions', () => {
  it('are decided per catalog entity, promote and rollback per entity and target environment, but platform administration, with unique luban names', () => {
    const names = lubanPermissions.map(p => p.name);
    expect(new Set(names).size).toBe(names.length);
    const perEnvironment: Permission[] = [lubanPromotionCreatePermission, lubanPromotionRollbackPermission, lubanEnvironmentSyncPermission];
    for (const permission of lubanPermissions) {
      expect(permission.name).toMatch(/^luban\.[a-z]+\.[a-z]+$/);
      // Platform administration is not about one entity: it is a basic permission.
      expect(isResourcePermission(permission, 'catalog-entity')).toBe(
        permission !== lubanProjectAdminPermission && !perEnvironment.includes(permission),
      );
      expect(isResourcePermission(permission, LUBAN_ENVIRONMENT_RESOURCE_TYPE)).toBe(perEnvironment.includes(permission));
    }
    expect(names).toEqual(
      expect.arrayContaining([
        'luban.build.rebuild',
        'luban.promotion.create',
        'luban.promotion.rollback',
        'luban.project.admin',
      ]),
    );
  });
});

describe('lubanEnvironmentResourceRef', () => {
  it('names an entity in one environment, and reads back what it wrote', () => {
    const ref = lubanEnvironmentResourceRef('component:default/ledger-api', 'prd');
    expect(ref).toBe('component:default/ledger-api@prd');
    expect(parseLubanEnvironmentResourceRef(ref)).toEqual({ entityRef: 'component:default/ledger-api', environment: 'prd' });
  });

  it.each(['component:default/ledger-api', '@prd', 'component:default/ledger-api@'])('refuses %s, which names no environment or no entity', ref => {
    expect(parseLubanEnvironmentResourceRef(ref)).toBeUndefined();
  });
});
