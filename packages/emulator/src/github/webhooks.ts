import { createHmac, randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { SerialQueues } from '../serialQueues';
import {
  GHES_VERSION,
  timestamp,
  type DeliveryRecord,
  type HookRecord,
  type RepoRecord,
} from './model';

/** How long GitHub waits for a webhook receiver. */
const DELIVERY_TIMEOUT_MS = 10_000;
/** How much of a receiver's answer a delivery keeps. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/** The result of one HTTP POST to a receiver. */
interface PostResult {
  statusCode: number;
  status: string;
  headers: Record<string, string>;
  payload: string | null;
}

function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  verifyTls: boolean,
): Promise<PostResult> {
  return new Promise(resolve => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({
        statusCode: 0,
        status: 'Invalid URL',
        headers: {},
        payload: null,
      });
      return;
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: 'POST',
        headers: {
          ...headers,
          'Content-Length': String(Buffer.byteLength(body)),
        },
        timeout: DELIVERY_TIMEOUT_MS,
        ...(target.protocol === 'https:'
          ? { rejectUnauthorized: verifyTls }
          : {}),
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
        });
        res.on('end', () => {
          const statusCode = res.statusCode ?? 0;
          const responseHeaders: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined)
              responseHeaders[name] = Array.isArray(value)
                ? value.join(', ')
                : value;
          }
          resolve({
            statusCode,
            status:
              statusCode >= 200 && statusCode < 300
                ? 'OK'
                : `Invalid HTTP Response: ${statusCode}`,
            headers: responseHeaders,
            payload: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('error', () =>
          resolve({
            statusCode: res.statusCode ?? 0,
            status: 'failed to read response',
            headers: {},
            payload: null,
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', error =>
      resolve({
        statusCode: 0,
        status: `failed to connect to host: ${error.message}`,
        headers: {},
        payload: null,
      }),
    );
    req.end(body);
  });
}

/** Whether a hook wants an event (`*` subscribes to everything). */
export function subscribes(hook: HookRecord, event: string): boolean {
  // ping goes to every hook, whatever it subscribed to.
  return (
    hook.active &&
    (event === 'ping' ||
      hook.events.includes(event) ||
      hook.events.includes('*'))
  );
}

/**
 * Delivers webhook events the way GitHub's Hookshot does: signed POSTs, in
 * order per hook, in the background, recording every attempt. A receiver that
 * is down or slow never holds up the API call that caused the event.
 */
export class WebhookSender {
  private readonly records: DeliveryRecord[] = [];
  private readonly queues = new SerialQueues<number>();
  private nextId = 1;

  constructor(private readonly enterpriseHost: string) {}

  /** Queues an event for every active hook of the repository that subscribes to it (or only `only`). */
  send(
    repo: RepoRecord,
    event: string,
    action: string | null,
    payload: unknown,
    only?: HookRecord,
  ): void {
    for (const hook of only ? [only] : repo.hooks) {
      if (only ? hook.id !== only.id : !subscribes(hook, event)) continue;
      this.enqueue(repo, hook, event, action, payload, randomUUID(), false);
    }
  }

  /** Sends a recorded delivery again (`POST .../deliveries/{id}/attempts`). */
  redeliver(
    repo: RepoRecord,
    hook: HookRecord,
    delivery: DeliveryRecord,
  ): void {
    this.enqueue(
      repo,
      hook,
      delivery.event,
      delivery.action,
      delivery.request.payload,
      delivery.guid,
      true,
    );
  }

  private enqueue(
    repo: RepoRecord,
    hook: HookRecord,
    event: string,
    action: string | null,
    payload: unknown,
    guid: string,
    redelivery: boolean,
  ) {
    // A delivery never fails the queue: the receiver's failure is recorded, not thrown.
    void this.queues.enqueue(hook.id, () =>
      this.deliver(repo, hook, event, action, payload, guid, redelivery),
    );
  }

  private async deliver(
    repo: RepoRecord,
    hook: HookRecord,
    event: string,
    action: string | null,
    payload: unknown,
    guid: string,
    redelivery: boolean,
  ): Promise<void> {
    const json = JSON.stringify(payload);
    const form = hook.config.content_type === 'form';
    const body = form ? `payload=${encodeURIComponent(json)}` : json;
    const headers: Record<string, string> = {
      Accept: '*/*',
      'User-Agent': 'GitHub-Hookshot/emulator',
      'Content-Type': form
        ? 'application/x-www-form-urlencoded'
        : 'application/json',
      'X-GitHub-Event': event,
      'X-GitHub-Delivery': guid,
      'X-GitHub-Hook-ID': String(hook.id),
      'X-GitHub-Hook-Installation-Target-ID': String(repo.id),
      'X-GitHub-Hook-Installation-Target-Type': 'repository',
      'X-GitHub-Enterprise-Host': this.enterpriseHost,
      'X-GitHub-Enterprise-Version': `${GHES_VERSION}.0`,
    };
    if (hook.config.secret) {
      headers['X-Hub-Signature'] = `sha1=${createHmac(
        'sha1',
        hook.config.secret,
      )
        .update(body)
        .digest('hex')}`;
      headers['X-Hub-Signature-256'] = `sha256=${createHmac(
        'sha256',
        hook.config.secret,
      )
        .update(body)
        .digest('hex')}`;
    }
    const started = Date.now();
    const result = await post(
      hook.config.url,
      body,
      headers,
      hook.config.insecure_ssl !== '1',
    );
    const record: DeliveryRecord = {
      id: this.nextId++,
      guid,
      hookId: hook.id,
      repositoryId: repo.id,
      repository: `${repo.owner.login}/${repo.name}`,
      event,
      action,
      url: hook.config.url,
      deliveredAt: timestamp(new Date(started)),
      redelivery,
      duration: (Date.now() - started) / 1000,
      status: result.status,
      statusCode: result.statusCode,
      request: { headers, payload, body },
      response: { headers: result.headers, payload: result.payload },
    };
    this.records.push(record);
    hook.lastResponse = {
      code: result.statusCode || null,
      status:
        result.statusCode >= 200 && result.statusCode < 300
          ? 'active'
          : 'failed',
      message: result.status,
    };
  }

  /** Every delivery attempt so far, oldest first. */
  deliveries(): DeliveryRecord[] {
    return [...this.records];
  }

  /** Resolves once every queued delivery has been attempted. */
  async idle(): Promise<void> {
    await this.queues.idle();
  }

  /** Forgets recorded deliveries (queued ones still go out). */
  reset(): void {
    this.records.length = 0;
  }
}
