import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** Examples shown in the scaffolder's action list, and run by the tests. */
export const examples: TemplateExample[] = [
  {
    description: 'Add an app to the project GitOps repository on GitHub (created when missing)',
    example: yaml.stringify({
      steps: [
        {
          id: 'gitops',
          action: 'luban:gitops:app',
          name: 'Add the app to GitOps',
          input: { project: 'payments', app: 'ledger-api', gitopsRepoUrl: 'github.com?owner=payments&repo=payments-gitops' },
        },
      ],
    }),
  },
  {
    description: 'The same on Azure DevOps, for an app listening on port 3000',
    example: yaml.stringify({
      steps: [
        {
          id: 'gitops',
          action: 'luban:gitops:app',
          name: 'Add the app to GitOps',
          input: {
            project: 'payments',
            app: 'ledger-worker',
            gitopsRepoUrl: 'dev.azure.com?organization=luban&project=payments&repo=payments-gitops',
            port: 3000,
          },
        },
      ],
    }),
  },
  {
    description:
      'A Dagster code server: gRPC on port 3000, started through the buildpack launcher, with its own image reference in DAGSTER_CURRENT_IMAGE for the runs it launches',
    example: yaml.stringify({
      steps: [
        {
          id: 'gitops',
          action: 'luban:gitops:app',
          name: 'Add the code location to GitOps',
          input: {
            project: 'payments',
            app: 'ledger-pipelines',
            gitopsRepoUrl: 'github.com?owner=payments&repo=payments-gitops',
            port: 3000,
            protocol: 'grpc',
            command: ['/cnb/lifecycle/launcher'],
            args: ['dagster', 'code-server', 'start', '-h', '0.0.0.0', '-p', '3000', '-m', 'ledger_pipelines.definitions'],
            env: { DAGSTER_HOME: '/tmp' },
            imageEnv: 'DAGSTER_CURRENT_IMAGE',
          },
        },
      ],
    }),
  },
];
