import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** Examples shown in the scaffolder's action list, and run by the tests. */
export const examples: TemplateExample[] = [
  {
    description: 'Add an app to the project GitOps repository on GitHub (created when missing)',
    example: yaml.stringify({
      steps: [
        {
          id: 'gitops',
          action: 'luban:gitops:app',
          name: 'Add the app to GitOps',
          input: { project: 'payments', app: 'ledger-api', gitopsRepoUrl: 'github.com?owner=payments&repo=payments-gitops' },
        },
      ],
    }),
  },
  {
    description: 'The same on Azure DevOps, for an app listening on port 3000',
    example: yaml.stringify({
      steps: [
        {
          id: 'gitops',
          action: 'luban:gitops:app',
          name: 'Add the app to GitOps',
          input: {
            project: 'payments',
            app: 'ledger-worker',
            gitopsRepoUrl: 'dev.azure.com?organization=luban&project=payments&repo=payments-gitops',
            port: 3000,
          },
        },
      ],
    }),
  },
];
