import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { webhookTopic } from '@luban-backstage/plugin-luban-common';
import { webhookSecretOf, type GitProviders, type LubanConfig } from '@luban-backstage/plugin-luban-node';
import { examples } from './webhookRegister.examples';
import * as fields from './inputProperties';
import { step } from './step';

/**
 * `luban:webhook:register`: the source repository's push and pull-request webhook to
 * Backstage's events endpoint (`<target>/luban-github` or `<target>/luban-azure`,
 * where luban's events module checks the secret),
 * authenticated with that host's configured secret (the one the events
 * module checks), registered once.
 */
export function createWebhookRegisterAction(options: { git: GitProviders; settings: LubanConfig['webhooks'] }) {
  return createTemplateAction({
    id: 'luban:webhook:register',
    description:
      "Registers the source repository's push and pull-request webhook to Backstage's events endpoint on GitHub or Azure DevOps, with the host's secret (luban.webhooks.github.secret or luban.webhooks.azure.secret).",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        repoUrl: z => z.string().describe('The source repository, as a URL or in the RepoUrlPicker form.'),
      },
      output: {
        target: z => z.string().describe('Where the pushes are delivered.'),
        result: fields.result,
      },
    },
    async handler(ctx) {
      const repo = options.git.parse(ctx.input.repoUrl);
      const provider = options.git.forRepository(repo);
      const { targetBaseUrl } = options.settings;
      // The same secret (and length rule) the events module checks deliveries with.
      const secret = webhookSecretOf({ webhooks: options.settings }, repo.provider);
      if (!secret) {
        throw new InputError(
          `luban:webhook:register needs luban.webhooks.${repo.provider}.secret in the app configuration: unauthenticated webhooks are refused`,
        );
      }
      if (!/^https?:\/\//.test(targetBaseUrl)) {
        throw new InputError('luban:webhook:register needs luban.webhooks.targetBaseUrl (or backend.baseUrl): where git hosts deliver pushes');
      }
      const target = `${targetBaseUrl.replace(/\/+$/, '')}/${webhookTopic(repo.provider)}`;
      const outcome = await step(ctx, `luban.webhook.${repo.webUrl}.${target}`, async dryRun => ({
        // registerWebhook has no dry run: a dry run says only that it would register one.
        // Pull requests too: previews build and deploy a pull request's head (apps not opted in ignore them).
        results: {
          [`Push and pull-request webhook on ${repo.webUrl} to ${target}`]: dryRun
            ? 'registered'
            : await provider.registerWebhook(repo, { url: target, secret, events: ['push', 'pull_request'] }),
        },
      }));
      const result = Object.values(outcome.results)[0];
      ctx.output('target', target);
      ctx.output('result', result);
    },
  });
}
