import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** Examples shown in the scaffolder's action list, and run by the tests. */
export const examples: TemplateExample[] = [
  {
    description: "Send the source repository's pushes to Backstage, so that every push builds",
    example: yaml.stringify({
      steps: [
        {
          id: 'webhook',
          action: 'luban:webhook:register',
          name: 'Register the push webhook',
          input: { repoUrl: 'github.com?owner=payments&repo=ledger-api' },
        },
      ],
    }),
  },
];
