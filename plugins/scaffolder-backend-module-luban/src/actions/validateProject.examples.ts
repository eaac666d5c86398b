import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** Examples shown in the scaffolder's action list, and run by the tests. */
export const examples: TemplateExample[] = [
  {
    description: 'Check a project name and show the names luban will create for it',
    example: yaml.stringify({
      steps: [
        {
          id: 'names',
          action: 'luban:project:validate',
          name: 'Check the project name',
          input: { project: 'payments' },
        },
      ],
    }),
  },
  {
    description: 'Check a project and the app names that will live in it',
    example: yaml.stringify({
      steps: [
        {
          id: 'names',
          action: 'luban:project:validate',
          name: 'Check the project and app names',
          input: { project: 'payments', apps: ['ledger-api', 'ledger-worker'] },
        },
      ],
    }),
  },
  {
    description: "Check a project, an app and the app's source repository, and find the project GitOps repository next to it",
    example: yaml.stringify({
      steps: [
        {
          id: 'names',
          action: 'luban:project:validate',
          name: 'Check the names and repositories',
          input: {
            project: 'payments',
            apps: ['ledger-api'],
            sourceRepoUrl: 'dev.azure.com?organization=luban&project=payments&repo=ledger-api',
          },
        },
      ],
    }),
  },
];
