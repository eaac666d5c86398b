import { ResponseErrorPanel } from '@backstage/core-components';
import { backendMessage } from '../shared';
import { MatrixSkeleton } from './MatrixSkeleton';

/**
 * Stands in for the matrix until the promotion state is first read: its
 * progress, or why it could not be read.
 */
export function PromotionStatePlaceholder(props: {
  error?: Error;
  rows?: number;
}) {
  const { error, rows } = props;
  if (error) {
    return (
      <ResponseErrorPanel
        title={`Could not read what runs where: ${backendMessage(error)}`}
        error={error}
      />
    );
  }
  return <MatrixSkeleton label="Loading the environments" rows={rows} />;
}
