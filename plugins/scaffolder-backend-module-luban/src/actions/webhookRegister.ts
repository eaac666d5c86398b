import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { webhookTopic } from '@luban-backstage/plugin-luban-common';
import type { GitProviders } from '@luban-backstage/plugin-luban-node';
import { examples } from './webhookRegister.examples';

/** Where git hosts deliver pushes, and the secret that authenticates them (`luban.webhooks`). */
export interface WebhookSettings {
  /** Backstage's events endpoint as the git hosts reach it, e.g. `https://backstage.example.com/api/events/http`. */
  targetBaseUrl: string;
  secret: string | undefined;
}

/**
 * `luban:webhook:register`: the source repository's push webhook to
 * Backstage's events endpoint (`<target>/luban-github` or `<target>/luban-azure`,
 * where luban's events module checks the secret),
 * authenticated with the configured secret, registered once.
 */
export function createWebhookRegisterAction(options: { git: GitProviders; settings: WebhookSettings }) {
  return createTemplateAction({
    id: 'luban:webhook:register',
    description:
      "Registers the source repository's push webhook to Backstage's events endpoint on GitHub or Azure DevOps, with the secret from luban.webhooks.secret.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        repoUrl: z => z.string().describe('The source repository, as a URL or in the RepoUrlPicker form.'),
      },
      output: {
        target: z => z.string().describe('Where the pushes are delivered.'),
        result: z => z.string().describe('created, updated or unchanged.'),
      },
    },
    async handler(ctx) {
      const repo = options.git.parse(ctx.input.repoUrl);
      const { secret, targetBaseUrl } = options.settings;
      if (!secret) {
        throw new InputError('luban:webhook:register needs luban.webhooks.secret in the app configuration: unauthenticated webhooks are refused');
      }
      if (!/^https?:\/\//.test(targetBaseUrl)) {
        throw new InputError('luban:webhook:register needs luban.webhooks.targetBaseUrl (or backend.baseUrl): where git hosts deliver pushes');
      }
      const target = `${targetBaseUrl.replace(/\/+$/, '')}/${webhookTopic(repo.provider)}`;
      const provider = options.git.forRepository(repo);
      if (ctx.isDryRun) {
        ctx.logger.info(`Would register a push webhook on ${repo.webUrl} to ${target}`);
        ctx.output('target', target);
        ctx.output('result', 'would be registered');
        return;
      }
      const result = await ctx.checkpoint({
        key: `luban.webhook.${repo.webUrl}.${target}`,
        fn: () => provider.registerWebhook(repo, { url: target, secret, events: ['push'] }),
      });
      ctx.logger.info(`Push webhook on ${repo.webUrl} to ${target}: ${result}`);
      ctx.output('target', target);
      ctx.output('result', result);
    },
  });
}
