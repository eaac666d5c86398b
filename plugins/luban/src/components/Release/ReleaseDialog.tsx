import type { CompoundEntityRef } from '@backstage/catalog-model';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type {
  LubanReleaseMember,
  LubanReleaseResult,
} from '@luban-backstage/plugin-luban-common';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import useAsync from 'react-use/esm/useAsync';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { lubanApiRef } from '../../api';
import { ChangeRequestDialog } from '../ChangeRequestDialog';
import { DigestChange, OverlayDiff, PreviewSection } from '../ChangePreview';
import { GateReport } from '../PromoteDialog/GateReport';
import { backendMessage, digestLabel } from '../shared';

/** Props of {@link ReleaseDialog}. */
export interface ReleaseDialogProps {
  /** The System whose apps are released; keep the object stable between renders. */
  entityRef: CompoundEntityRef;
  from: string;
  to: string;
  /** Called when the dialog closes, with the release once its pull request was opened. */
  onClose: (released?: LubanReleaseResult) => void;
}

/** One app of the release: what moves and its gates, or why it stays. */
function MemberPlan(props: {
  member: LubanReleaseMember;
  from: string;
  to: string;
}) {
  const { member, from, to } = props;
  if (!member.behind) {
    return (
      <PreviewSection title={`${member.app}: unchanged`}>
        <Typography variant="body2">
          {member.problem ??
            `${to} already runs what ${from} runs${
              member.targetDigest
                ? ` (${digestLabel(member.targetDigest)})`
                : ''
            }.`}
        </Typography>
      </PreviewSection>
    );
  }
  return (
    <PreviewSection
      title={`${member.app}: ${member.allowed ? 'moves' : 'blocked by a gate'}`}
    >
      <DigestChange
        environment={to}
        fromDigest={member.targetDigest}
        toDigest={member.sourceDigest!}
      />
      <GateReport gates={member.gates} />
      {member.overlayPath && member.diff && (
        <OverlayDiff overlayPath={member.overlayPath} diff={member.diff} />
      )}
    </PreviewSection>
  );
}

/** Why the release cannot be proposed, when it cannot. */
function blocker(plan: LubanReleaseResult): string | undefined {
  if (plan.allowed) return undefined;
  if (!plan.members.some(m => m.behind)) {
    return `Every app already runs in ${plan.to} what ${plan.from} runs: there is nothing to release.`;
  }
  const blocked = plan.members.filter(m => !m.allowed).map(m => m.app);
  return `A gate of ${blocked.join(
    ', ',
  )} failed, so no pull request can be opened: fix what the failed gates name, then release again.`;
}

/**
 * Releases the apps of a System from one environment to the next: opens
 * with the plan (a dry run: each app's digests, gates and overlay diff) and
 * opens ONE pull request for every app that is behind, only when every
 * app's gates passed.
 */
export function ReleaseDialog(props: ReleaseDialogProps) {
  const { entityRef, from, to, onClose } = props;
  const lubanApi = useApi(lubanApiRef);
  const plan = useAsync(
    () => lubanApi.planRelease(entityRef, { from, to }),
    [lubanApi, entityRef, from, to],
  );
  const [opening, openPullRequest] = useAsyncFn(
    () => lubanApi.release(entityRef, { from, to }),
    [lubanApi, entityRef, from, to],
  );
  // The real request plans again; its answer replaces the preview.
  const release = opening.value ?? plan.value;
  const why = release && blocker(release);

  return (
    <ChangeRequestDialog
      title={`Promote release ${from} → ${to}`}
      opening={opening}
      onOpen={openPullRequest}
      ready={Boolean(release?.allowed)}
      onClose={changed => onClose(changed ? opening.value : undefined)}
      status={
        <>
          {plan.loading && (
            <Progress aria-label={`Planning the release ${from} → ${to}`} />
          )}
          {plan.error && (
            <Alert severity="error">
              Could not plan the release of {from} to {to}:{' '}
              {backendMessage(plan.error)}
            </Alert>
          )}
        </>
      }
    >
      {why && <Alert severity="warning">{why}</Alert>}
      {release?.members.map(member => (
        <MemberPlan
          key={member.entityRef}
          member={member}
          from={from}
          to={to}
        />
      ))}
    </ChangeRequestDialog>
  );
}
