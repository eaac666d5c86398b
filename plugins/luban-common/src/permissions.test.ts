import { isResourcePermission } from '@backstage/plugin-permission-common';
import { lubanPermissions, lubanProjectAdminPermission } from './permissions';

describe('lubanPermissions', () => {
  it('are decided per catalog entity, but platform administration, with unique luban names', () => {
    const names = lubanPermissions.map(p => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const permission of lubanPermissions) {
      expect(permission.name).toMatch(/^luban\.[a-z]+\.[a-z]+$/);
      // Platform administration is not about one entity: it is a basic permission.
      expect(isResourcePermission(permission, 'catalog-entity')).toBe(
        permission !== lubanProjectAdminPermission,
      );
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
