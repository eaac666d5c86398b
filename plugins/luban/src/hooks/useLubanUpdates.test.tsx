import { TestApiProvider } from '@backstage/frontend-test-utils';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { act, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { fakeSignalApi } from '../components/shared/__testUtils__';
import { FALLBACK_POLL_MS, useLubanUpdates } from './useLubanUpdates';

const entityRef = 'component:default/ledger-api';
const channel = 'luban:component:default/ledger-api';

describe('useLubanUpdates', () => {
  describe('with the signals plugin', () => {
    function renderWithSignals(onSignal?: jest.Mock) {
      const signals = fakeSignalApi();
      const wrapper = ({ children }: { children: ReactNode }) => (
        <TestApiProvider apis={[[signalApiRef, signals.api]]}>
          {children}
        </TestApiProvider>
      );
      const hook = renderHook(
        () => useLubanUpdates(entityRef, ['build'], { onSignal }),
        { wrapper },
      );
      return { signals, hook };
    }

    it("counts the wanted signals on the entity's channel", () => {
      const onSignal = jest.fn();
      const { signals, hook } = renderWithSignals(onSignal);
      expect(hook.result.current).toBe(0);

      const message = {
        type: 'build',
        build: 'ledger-api-build-13',
        status: 'running',
      } as const;
      signals.publish(channel, message);
      signals.publish(channel, { ...message, status: 'succeeded' });

      expect(hook.result.current).toBe(2);
      expect(onSignal).toHaveBeenLastCalledWith({
        ...message,
        status: 'succeeded',
      });
    });

    it('ignores the types the caller did not ask for', () => {
      const onSignal = jest.fn();
      const { signals, hook } = renderWithSignals(onSignal);

      signals.publish(channel, {
        type: 'deployment',
        environment: 'snd',
        syncStatus: 'Synced',
        healthStatus: 'Healthy',
      });
      signals.publish(channel, { type: 'promotion', reason: 'push' });

      expect(hook.result.current).toBe(0);
      expect(onSignal).not.toHaveBeenCalled();
    });

    it("ignores other entities' channels", () => {
      const { signals, hook } = renderWithSignals();

      signals.publish('luban:component:default/payments-api', {
        type: 'build',
        build: 'payments-api-build-1',
        status: 'running',
      });

      expect(hook.result.current).toBe(0);
    });

    it('does not poll when signals arrive', () => {
      jest.useFakeTimers();
      try {
        const { hook } = renderWithSignals();
        act(() => jest.advanceTimersByTime(FALLBACK_POLL_MS * 3));
        expect(hook.result.current).toBe(0);
      } finally {
        jest.useRealTimers();
      }
    });

    it('unsubscribes when the page closes', () => {
      const { signals, hook } = renderWithSignals();
      expect(signals.listenerCount(channel)).toBe(1);

      hook.unmount();

      expect(signals.listenerCount(channel)).toBe(0);
    });
  });

  describe('without the signals plugin', () => {
    const wrapper = ({ children }: { children: ReactNode }) => (
      <TestApiProvider apis={[]}>{children}</TestApiProvider>
    );

    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('polls every 30 seconds, no faster', () => {
      const { result } = renderHook(
        () => useLubanUpdates(entityRef, ['build']),
        { wrapper },
      );

      act(() => jest.advanceTimersByTime(FALLBACK_POLL_MS - 1));
      expect(result.current).toBe(0);
      act(() => jest.advanceTimersByTime(1));
      expect(result.current).toBe(1);
      act(() => jest.advanceTimersByTime(FALLBACK_POLL_MS));
      expect(result.current).toBe(2);
    });

    it('stops polling when the page closes', () => {
      const { unmount } = renderHook(
        () => useLubanUpdates(entityRef, ['build']),
        { wrapper },
      );

      unmount();

      expect(jest.getTimerCount()).toBe(0);
    });
  });
});
