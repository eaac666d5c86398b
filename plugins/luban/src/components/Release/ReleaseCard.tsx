import {
  type CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InfoCard, Link, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  lubanEnvironmentResourceRef,
  lubanPromotionCreatePermission,
  type LubanReleaseMatrix,
  type LubanReleaseResult,
} from '@luban-backstage/plugin-luban-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { lubanApiRef } from '../../api';
import {
  DeniedTooltip,
  backendMessage,
  cardHeadingProps,
  digestLabel,
} from '../shared';
import { ReleaseDialog } from './ReleaseDialog';

type Pair = { from: string; to: string };

/** One row per app, one column per environment: the digest, and whether it is behind. */
function ReleaseMatrixTable(props: {
  matrix: LubanReleaseMatrix;
  system: string;
}) {
  const { matrix, system } = props;
  const sourceOf = new Map(
    matrix.environments.map(env => [env.name, env.promotesFrom]),
  );
  return (
    <Table
      size="small"
      aria-label={`Release of ${system}: apps by environment`}
      data-testid="luban-release-matrix"
    >
      <TableHead>
        <TableRow>
          <TableCell>App</TableCell>
          {matrix.environments.map(env => (
            <TableCell key={env.name}>{env.name}</TableCell>
          ))}
        </TableRow>
      </TableHead>
      <TableBody>
        {matrix.members.map(member => (
          <TableRow
            key={member.entityRef}
            data-testid={`luban-release-row-${member.app}`}
          >
            <TableCell component="th" scope="row" role="rowheader">
              {member.app}
            </TableCell>
            {member.problem ? (
              <TableCell colSpan={matrix.environments.length}>
                Could not be read: {member.problem}
              </TableCell>
            ) : (
              matrix.environments.map(env => {
                const cell = member.environments.find(e => e.name === env.name);
                return (
                  <TableCell
                    key={env.name}
                    data-testid={`luban-release-cell-${member.app}-${env.name}`}
                  >
                    {cell?.digest ? (
                      <code>{digestLabel(cell.digest)}</code>
                    ) : (
                      'not deployed'
                    )}
                    {/* Not the theme's error red: as small text on white it is below WCAG AA's 4.5:1 contrast (axe, e2e accessibility.test.ts); the words say it. */}
                    {cell?.behind && (
                      <Typography
                        variant="caption"
                        color="textPrimary"
                        component="div"
                        data-testid="luban-release-behind"
                      >
                        behind {sourceOf.get(env.name)}
                      </Typography>
                    )}
                  </TableCell>
                );
              })
            )}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** "Promote release from → to", for those the permission policy lets promote into `to`. */
function ReleaseButton(props: {
  system: string;
  pair: Pair;
  behind: number;
  onClick: () => void;
}) {
  const { system, pair, behind, onClick } = props;
  const permission = usePermission({
    permission: lubanPromotionCreatePermission,
    resourceRef: lubanEnvironmentResourceRef(system, pair.to),
  });
  const denied =
    !permission.loading && !permission.allowed
      ? `Only the owners of ${system} can release to ${pair.to}, if the permission policy allows it`
      : undefined;
  return (
    <Box display="flex" alignItems="center" mr={3} mt={2}>
      <DeniedTooltip reason={denied}>
        <Button
          variant="outlined"
          color="primary"
          disabled={permission.loading || !permission.allowed}
          onClick={onClick}
          data-testid={`luban-release-promote-${pair.from}-${pair.to}`}
        >
          Promote release {pair.from} → {pair.to}
        </Button>
      </DeniedTooltip>
      <Box ml={1}>
        <Typography variant="body2" color="textSecondary">
          {behind === 1 ? '1 app behind' : `${behind} apps behind`}
        </Typography>
      </Box>
    </Box>
  );
}

/** The matrix and a button per pair of environments; while loading or when unreadable, says so. */
function ReleaseContent(props: {
  entityRef: CompoundEntityRef;
  matrix: { loading: boolean; error?: Error; value?: LubanReleaseMatrix };
  onRelease: (pair: Pair) => void;
}) {
  const { entityRef, matrix, onRelease } = props;
  if (matrix.loading) {
    return <Progress aria-label="Loading the release matrix" />;
  }
  if (matrix.error || !matrix.value) {
    return (
      <Alert severity="error">
        Could not read the apps of {entityRef.name}:{' '}
        {backendMessage(matrix.error ?? new Error('no answer'))}
      </Alert>
    );
  }
  const value = matrix.value;
  if (!value.members.length) {
    return (
      <Typography variant="body2">
        No luban app is part of {entityRef.name} yet: set{' '}
        <code>spec.system: {entityRef.name}</code> in an app&apos;s
        catalog-info.yaml.
      </Typography>
    );
  }
  const pairs = value.environments.flatMap(env =>
    env.promotesFrom ? [{ from: env.promotesFrom, to: env.name }] : [],
  );
  const behindIn = (to: string) =>
    value.members.filter(m =>
      m.environments.some(e => e.name === to && e.behind),
    ).length;
  return (
    <>
      <ReleaseMatrixTable matrix={value} system={entityRef.name} />
      <Box display="flex" flexWrap="wrap">
        {pairs.map(p => (
          <ReleaseButton
            key={p.to}
            system={stringifyEntityRef(entityRef)}
            pair={p}
            behind={behindIn(p.to)}
            onClick={() => onRelease(p)}
          />
        ))}
      </Box>
    </>
  );
}

/**
 * The release of a System's apps: what each app runs in each environment,
 * which are behind, and "Promote release" per pair of environments, which
 * opens one pull request for all the apps that are behind.
 */
export function ReleaseCard(props: { entityRef: CompoundEntityRef }) {
  const { entityRef } = props;
  const lubanApi = useApi(lubanApiRef);
  const [pair, setPair] = useState<Pair>();
  const [released, setReleased] = useState<LubanReleaseResult>();
  const matrix = useAsync(
    () => lubanApi.getRelease(entityRef),
    [lubanApi, entityRef],
  );

  return (
    <InfoCard title="Release" titleTypographyProps={cardHeadingProps}>
      {released?.pullRequest && (
        <Alert severity="success" data-testid="luban-release-pull-request">
          The release to {released.to} is in{' '}
          <Link to={released.pullRequest.url}>
            pull request #{released.pullRequest.number}
          </Link>
          : it is deployed once merged.
        </Alert>
      )}
      <ReleaseContent
        entityRef={entityRef}
        matrix={matrix}
        onRelease={setPair}
      />
      {pair && (
        <ReleaseDialog
          entityRef={entityRef}
          from={pair.from}
          to={pair.to}
          onClose={result => {
            setPair(undefined);
            if (result) setReleased(result);
          }}
        />
      )}
    </InfoCard>
  );
}
