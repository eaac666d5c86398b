import type { Entity } from '@backstage/catalog-model';
import {
  isLubanAppAvailable,
  isLubanAvailable,
  missingLubanAnnotations,
} from './isLubanAvailable';

function entityWith(annotations?: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'ledger-api', annotations },
  };
}

describe('isLubanAvailable', () => {
  it('is true when the entity names a luban project', () => {
    expect(isLubanAvailable(entityWith({ 'luban.dev/project': 'acme' }))).toBe(
      true,
    );
  });

  it('is true for a malformed project name, so the tab can explain it', () => {
    expect(isLubanAvailable(entityWith({ 'luban.dev/project': 'Acme' }))).toBe(
      true,
    );
  });

  it('is false without the annotation', () => {
    expect(isLubanAvailable(entityWith({ 'luban.dev/app': 'ledger' }))).toBe(
      false,
    );
    expect(isLubanAvailable(entityWith(undefined))).toBe(false);
  });

  it('is false for an empty annotation, as the tabs guard counts it missing', () => {
    expect(isLubanAvailable(entityWith({ 'luban.dev/project': '' }))).toBe(
      false,
    );
  });
});

describe('isLubanAppAvailable', () => {
  it('is true for a Component of a luban project, false for the project System', () => {
    const component = entityWith({ 'luban.dev/project': 'acme' });
    expect(isLubanAppAvailable(component)).toBe(true);
    expect(isLubanAppAvailable({ ...component, kind: 'System' })).toBe(false);
    expect(isLubanAppAvailable(entityWith(undefined))).toBe(false);
  });
});

describe('missingLubanAnnotations', () => {
  it('asks only for the project where a project is enough', () => {
    expect(missingLubanAnnotations(entityWith(undefined), 'project')).toEqual([
      'luban.dev/project',
    ]);
    expect(
      missingLubanAnnotations(
        entityWith({ 'luban.dev/project': 'acme' }),
        'project',
      ),
    ).toEqual([]);
  });

  it('asks for the project and the app of a luban app, counting empty as missing', () => {
    expect(
      missingLubanAnnotations(
        entityWith({ 'luban.dev/project': 'acme', 'luban.dev/app': '' }),
        'app',
      ),
    ).toEqual(['luban.dev/app']);
    expect(missingLubanAnnotations(entityWith({}), 'app')).toEqual([
      'luban.dev/project',
      'luban.dev/app',
    ]);
  });
});
