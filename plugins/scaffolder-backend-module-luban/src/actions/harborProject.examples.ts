import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** Examples shown in the scaffolder's action list, and run by the tests. */
export const examples: TemplateExample[] = [
  {
    description: 'Create the Harbor project and its robot account, and the pull secret in every project namespace',
    example: yaml.stringify({
      steps: [
        {
          id: 'harbor',
          action: 'luban:harbor:project',
          name: 'Create the Harbor project',
          input: { project: 'payments' },
        },
      ],
    }),
  },
];
