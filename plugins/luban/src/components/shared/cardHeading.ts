/**
 * Card titles are real headings (h2 under the entity page's h1), so that
 * screen-reader users can jump between the sections of a tab.
 */
export const cardHeadingProps = { component: 'h2', variant: 'h5' };
