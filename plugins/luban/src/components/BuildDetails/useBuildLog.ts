import type { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEffect, useRef, useState } from 'react';
import { lubanApiRef } from '../../api';

/** A build log as far as it has been read. */
export interface BuildLogState {
  text: string;
  /** The request is still open: more text may come. */
  streaming: boolean;
  /** The request keeps waiting for new lines while the build runs. */
  following: boolean;
  error?: Error;
  /** Reads the log again from the start. */
  retry: () => void;
}

/**
 * Streams a build's log (one step, or all when `step` is undefined) into
 * state. A new build or step starts a new stream and aborts the old one, as
 * does unmounting, so that no open request outlives the view.
 *
 * Whether to follow is decided when a stream starts: a build that finishes
 * while followed ends its stream on its own, and re-reading the whole log
 * then would only make the text flicker.
 */
export function useBuildLog(
  entityRef: CompoundEntityRef,
  build: string,
  step: string | undefined,
  follow: boolean,
  /**
   * Told when a followed log ends: the step (or build) it followed is done,
   * which the caller should not have to learn from a signal alone.
   */
  onFollowEnd?: () => void,
): BuildLogState {
  const lubanApi = useApi(lubanApiRef);
  const followWhenStarting = useRef(follow);
  followWhenStarting.current = follow;
  const followEnded = useRef(onFollowEnd);
  followEnded.current = onFollowEnd;
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<Omit<BuildLogState, 'retry'>>({
    text: '',
    streaming: true,
    following: follow,
  });

  useEffect(() => {
    const abort = new AbortController();
    const following = followWhenStarting.current;
    const update = (change: (current: typeof state) => typeof state) => {
      if (!abort.signal.aborted) setState(change);
    };
    setState({ text: '', streaming: true, following });
    lubanApi
      .streamBuildLog(
        entityRef,
        build,
        chunk =>
          update(current => ({ ...current, text: current.text + chunk })),
        { step, follow: following, signal: abort.signal },
      )
      .then(
        () => {
          update(current => ({ ...current, streaming: false }));
          if (following && !abort.signal.aborted) followEnded.current?.();
        },
        (error: Error) =>
          update(current => ({ ...current, streaming: false, error })),
      );
    return () => abort.abort();
  }, [lubanApi, entityRef, build, step, attempt]);

  return { ...state, retry: () => setAttempt(n => n + 1) };
}
