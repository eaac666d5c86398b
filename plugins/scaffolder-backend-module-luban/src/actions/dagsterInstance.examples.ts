import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** Examples shown in the scaffolder's action list, and run by the tests. */
export const examples: TemplateExample[] = [
  {
    description: "Prepare every environment namespace of a project for its Dagster platform",
    example: yaml.stringify({
      steps: [
        {
          id: 'instance',
          action: 'luban:dagster:instance',
          name: 'Prepare the namespaces for Dagster',
          input: { project: 'payments' },
        },
      ],
    }),
  },
];
