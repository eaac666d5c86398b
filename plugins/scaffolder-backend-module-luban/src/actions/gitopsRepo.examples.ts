import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** Examples shown in the scaffolder's action list, and run by the tests. */
export const examples: TemplateExample[] = [
  {
    description: "Create a project's GitOps repository on GitHub, describing the project for the catalog (register it with catalog:register and the catalogInfoUrl output)",
    example: yaml.stringify({
      steps: [
        {
          id: 'gitopsRepo',
          action: 'luban:gitops:repo',
          name: 'Create the GitOps repository',
          input: {
            project: 'payments',
            gitopsRepoUrl: 'github.com?owner=payments&repo=payments-gitops',
            owner: 'group:default/payments-team',
            description: 'Payments: ledger, invoices and settlement',
          },
        },
      ],
    }),
  },
  {
    description: 'The same on Azure DevOps',
    example: yaml.stringify({
      steps: [
        {
          id: 'gitopsRepo',
          action: 'luban:gitops:repo',
          name: 'Create the GitOps repository',
          input: {
            project: 'payments',
            gitopsRepoUrl: 'dev.azure.com?organization=luban&project=payments&repo=payments-gitops',
            owner: 'payments-team',
          },
        },
      ],
    }),
  },
];
