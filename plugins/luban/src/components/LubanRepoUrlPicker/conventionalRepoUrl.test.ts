import type { Entity } from '@backstage/catalog-model';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { conventionalRepoUrl, placeOfRepository } from './conventionalRepoUrl';

function systemWithGitOps(name: string, gitopsUrl: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'System',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'luban.dev/project': name,
        'luban.dev/gitops-repo': gitopsUrl,
      },
    },
    spec: { owner: 'group:default/team' },
  };
}

const catalogApi = catalogApiMock({
  entities: [
    systemWithGitOps(
      'payments',
      'http://127.0.0.1:7013/payments/payments-gitops',
    ),
    systemWithGitOps(
      'orders',
      'https://dev.azure.com/acme/orders/_git/orders-gitops',
    ),
    systemWithGitOps('elsewhere', 'https://git.example.com/x/elsewhere-gitops'),
  ],
});
const hosts = ['127.0.0.1:7013', 'dev.azure.com', 'github.com'];

describe('conventionalRepoUrl', () => {
  it("names a project's GitOps repository <project>-gitops, on the first host the picker offers", async () => {
    expect(
      await conventionalRepoUrl(
        { namedAfter: 'project-gitops', allowedHosts: hosts },
        { project: 'orders' },
        catalogApi,
      ),
    ).toBe('127.0.0.1:7013?repo=orders-gitops');
  });

  it("puts an app's repository beside its project's GitOps repository, named after the app", async () => {
    const app = {
      namedAfter: 'app',
      besideGitOpsOf: 'project',
      allowedHosts: hosts,
    };
    expect(
      await conventionalRepoUrl(
        app,
        { app: 'refunds', project: 'system:default/payments' },
        catalogApi,
      ),
    ).toBe('127.0.0.1:7013?owner=payments&repo=refunds');
    expect(
      await conventionalRepoUrl(
        app,
        { app: 'refunds', project: 'system:default/orders' },
        catalogApi,
      ),
    ).toBe(
      'dev.azure.com?owner=orders&organization=acme&project=orders&repo=refunds',
    );
  });

  it('falls back to the first offered host when the GitOps repository is on a host the picker does not offer', async () => {
    expect(
      await conventionalRepoUrl(
        { namedAfter: 'app', besideGitOpsOf: 'project', allowedHosts: hosts },
        { app: 'refunds', project: 'system:default/elsewhere' },
        catalogApi,
      ),
    ).toBe('127.0.0.1:7013?repo=refunds');
  });

  it('prefills nothing while the form has no name yet', async () => {
    expect(
      await conventionalRepoUrl(
        { namedAfter: 'app', allowedHosts: hosts },
        {},
        catalogApi,
      ),
    ).toBeUndefined();
  });
});

describe('placeOfRepository', () => {
  it('reads the owner of a GitHub URL and the organization and project of an Azure DevOps one', () => {
    expect(placeOfRepository('https://github.com/acme/acme-gitops')).toEqual({
      host: 'github.com',
      owner: 'acme',
    });
    expect(
      placeOfRepository('https://dev.azure.com/acme/shop/_git/shop-gitops'),
    ).toEqual({
      host: 'dev.azure.com',
      organization: 'acme',
      project: 'shop',
      owner: 'shop',
    });
    expect(placeOfRepository('not a url')).toBeUndefined();
  });
});
