import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { parseRepoLocation, siblingRepository } from './repoLocation';

const integrations = ScmIntegrations.fromConfig(
  new ConfigReader({
    integrations: {
      github: [{ host: 'github.com', token: 't' }, { host: '127.0.0.1:7013', apiBaseUrl: 'http://127.0.0.1:7013/api/v3', token: 't' }],
      azure: [{ host: 'dev.azure.com', credentials: [{ personalAccessToken: 'p' }] }],
      gitlab: [{ host: 'gitlab.com', token: 'x' }],
    },
  }),
);

describe('parseRepoLocation', () => {
  it.each([
    ['https://github.com/acme/api', { provider: 'github', owner: 'acme', repo: 'api', cloneUrl: 'https://github.com/acme/api.git' }],
    ['https://github.com/acme/api.git', { owner: 'acme', repo: 'api', webUrl: 'https://github.com/acme/api' }],
    ['github.com?owner=acme&repo=api', { provider: 'github', owner: 'acme', repo: 'api' }],
    ['127.0.0.1:7013?owner=acme&repo=api', { cloneUrl: 'http://127.0.0.1:7013/acme/api.git' }],
    [
      'https://dev.azure.com/luban/platform/_git/api',
      { provider: 'azure', organization: 'luban', project: 'platform', repo: 'api', cloneUrl: 'https://dev.azure.com/luban/platform/_git/api' },
    ],
    ['https://org@dev.azure.com/luban/platform/_git/api', { organization: 'luban', repo: 'api' }],
    ['dev.azure.com?organization=luban&project=platform&repo=api', { project: 'platform', repo: 'api' }],
  ])('parses %s', (input, expected) => {
    expect(parseRepoLocation(input, integrations)).toMatchObject(expected);
  });

  it.each([
    ['https://evil.example.com/acme/api', "host 'evil.example.com' is not configured under integrations.github or integrations.azure"],
    ['http://169.254.169.254/latest/meta-data', "host '169.254.169.254' is not configured"],
    ['https://gitlab.com/acme/api', 'gitlab hosts are not supported'],
    ['file:///etc/passwd', 'only http(s) URLs are supported'],
    ['github.com?owner=acme', "the repository '' is missing"],
    ['github.com?owner=..&repo=api', "the owner '..' is missing or not a valid name"],
    ['github.com?owner=acme&repo=$(id)', "the repository '$(id)' is missing or not a valid name"],
    ['https://github.com/acme/api/tree/main', 'is not a GitHub repository URL'],
    ['https://dev.azure.com/luban/platform/api', 'is not an Azure DevOps repository URL'],
    ['https://github.com:99999/a/b', 'is not a valid URL'],
  ])('rejects %s', (input, message) => {
    expect(() => parseRepoLocation(input, integrations)).toThrow(message);
  });

  it('names sibling repositories', () => {
    const source = parseRepoLocation('https://dev.azure.com/luban/platform/_git/api', integrations);
    expect(siblingRepository(source, 'payments-gitops').cloneUrl).toBe('https://dev.azure.com/luban/platform/_git/payments-gitops');
    const github = parseRepoLocation('github.com?owner=acme&repo=api', integrations);
    expect(siblingRepository(github, 'acme-gitops')).toMatchObject({ repo: 'acme-gitops', cloneUrl: 'https://github.com/acme/acme-gitops.git' });
  });
});
