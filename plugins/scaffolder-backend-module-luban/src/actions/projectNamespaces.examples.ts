import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** Examples shown in the scaffolder's action list, and run by the tests. */
export const examples: TemplateExample[] = [
  {
    description: 'Create the ci, snd and prd namespaces of a project for its owner group',
    example: yaml.stringify({
      steps: [
        {
          id: 'namespaces',
          action: 'luban:project:namespaces',
          name: 'Create namespaces',
          input: { project: 'payments', owner: 'group:default/payments-team' },
        },
      ],
    }),
  },
  {
    description: 'Only the sandbox environment, with a larger quota',
    example: yaml.stringify({
      steps: [
        {
          id: 'namespaces',
          action: 'luban:project:namespaces',
          name: 'Create the sandbox namespace',
          input: {
            project: 'analytics',
            owner: 'group:default/data-team',
            environments: ['snd'],
            quota: { 'requests.cpu': '8', 'requests.memory': '32Gi' },
          },
        },
      ],
    }),
  },
];
