import {
  type UIEvent,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
} from 'react';

/** How close to the end (in pixels) still counts as "at the bottom". */
const BOTTOM_SLACK_PX = 16;

/**
 * Keeps a scrolling element at its newest line while `following`, unless the
 * user scrolls up; scrolling back to the bottom (or `pin`) sticks again.
 * `content` is what grows; a new `resetKey` starts at the bottom again.
 */
export function useStickToBottom<T extends HTMLElement>(options: {
  content: unknown;
  following: boolean;
  resetKey: unknown;
}) {
  const { content, following, resetKey } = options;
  const ref = useRef<T>(null);
  const [pinned, setPinned] = useState(true);

  // Another log starts at its newest line again.
  useEffect(() => setPinned(true), [resetKey]);

  useLayoutEffect(() => {
    const element = ref.current;
    if (element && following && pinned) {
      element.scrollTop = element.scrollHeight;
    }
  }, [content, following, pinned]);

  const onScroll = (event: UIEvent<T>) => {
    const { scrollHeight, scrollTop, clientHeight } = event.currentTarget;
    setPinned(scrollHeight - scrollTop - clientHeight <= BOTTOM_SLACK_PX);
  };

  return { ref, pinned, pin: () => setPinned(true), onScroll };
}
