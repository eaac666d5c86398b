import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** Examples shown in the scaffolder's action list, and run by the tests. */
export const examples: TemplateExample[] = [
  {
    description: "Register a code location with its project's Dagster platform, in every environment",
    example: yaml.stringify({
      steps: [
        {
          id: 'location',
          action: 'luban:dagster:location',
          name: 'Register the code location',
          input: { project: 'payments', app: 'ledger-pipelines', gitopsRepoUrl: 'github.com?owner=payments&repo=payments-gitops' },
        },
      ],
    }),
  },
];
