import {
  type CompoundEntityRef,
  type Entity,
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { useMemo, useState } from 'react';
import { useLocation, useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { lubanApiRef } from '../../api';
import { useLubanUpdates } from '../../hooks';
import { BuildDetails } from '../BuildDetails';
import { RebuildButton } from '../RebuildButton';
import { traceTabPath } from '../TraceabilityPanel/traceTabPath';
import { LubanEntityGuard, backendMessage, cardHeadingProps } from '../shared';
import { CancelBuildButton } from '../ci/CancelBuildButton';
import { BuildsTable } from './BuildsTable';

/** The search parameters of the tab: `?build=<name>&step=<step>`. */
const BUILD_PARAM = 'build';
const STEP_PARAM = 'step';

const BUILD_SIGNALS = ['build'] as const;

function NoBuilds(props: { image: string }) {
  return (
    <EmptyState
      missing="data"
      title="No builds yet"
      description={
        <>
          kpack builds the Image <code>{props.image}</code> once it is created,
          then whenever a commit lands on its source branch and whenever its
          builder, buildpacks or stack change. The first build appears here as
          soon as it starts.
        </>
      }
    />
  );
}

function BuildList(props: {
  entity: Entity;
  entityRef: CompoundEntityRef;
  detailsHref: (build: string) => string;
}) {
  const { entity, entityRef, detailsHref } = props;
  const lubanApi = useApi(lubanApiRef);
  const updates = useLubanUpdates(stringifyEntityRef(entity), BUILD_SIGNALS);
  const [rebuilds, setRebuilds] = useState(0);
  // Re-reads keep showing the previous list until the new one arrives.
  const { value: list, error } = useAsync(
    () => lubanApi.listBuilds(entityRef),
    [lubanApi, entityRef, updates, rebuilds],
  );

  if (error) {
    return (
      <ResponseErrorPanel
        title={`Could not load the builds: ${backendMessage(error)}`}
        error={error}
      />
    );
  }
  if (!list) {
    return <Progress aria-label="Loading the builds" />;
  }
  const hasBuilds = list.builds.length > 0;
  return (
    <InfoCard
      title="Builds"
      subheader={`kpack Image ${list.image} on cluster ${list.cluster}`}
      titleTypographyProps={cardHeadingProps}
      // kpack rebuilds from the latest build: with none, there is nothing to trigger.
      action={
        hasBuilds && (
          <RebuildButton
            entity={entity}
            onRebuilt={() => setRebuilds(n => n + 1)}
          />
        )
      }
    >
      {hasBuilds ? (
        <BuildsTable
          image={list.image}
          builds={list.builds}
          detailsHref={detailsHref}
          actionsFor={build =>
            build.status === 'running' && (
              <CancelBuildButton
                entity={entity}
                build={build}
                onCancelled={() => setRebuilds(n => n + 1)}
              />
            )
          }
        />
      ) : (
        <NoBuilds image={list.image} />
      )}
    </InfoCard>
  );
}

/** The builds of a luban app, or one build when the URL names it. */
function BuildsView(props: { entity: Entity }) {
  const { entity } = props;
  const entityRef = useMemo(() => getCompoundEntityRef(entity), [entity]);
  const [params, setParams] = useSearchParams();
  // The Delivery tab beside this one, on the same entity page: from the address, as the build links here are.
  const entityPage = useLocation().pathname.replace(/\/+$/, '').replace(/[^/]*$/, '');

  // Relative links that change only the search: Back returns to the list.
  const hrefWith = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(changes)) {
      if (value === undefined) next.delete(name);
      else next.set(name, value);
    }
    return `?${next}`;
  };

  const build = params.get(BUILD_PARAM);
  if (build) {
    return (
      <BuildDetails
        entityRef={entityRef}
        buildName={build}
        step={params.get(STEP_PARAM) ?? undefined}
        onStepChange={step =>
          setParams(
            current => {
              const next = new URLSearchParams(current);
              next.set(STEP_PARAM, step);
              return next;
            },
            // Choosing a step is no place Back should return to.
            { replace: true },
          )
        }
        backTo={hrefWith({ [BUILD_PARAM]: undefined, [STEP_PARAM]: undefined })}
        // Any build's digest, running somewhere or not, has its trace in the Delivery tab.
        traceLink={digest => `${entityPage}${traceTabPath(digest)}`}
      />
    );
  }
  return (
    <BuildList
      entity={entity}
      entityRef={entityRef}
      detailsHref={name =>
        hrefWith({ [BUILD_PARAM]: name, [STEP_PARAM]: undefined })
      }
    />
  );
}

/**
 * The Builds entity tab: the kpack builds of a luban app with their status,
 * commit and digest, a Rebuild button, and (with `?build=<name>`) one
 * build's steps and live log.
 *
 * @public
 */
export function LubanBuildsContent() {
  const { entity } = useEntity();
  return (
    <LubanEntityGuard entity={entity} need="app">
      <BuildsView entity={entity} />
    </LubanEntityGuard>
  );
}
