import { isResourcePermission } from '@backstage/plugin-permission-common';
import { lubanPermissions } from './permissions';

describe('lubanPermissions', () => {
  it('are all decided per catalog entity, with unique luban names', () => {
    const names = lubanPermissions.map(p => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const permission of lubanPermissions) {
      expect(permission.name).toMatch(/^luban\.[a-z]+\.[a-z]+$/);
      expect(isResourcePermission(permission, 'catalog-entity')).toBe(true);
    }
    expect(names).toEqual(
      expect.arrayContaining([
        'luban.build.rebuild',
        'luban.promotion.create',
        'luban.promotion.rollback',
      ]),
    );
  });
});
