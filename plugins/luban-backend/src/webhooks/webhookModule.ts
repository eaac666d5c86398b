import { createHmac, timingSafeEqual } from 'node:crypto';
import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { HttpBodyParser, RequestDetails, RequestValidationContext } from '@backstage/plugin-events-node';
import { eventsExtensionPoint } from '@backstage/plugin-events-node/alpha';
import { webhookTopic } from '@luban-backstage/plugin-luban-common';
import { readLubanConfig, webhookSecretOf } from '@luban-backstage/plugin-luban-node';

/**
 * The events topics (and `/api/events/http/<topic>` paths) git hosts deliver luban's pushes to.
 * @public
 */
export const LUBAN_WEBHOOK_TOPICS = { github: webhookTopic('github'), azure: webhookTopic('azure') } as const;

function header(request: RequestDetails, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Compares in constant time, so that a guess learns nothing from the answer's timing. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHmac('sha256', 'luban-compare').update(given).digest();
  const b = createHmac('sha256', 'luban-compare').update(expected).digest();
  return timingSafeEqual(a, b);
}

function reject(context: RequestValidationContext, message: string) {
  context.reject({ status: 401, payload: { message } });
}

/** GitHub signs the raw body with the webhook secret: `X-Hub-Signature-256: sha256=<hex hmac>`. */
export function gitHubSignatureValidator(secret: string) {
  return async (request: RequestDetails, context: RequestValidationContext) => {
    const signature = header(request, 'x-hub-signature-256');
    if (!signature) {
      reject(context, 'missing X-Hub-Signature-256');
      return;
    }
    const expected = `sha256=${createHmac('sha256', secret).update(request.raw.body).digest('hex')}`;
    if (!sameSecret(signature, expected)) reject(context, 'invalid signature');
  };
}

/** Azure DevOps service hooks send the shared secret as `Authorization: Bearer <secret>` (set by luban:webhook:register). */
export function azureDevOpsSecretValidator(secret: string) {
  return async (request: RequestDetails, context: RequestValidationContext) => {
    const authorization = header(request, 'authorization');
    const match = authorization ? /^Bearer (.+)$/.exec(authorization) : null;
    if (!match) {
      reject(context, 'missing Authorization');
      return;
    }
    if (!sameSecret(match[1], secret)) reject(context, 'invalid secret');
    // The headers travel on as the event's metadata: into debug logs and, with the
    // events bus, into its database. The secret must not go with them.
    delete request.headers.authorization;
  };
}

/** Deeper than any push payload nests; deep enough nesting overflows the stack of whoever serializes it next. */
const MAX_JSON_DEPTH = 64;

/** How deep a parsed JSON value nests (without recursion, so that a hostile body cannot overflow the stack here). */
function depthOf(value: unknown): number {
  let deepest = 0;
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length) {
    const [current, depth] = pending.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_JSON_DEPTH) return deepest;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * The events backend's JSON parser, except that a malformed body, or one
 * nested deep enough to overflow a serializer, is the sender's error (400),
 * not the server's (500).
 */
export const strictJsonBodyParser: HttpBodyParser = async (request, parsedMediaType, topic) => {
  const bodyBuffer = request.body;
  if (!Buffer.isBuffer(bodyBuffer)) throw new Error(`The body of an event for topic ${topic} was not read as raw bytes`);
  const encoding = parsedMediaType.parameters.charset ?? 'utf-8';
  if (!Buffer.isEncoding(encoding)) throw new InputError(`Unsupported charset: ${encoding}`);
  let bodyParsed: unknown;
  try {
    bodyParsed = JSON.parse(bodyBuffer.toString(encoding));
  } catch {
    throw new InputError(`The body of an event for topic ${topic} is not valid JSON`);
  }
  if (depthOf(bodyParsed) > MAX_JSON_DEPTH) {
    throw new InputError(`The body of an event for topic ${topic} nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  return { bodyParsed, bodyBuffer, encoding };
};

/**
 * Adds the events backend's HTTP endpoints for luban's push webhooks,
 * `/api/events/http/luban-github` and `/api/events/http/luban-azure`, each
 * authenticated with its provider's secret (`luban.webhooks.github.secret`,
 * `luban.webhooks.azure.secret`; 401 otherwise). A provider without a secret
 * gets no endpoint; a secret under 32 characters stops the backend at startup.
 * Own topics keep them apart from the GitHub and Azure DevOps events modules'
 * `github` and `azureDevOps` ingresses, which a Backstage may already use.
 * @public
 */
export const eventsModuleLubanWebhooks = createBackendModule({
  pluginId: 'events',
  moduleId: 'luban-webhooks',
  register(reg) {
    reg.registerInit({
      deps: { config: coreServices.rootConfig, events: eventsExtensionPoint, logger: coreServices.logger },
      async init({ config, events, logger }) {
        const luban = readLubanConfig(config);
        // A separate secret per provider: Azure DevOps sends its secret as it is, so it must not also sign GitHub's deliveries.
        const githubSecret = webhookSecretOf(luban, 'github');
        const azureSecret = webhookSecretOf(luban, 'azure');
        if (luban.webhooks.secret !== undefined) {
          logger.warn('luban.webhooks.secret is deprecated: set luban.webhooks.github.secret and luban.webhooks.azure.secret, each its own');
        }
        if (!githubSecret) logger.warn('luban.webhooks.github.secret is not set: luban does not accept GitHub push webhooks');
        if (!azureSecret) logger.warn('luban.webhooks.azure.secret is not set: luban does not accept Azure DevOps push webhooks');
        if (!githubSecret && !azureSecret) return;
        events.addHttpPostBodyParser({ contentType: 'application/json', parser: strictJsonBodyParser });
        if (githubSecret) {
          events.addHttpPostIngress({ topic: LUBAN_WEBHOOK_TOPICS.github, validator: gitHubSignatureValidator(githubSecret) });
        }
        if (azureSecret) {
          events.addHttpPostIngress({ topic: LUBAN_WEBHOOK_TOPICS.azure, validator: azureDevOpsSecretValidator(azureSecret) });
        }
      },
    });
  },
});
