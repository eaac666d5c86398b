import {
  type Entity,
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InfoCard, Link } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { type LubanPromotionState } from '@luban-backstage/plugin-luban-common';
import Grid from '@material-ui/core/Grid';
import { startTransition, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { PreviewsCard, previewsEnabled } from '../Previews';
import { PromoteDialog } from '../PromoteDialog';
import { RollbackDialog } from '../RollbackDialog';
import { TraceabilityPanel } from '../TraceabilityPanel';
import { TRACE_PARAM } from '../TraceabilityPanel/traceTabPath';
import { LubanEntityGuard, cardHeadingProps } from '../shared';
import { EnvironmentActions } from './EnvironmentActions';
import { EnvironmentMatrix } from './EnvironmentMatrix';
import { PromotionStatePlaceholder } from './PromotionStatePlaceholder';
import { usePromotionState } from './usePromotionState';

type OpenDialog =
  | { kind: 'promote'; from: string; to: string }
  | { kind: 'rollback'; environment: string };

function EnvironmentsCard(props: {
  entity: Entity;
  state: LubanPromotionState;
  onPromote: (from: string, to: string) => void;
  onRollback: (environment: string) => void;
  onTrace: (digest: string) => void;
}) {
  const { entity, state, onPromote, onRollback, onTrace } = props;
  const entityRef = stringifyEntityRef(entity);
  const ownerName = entity.metadata.title ?? entity.metadata.name;

  return (
    <InfoCard
      title="Environments"
      subheader={
        // One element: the card lays its subheader out as flex items, which would drop the space.
        <span>
          What runs where, in promotion order, from the overlays of{' '}
          {/* Underlined: in a line of text, colour alone does not tell a link apart (axe link-in-text-block, WCAG 1.4.1). */}
          <Link to={state.gitopsRepo} underline="always">
            the GitOps repository
          </Link>
        </span>
      }
      titleTypographyProps={cardHeadingProps}
    >
      <EnvironmentMatrix
        state={state}
        appName={ownerName}
        renderActions={environment => (
          <EnvironmentActions
            environment={environment}
            environments={state.environments}
            entityRef={entityRef}
            ownerName={ownerName}
            onPromote={onPromote}
            onRollback={onRollback}
            onTrace={onTrace}
          />
        )}
      />
    </InfoCard>
  );
}

function DeliveryView(props: { entity: Entity }) {
  const { entity } = props;
  const entityRef = useMemo(() => getCompoundEntityRef(entity), [entity]);
  const promotion = usePromotionState(stringifyEntityRef(entity));
  const [dialog, setDialog] = useState<OpenDialog>();
  // In the URL, so a build's page (any build, running somewhere or not) can link to its trace.
  const [params, setParams] = useSearchParams();
  const tracedDigest = params.get(TRACE_PARAM) ?? undefined;
  // A transition: the page keeps showing while the router renders the new address.
  const setTracedDigest = (digest: string | undefined) =>
    startTransition(() =>
      setParams(current => {
        const next = new URLSearchParams(current);
        if (digest) next.set(TRACE_PARAM, digest);
        else next.delete(TRACE_PARAM);
        return next;
      }),
    );

  const closeDialog = (changed: boolean) => {
    setDialog(undefined);
    // The new pull request shows in the matrix at once, not on the next signal.
    if (changed) promotion.retry();
  };

  // A re-read keeps the previous state on screen; only a first read shows progress.
  const state = promotion.value;
  if (!state) {
    return <PromotionStatePlaceholder error={promotion.error} />;
  }

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <EnvironmentsCard
          entity={entity}
          state={state}
          onPromote={(from, to) => setDialog({ kind: 'promote', from, to })}
          onRollback={environment =>
            setDialog({ kind: 'rollback', environment })
          }
          onTrace={setTracedDigest}
        />
      </Grid>
      {previewsEnabled(entity) && (
        <Grid item xs={12}>
          <PreviewsCard entity={entity} />
        </Grid>
      )}
      {tracedDigest && (
        <Grid item xs={12}>
          <TraceabilityPanel
            entityRef={entityRef}
            digest={tracedDigest}
            onClose={() => setTracedDigest(undefined)}
          />
        </Grid>
      )}
      {dialog?.kind === 'promote' && (
        <PromoteDialog
          entityRef={entityRef}
          from={dialog.from}
          to={dialog.to}
          onClose={closeDialog}
        />
      )}
      {dialog?.kind === 'rollback' && (
        <RollbackDialog
          entityRef={entityRef}
          environment={dialog.environment}
          onClose={closeDialog}
        />
      )}
    </Grid>
  );
}

/**
 * The Delivery tab of a luban app: what runs in each environment, with
 * promotion, rollback and the trace of each image from commit to
 * environment.
 *
 * @public
 */
export function LubanDeliveryContent() {
  const { entity } = useEntity();
  return (
    <LubanEntityGuard entity={entity} need="app">
      <DeliveryView entity={entity} />
    </LubanEntityGuard>
  );
}
