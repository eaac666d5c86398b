import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** Examples shown in the scaffolder's action list, and run by the tests. */
export const examples: TemplateExample[] = [
  {
    description: 'Build an app from the main branch of its GitHub repository',
    example: yaml.stringify({
      steps: [
        {
          id: 'image',
          action: 'luban:kpack:image',
          name: 'Create the kpack Image',
          input: { project: 'payments', app: 'ledger-api', sourceRepoUrl: 'github.com?owner=payments&repo=ledger-api' },
        },
      ],
    }),
  },
  {
    description: 'Build an app that lives in a sub-folder of an Azure DevOps repository, from a release branch',
    example: yaml.stringify({
      steps: [
        {
          id: 'image',
          action: 'luban:kpack:image',
          name: 'Create the kpack Image',
          input: {
            project: 'payments',
            app: 'ledger-worker',
            sourceRepoUrl: 'dev.azure.com?organization=luban&project=payments&repo=ledger',
            branch: 'release',
            subPath: 'worker',
          },
        },
      ],
    }),
  },
];
