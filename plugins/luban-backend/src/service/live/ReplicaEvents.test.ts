import { mockServices } from '@backstage/backend-test-utils';
import { DefaultEventsService } from '@backstage/plugin-events-node';
import { GITOPS_CHANGED_TOPIC, ReplicaEvents, type GitopsChange } from './ReplicaEvents';

// The events bus between processes is exercised by replicas.postgres.test.ts; here, what each replica makes of an event.
describe('ReplicaEvents', () => {
  const setUp = () => {
    const logger = mockServices.logger.mock();
    const events = DefaultEventsService.create({ logger }).forPlugin('luban');
    return { logger, events, replica: new ReplicaEvents({ events, logger }) };
  };

  it('subscribes each replica under an id of its own, so that the bus gives every replica every change', () => {
    const { events, logger } = setUp();
    const ids = new Set(Array.from({ length: 20 }, () => new ReplicaEvents({ events, logger }).subscriberId));
    expect(ids.size).toBe(20);
    expect([...ids].every(id => /^replica-[0-9a-f]{16}$/.test(id))).toBe(true);
  });

  it('hands a published change to the replica that published it, at once', async () => {
    const { replica } = setUp();
    const heard: GitopsChange[] = [];
    await replica.subscribe(change => {
      heard.push(change);
    });

    await replica.gitopsChanged({ repositoryUrl: 'https://github.example.com/payments/payments-gitops', reason: 'push' });

    expect(heard).toEqual([{ repositoryUrl: 'https://github.example.com/payments/payments-gitops', reason: 'push' }]);
  });

  it('ignores, with a warning, an event on its topic that is not a change it knows', async () => {
    const { replica, events, logger } = setUp();
    const heard: GitopsChange[] = [];
    await replica.subscribe(change => {
      heard.push(change);
    });

    await events.publish({ topic: GITOPS_CHANGED_TOPIC, eventPayload: { repositoryUrl: 'https://x.example/r', reason: 'rm -rf' } });
    await events.publish({ topic: GITOPS_CHANGED_TOPIC, eventPayload: { reason: 'push' } });

    expect(heard).toEqual([]);
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(logger.warn).toHaveBeenCalledWith('luban ignored a malformed replica event', { topic: GITOPS_CHANGED_TOPIC });
  });
});
