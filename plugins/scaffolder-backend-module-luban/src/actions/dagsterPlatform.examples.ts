import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** Examples shown in the scaffolder's action list, and run by the tests. */
export const examples: TemplateExample[] = [
  {
    description: "Add a project's Dagster platform to its GitOps repository on GitHub",
    example: yaml.stringify({
      steps: [
        {
          id: 'platform',
          action: 'luban:dagster:platform',
          name: 'Add the Dagster platform',
          input: {
            project: 'payments',
            gitopsRepoUrl: 'github.com?owner=payments&repo=payments-gitops',
            owner: 'group:default/payments-team',
            domainSuffix: 'apps.example.com',
          },
        },
      ],
    }),
  },
  {
    description: 'The same on Azure DevOps, with the images of an internal registry mirror',
    example: yaml.stringify({
      steps: [
        {
          id: 'platform',
          action: 'luban:dagster:platform',
          name: 'Add the Dagster platform',
          input: {
            project: 'payments',
            gitopsRepoUrl: 'dev.azure.com?organization=luban&project=payments&repo=payments-gitops',
            owner: 'payments-team',
            domainSuffix: 'apps.example.com',
            dagsterImage: 'mirror.example.com/dagster/dagster-celery-k8s:1.13.27',
            postgresImage: 'mirror.example.com/library/postgres:16',
          },
        },
      ],
    }),
  },
];
