import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** Examples shown in the scaffolder's action list, and run by the tests. */
export const examples: TemplateExample[] = [
  {
    description: "Create a project's Argo CD AppProject before its first app",
    example: yaml.stringify({
      steps: [
        {
          id: 'appProject',
          action: 'luban:argocd:project',
          name: 'Create the Argo CD project',
          input: { project: 'payments', gitopsRepoUrl: 'github.com?owner=payments&repo=payments-gitops' },
        },
      ],
    }),
  },
];
