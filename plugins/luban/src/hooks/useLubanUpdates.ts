import { useApiHolder } from '@backstage/core-plugin-api';
import { signalApiRef } from '@backstage/plugin-signals-react';
import {
  lubanChannel,
  type LubanSignal,
} from '@luban-backstage/plugin-luban-common';
import { useEffect, useRef, useState } from 'react';

/** How often to re-read when the app has no signals plugin. */
export const FALLBACK_POLL_MS = 30_000;

/**
 * A number that goes up whenever the entity's luban state changes, to use as
 * a dependency of the effect that reads it.
 *
 * Changes arrive through Backstage signals on the entity's channel. Only when
 * the app has no signals plugin does the page poll, and slowly: a page left
 * open must not cost the platform a request every few seconds.
 *
 * @param entityRef - the stringified entity ref
 * @param types - the signal types that matter to the caller
 */
export function useLubanUpdates(
  entityRef: string,
  types: ReadonlyArray<LubanSignal['type']>,
  options: { pollMs?: number; onSignal?: (signal: LubanSignal) => void } = {},
): number {
  const signalApi = useApiHolder().get(signalApiRef);
  const [version, setVersion] = useState(0);
  const typesKey = types.join(',');
  const onSignal = useRef(options.onSignal);
  onSignal.current = options.onSignal;
  const pollMs = options.pollMs ?? FALLBACK_POLL_MS;

  useEffect(() => {
    if (signalApi) {
      const wanted = new Set(typesKey.split(','));
      const subscription = signalApi.subscribe<LubanSignal>(
        lubanChannel(entityRef),
        message => {
          if (!wanted.has(message.type)) return;
          onSignal.current?.(message);
          setVersion(v => v + 1);
        },
      );
      return () => subscription.unsubscribe();
    }
    const timer = setInterval(() => setVersion(v => v + 1), pollMs);
    return () => clearInterval(timer);
  }, [signalApi, entityRef, typesKey, pollMs]);

  return version;
}
