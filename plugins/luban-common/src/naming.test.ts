import {
  APP_NAME_MAX_LENGTH,
  PROJECT_NAME_MAX_LENGTH,
  argoCdApplicationName,
  ciNamespaceName,
  deriveProjectNames,
  environmentNamespaceName,
  findNameProblem,
  gitopsOverlayPath,
  imageRepository,
  isValidName,
  promotionBranchName,
} from './naming';

describe('findNameProblem', () => {
  const validProjectNames = [
    'a',
    'acme',
    'payments',
    'team-a',
    'data-platform',
    'x1',
    'a1b2c3',
    'ml-ops-2',
    'a-b-c-d',
    'a--b',
    'z'.repeat(PROJECT_NAME_MAX_LENGTH),
    `p${'0'.repeat(PROJECT_NAME_MAX_LENGTH - 1)}`,
  ];

  it.each(validProjectNames)('accepts project name %j', name => {
    expect(findNameProblem('project', name)).toBeUndefined();
    expect(isValidName('project', name)).toBe(true);
  });

  const invalidProjectNames: Array<[unknown, RegExp]> = [
    ['', /must not be empty/],
    ['Acme', /must be lowercase: use "acme"/],
    ['ACME', /must be lowercase/],
    ['team_a', /contains '_'/],
    ['team.a', /contains '\.'/],
    ['team a', /contains a space \(U\+0020\)/],
    [' acme', /contains a space/],
    ['acme ', /contains a space/],
    ['acme\n', /contains the control character U\+000A/],
    ['acme\t', /contains the control character U\+0009/],
    ['1acme', /must start with a letter/],
    ['-acme', /must start with a letter/],
    ['acme-', /must end with a letter or a digit/],
    ['9', /must start with a letter/],
    ['z'.repeat(PROJECT_NAME_MAX_LENGTH + 1), /31 characters long; the limit is 30/],
    ['acme/../etc', /contains '\/'/],
    ['$(whoami)', /contains '\$'/],
    ['acme;rm', /contains ';'/],
    ['acme`id`', /contains '`'/],
    ['ac\u0430me', /'а' \(U\+0430, not ASCII\)/], // Cyrillic a
    ['acme\u00a0', /a space \(U\+00A0\)/], // non-breaking space
    ['acmé', /'é' \(U\+00E9, not ASCII\)/],
    ['acme\u200b', /U\+200B, not ASCII/], // zero-width space
    ['acme*', /contains '\*'/],
    ['acme:1', /contains ':'/],
    [undefined, /must be a string, got undefined/],
    [null, /must be a string, got null/],
    [42, /must be a string, got number/],
    [{ name: 'acme' }, /must be a string, got object/],
  ];

  it.each(invalidProjectNames)('rejects project name %j', (name, message) => {
    const problem = findNameProblem('project', name);
    expect(problem).toMatch(/^The project name/);
    expect(problem).toMatch(message);
    expect(isValidName('project', name)).toBe(false);
  });

  it('limits app names separately from project names', () => {
    expect(findNameProblem('app', 'a'.repeat(APP_NAME_MAX_LENGTH))).toBeUndefined();
    expect(findNameProblem('app', 'a'.repeat(APP_NAME_MAX_LENGTH + 1))).toMatch(
      /^The app name .* is 41 characters long; the limit is 40, because kpack build pods/,
    );
  });

  it.each(['snd', 'prd', 'qa', 'staging', 'uat1', 'production'])(
    'accepts environment name %j',
    name => expect(findNameProblem('environment', name)).toBeUndefined(),
  );

  it.each<[string, RegExp]>([
    ['ci', /reserved for the build namespace/],
    ['production1', /"production1" is 11 characters long; the limit is 10/],
    ['Prd', /must be lowercase/],
    ['prd_1', /contains '_'/],
  ])('rejects environment name %j', (name, message) => {
    expect(findNameProblem('environment', name)).toMatch(message);
  });

  it('shortens very long values in messages', () => {
    const problem = findNameProblem('project', 'x'.repeat(500));
    expect(problem).toContain('…');
    expect(problem!.length).toBeLessThan(250);
  });
});

describe('derived names', () => {
  it('builds the namespaces of a project', () => {
    expect(ciNamespaceName('acme')).toBe('ci-acme');
    expect(environmentNamespaceName('snd', 'acme')).toBe('snd-acme');
    expect(environmentNamespaceName('prd', 'acme', 'acme-{env}')).toBe('acme-prd');
  });

  it('keeps every derived namespace a valid DNS-1123 label at the limits', () => {
    const project = 'p'.repeat(PROJECT_NAME_MAX_LENGTH);
    const names = deriveProjectNames(project, [{ name: 'x'.repeat(10) }]);
    for (const ns of [names.ciNamespace, ...Object.values(names.environmentNamespaces)]) {
      expect(ns).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
      expect(ns.length).toBeLessThanOrEqual(63);
    }
  });

  it('derives every platform name of a project', () => {
    expect(
      deriveProjectNames('acme', [{ name: 'snd' }, { name: 'prd' }]),
    ).toEqual({
      project: 'acme',
      ciNamespace: 'ci-acme',
      environmentNamespaces: { snd: 'snd-acme', prd: 'prd-acme' },
      harborProject: 'acme',
      gitopsRepository: 'acme-gitops',
      argoCdProject: 'acme',
    });
  });

  it('builds image, overlay, Argo CD and promotion names', () => {
    expect(imageRepository('https://harbor.example.com/', 'acme', 'api')).toBe(
      'harbor.example.com/acme/api',
    );
    expect(gitopsOverlayPath('api', 'prd')).toBe(
      'apps/api/overlays/prd/kustomization.yaml',
    );
    expect(argoCdApplicationName('snd', 'acme', 'api')).toBe('snd-acme-api');
    expect(
      promotionBranchName('api', 'prd', `sha256:${'ab12'.repeat(16)}`),
    ).toBe('luban/promote/api/prd/ab12ab12ab12');
  });
});
