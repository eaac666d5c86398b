import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** Examples shown in the scaffolder's action list, and run by the tests. */
export const examples: TemplateExample[] = [
  {
    description: 'Deploy an app from the project GitOps repository to every environment',
    example: yaml.stringify({
      steps: [
        {
          id: 'argocd',
          action: 'luban:argocd:app',
          name: 'Create the Argo CD applications',
          input: {
            project: 'payments',
            app: 'ledger-api',
            gitopsRepoUrl: 'github.com?owner=payments&repo=payments-gitops',
          },
        },
      ],
    }),
  },
];
