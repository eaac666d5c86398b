/**
 * Service hooks: `webHooks`/`httpRequest` subscriptions to the `tfs`
 * publisher's `git.push` event, and their deliveries (POSTed JSON, basic
 * auth from the subscription, extra headers from its "HTTP headers" input).
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { invalidSubscription, subscriptionNotFound } from './errors';
import type { OrganizationState } from './model';
import { PULL_REQUEST_EVENT_TYPES } from './pullRequestHooks';

/** Event types the emulator publishes. */
export const SUPPORTED_EVENT_TYPES = ['git.push', ...PULL_REQUEST_EVENT_TYPES];

/** What the service shows instead of a stored password. */
const MASKED = '********';

/** A stored subscription. */
export interface SubscriptionState {
  id: string;
  organization: string;
  publisherId: string;
  eventType: string;
  resourceVersion: string;
  consumerId: string;
  consumerActionId: string;
  publisherInputs: Record<string, string>;
  consumerInputs: Record<string, string>;
  status: 'enabled' | 'disabledByUser';
  createdDate: string;
  modifiedDate: string;
  notificationCount: number;
}

/** One delivery attempt of an event to a subscriber, for tests. */
export interface DeliveryRecord {
  subscriptionId: string;
  notificationId: number;
  eventType: string;
  url: string;
  /** The request headers sent, `Authorization` included. */
  headers: Record<string, string>;
  /** The JSON body sent. */
  payload: Record<string, unknown>;
  /** The subscriber's HTTP status; absent when the request failed. */
  status?: number;
  error?: string;
  at: string;
}

/** An event ready to be delivered: who it concerns and how to render it per subscription. */
export interface HookEvent {
  eventType: string;
  projectId: string;
  repositoryId: string;
  /** Branch names (`main`) the event touched, for the `branch` filter. */
  branches: string[];
  render(
    subscription: SubscriptionState,
    notificationId: number,
  ): Record<string, unknown>;
}

function asStringMap(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => [k, String(v)]),
  );
}

/** Parses the "HTTP headers" input: one `Name: Value` per line. */
function parseHeaderLines(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of (text ?? '').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** Sends one JSON POST; resolves with the status or rejects with the network error. */
function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  insecure: boolean,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: 'POST',
        headers: {
          ...headers,
          'Content-Length': String(Buffer.byteLength(body)),
        },
        timeout: 10_000,
        ...(url.protocol === 'https:' && insecure
          ? { rejectUnauthorized: false }
          : {}),
      },
      res => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out after 10 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Subscriptions of every organization and the deliveries made to them. */
export class ServiceHooks {
  private readonly subscriptions = new Map<string, SubscriptionState>();
  private readonly delivered: DeliveryRecord[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  /** Forgets subscriptions and deliveries. */
  reset() {
    this.subscriptions.clear();
    this.delivered.length = 0;
  }

  /** Every delivery attempt so far, oldest first. */
  deliveries(): DeliveryRecord[] {
    return [...this.delivered];
  }

  /** Resolves when every delivery started so far has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Validates and stores a subscription (create, or replace when `id` is given). */
  save(
    organization: OrganizationState,
    body: Record<string, unknown>,
    projectExists: (id: string) => boolean,
    repositoryExists: (projectId: string, id: string) => boolean,
    id?: string,
  ): SubscriptionState {
    const publisherId = String(body.publisherId ?? '');
    const eventType = String(body.eventType ?? '');
    const consumerId = String(body.consumerId ?? '');
    const consumerActionId = String(body.consumerActionId ?? '');
    const publisherInputs = asStringMap(body.publisherInputs);
    const consumerInputs = asStringMap(body.consumerInputs);
    if (publisherId !== 'tfs')
      throw invalidSubscription(
        `The publisher '${publisherId}' does not exist.`,
      );
    if (!SUPPORTED_EVENT_TYPES.includes(eventType)) {
      throw invalidSubscription(
        `The event type '${eventType}' is not supported by publisher 'tfs' in this emulator.`,
      );
    }
    if (consumerId !== 'webHooks' || consumerActionId !== 'httpRequest') {
      throw invalidSubscription(
        `The consumer action '${consumerId}/${consumerActionId}' does not exist.`,
      );
    }
    const url = consumerInputs.url;
    if (!url || !/^https?:\/\//i.test(url)) {
      throw invalidSubscription(
        "The value of input 'url' is not valid: an absolute http or https URL is required.",
      );
    }
    if (
      !publisherInputs.projectId ||
      !projectExists(publisherInputs.projectId)
    ) {
      throw invalidSubscription(
        `The value of input 'projectId' is not valid: ${
          publisherInputs.projectId ?? ''
        }`,
      );
    }
    if (
      publisherInputs.repository &&
      !repositoryExists(publisherInputs.projectId, publisherInputs.repository)
    ) {
      throw invalidSubscription(
        `The value of input 'repository' is not valid: ${publisherInputs.repository}`,
      );
    }
    const existing = id ? this.get(organization, id) : undefined;
    if (existing && consumerInputs.basicAuthPassword === MASKED) {
      consumerInputs.basicAuthPassword =
        existing.consumerInputs.basicAuthPassword;
    }
    const now = new Date().toISOString();
    const subscription: SubscriptionState = {
      id: existing?.id ?? randomUUID(),
      organization: organization.name,
      publisherId,
      eventType,
      resourceVersion: String(body.resourceVersion ?? '1.0'),
      consumerId,
      consumerActionId,
      publisherInputs: {
        ...publisherInputs,
        tfsSubscriptionId:
          existing?.publisherInputs.tfsSubscriptionId ?? randomUUID(),
      },
      consumerInputs,
      status: body.status === 'disabledByUser' ? 'disabledByUser' : 'enabled',
      createdDate: existing?.createdDate ?? now,
      modifiedDate: now,
      notificationCount: existing?.notificationCount ?? 0,
    };
    this.subscriptions.set(subscription.id, subscription);
    return subscription;
  }

  /** A subscription of the organization, or 404. */
  get(organization: OrganizationState, id: string): SubscriptionState {
    const subscription = this.subscriptions.get(id.toLowerCase());
    if (!subscription || subscription.organization !== organization.name)
      throw subscriptionNotFound(id);
    return subscription;
  }

  /** The organization's subscriptions, optionally filtered as the list API filters. */
  list(
    organization: OrganizationState,
    filter: Record<string, string | null>,
  ): SubscriptionState[] {
    return [...this.subscriptions.values()].filter(
      s =>
        s.organization === organization.name &&
        (!filter.publisherId || s.publisherId === filter.publisherId) &&
        (!filter.eventType || s.eventType === filter.eventType) &&
        (!filter.consumerId || s.consumerId === filter.consumerId) &&
        (!filter.consumerActionId ||
          s.consumerActionId === filter.consumerActionId),
    );
  }

  /** Deletes a subscription, or 404. */
  remove(organization: OrganizationState, id: string) {
    this.subscriptions.delete(this.get(organization, id).id);
  }

  /** A subscription as the API returns it: the stored password masked. */
  toJson(
    subscription: SubscriptionState,
    organizationUrl: string,
    createdBy: Record<string, unknown>,
  ) {
    const consumerInputs = { ...subscription.consumerInputs };
    if (consumerInputs.basicAuthPassword)
      consumerInputs.basicAuthPassword = MASKED;
    const url = `${organizationUrl}/_apis/hooks/subscriptions/${subscription.id}`;
    return {
      id: subscription.id,
      url,
      _links: {
        self: { href: url },
        consumer: {
          href: `${organizationUrl}/_apis/hooks/consumers/${subscription.consumerId}`,
        },
        actions: {
          href: `${organizationUrl}/_apis/hooks/consumers/${subscription.consumerId}/actions`,
        },
        notifications: { href: `${url}/notifications` },
        publisher: {
          href: `${organizationUrl}/_apis/hooks/publishers/${subscription.publisherId}`,
        },
      },
      status: subscription.status,
      publisherId: subscription.publisherId,
      eventType: subscription.eventType,
      subscriber: null,
      resourceVersion: subscription.resourceVersion,
      eventDescription: subscription.publisherInputs.repository
        ? `Repository ${subscription.publisherInputs.repository}`
        : 'Any repository',
      consumerId: subscription.consumerId,
      consumerActionId: subscription.consumerActionId,
      actionDescription: `To host ${
        new URL(subscription.consumerInputs.url).host
      }`,
      probationRetries: 0,
      createdBy,
      createdDate: subscription.createdDate,
      modifiedBy: createdBy,
      modifiedDate: subscription.modifiedDate,
      publisherInputs: subscription.publisherInputs,
      consumerInputs,
    };
  }

  /** Delivers an event to every matching enabled subscription, in the background. */
  publish(organization: OrganizationState, event: HookEvent) {
    for (const subscription of this.subscriptions.values()) {
      if (!this.matches(subscription, organization, event)) continue;
      subscription.notificationCount += 1;
      const work = this.deliver(
        subscription,
        event,
        subscription.notificationCount,
      );
      this.inFlight.add(work);
      void work.finally(() => this.inFlight.delete(work));
    }
  }

  private matches(
    subscription: SubscriptionState,
    organization: OrganizationState,
    event: HookEvent,
  ) {
    const inputs = subscription.publisherInputs;
    const branch = (inputs.branch ?? '').replace(/^refs\/heads\//, '');
    return (
      subscription.organization === organization.name &&
      subscription.status === 'enabled' &&
      subscription.eventType === event.eventType &&
      inputs.projectId.toLowerCase() === event.projectId.toLowerCase() &&
      (!inputs.repository ||
        inputs.repository.toLowerCase() === event.repositoryId.toLowerCase()) &&
      (!branch || event.branches.includes(branch))
    );
  }

  private async deliver(
    subscription: SubscriptionState,
    event: HookEvent,
    notificationId: number,
  ) {
    const payload = event.render(subscription, notificationId);
    const inputs = subscription.consumerInputs;
    const headers: Record<string, string> = {
      'Content-Type': 'application/json; charset=utf-8',
      ...parseHeaderLines(inputs.httpHeaders),
    };
    if (inputs.basicAuthUsername || inputs.basicAuthPassword) {
      const credentials = `${inputs.basicAuthUsername ?? ''}:${
        inputs.basicAuthPassword ?? ''
      }`;
      headers.Authorization = `Basic ${Buffer.from(credentials).toString(
        'base64',
      )}`;
    }
    const record: DeliveryRecord = {
      subscriptionId: subscription.id,
      notificationId,
      eventType: event.eventType,
      url: inputs.url,
      headers,
      payload,
      at: new Date().toISOString(),
    };
    try {
      record.status = await post(
        new URL(inputs.url),
        headers,
        JSON.stringify(payload),
        inputs.acceptUntrustedCerts === 'true',
      );
    } catch (error) {
      record.error = error instanceof Error ? error.message : String(error);
    }
    this.delivered.push(record);
  }
}
