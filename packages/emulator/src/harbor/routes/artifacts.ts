import { sendJson } from '../../http';
import { requireProjectAccess } from '../access';
import { badRequest, unprocessable } from '../errors';
import type { ArtifactRecord } from '../model';
import {
  matchesTerm,
  parsePaging,
  parseQuery,
  parseSort,
  sortRecords,
  type QueryTerm,
} from '../query';
import { route, type Call, type Route } from '../router';
import { SBOM_MEDIA_TYPE, sbomDocument, sbomSubject } from '../sbom';
import type { HarborState } from '../state';
import {
  HARBOR_REPORT_MIME,
  VULNERABILITY_REPORT_MIME,
  artifactJson,
  tagJson,
  vulnerabilityReport,
  type ArtifactOptions,
} from '../views';
import {
  boolParam,
  filterByTerms,
  fullRepositoryName,
  newestFirst,
  sendEmpty,
  sendPage,
} from './common';

/** The `tags=` term of the artifact list: `*` tagged, `nil` untagged, `~v` fuzzy, `v` exact. */
function matchesTagTerm(artifact: ArtifactRecord, term: QueryTerm): boolean {
  const names = artifact.tags.map(t => t.name);
  if (term.kind === 'exact' && term.value === '*') return names.length > 0;
  if (term.kind === 'exact' && term.value === 'nil') return names.length === 0;
  return names.some(name => matchesTerm(term, name));
}

/** The artifact fields `sort` may name. */
const ARTIFACT_SORT_FIELDS: Record<
  string,
  (a: ArtifactRecord) => string | number
> = {
  id: a => a.id,
  push_time: a => a.pushTime.getTime(),
  pull_time: () => 0,
  size: a => a.size,
  digest: a => a.digest,
};

/**
 * The report MIME types a request accepts, in its order (Harbor handler/util.go
 * parseScanReportMimeTypes): the two Harbor knows, others dropped, the native
 * one when none is left; the swagger's default when the header is absent.
 */
function acceptedReportsOf(call: Call): string[] {
  const header = call.req.headers['x-accept-vulnerabilities'];
  if (typeof header !== 'string') return [VULNERABILITY_REPORT_MIME, HARBOR_REPORT_MIME];
  const known = header
    .split(',')
    .map(mime => mime.trim())
    .filter(mime => mime === VULNERABILITY_REPORT_MIME || mime === HARBOR_REPORT_MIME);
  return known.length ? known : [HARBOR_REPORT_MIME];
}

/** The first accepted MIME type the scanner produced a report in (assembler/report.go Assemble). */
function reportMimeOf(state: HarborState, call: Call): string | undefined {
  return acceptedReportsOf(call).find(mime => state.scannerReportMimeTypes.includes(mime));
}

function artifactOptions(state: HarborState, call: Call): ArtifactOptions {
  const { searchParams } = call.url;
  for (const name of [
    'with_label',
    'with_signature',
    'with_immutable_status',
  ]) {
    boolParam(searchParams, name, false);
  }
  return {
    withTag: boolParam(searchParams, 'with_tag', true),
    withScanOverview: boolParam(searchParams, 'with_scan_overview', false),
    withSbomOverview: boolParam(searchParams, 'with_sbom_overview', false),
    withAccessory: boolParam(searchParams, 'with_accessory', false),
    reportMime: reportMimeOf(state, call),
  };
}

function listArtifacts(state: HarborState, call: Call) {
  const { searchParams } = call.url;
  const paging = parsePaging(searchParams);
  const options = artifactOptions(state, call);
  const terms = parseQuery(searchParams.get('q'));
  const project = requireProjectAccess(
    call.principal,
    state,
    { name: call.params.project_name },
    'artifact:list',
  );
  // Harbor filters artifacts by repository name: an unknown repository is an empty list, not a 404.
  const repository = state.repositoryByName(fullRepositoryName(call, project));
  let artifacts = repository ? state.artifactsOf(repository.id) : [];
  artifacts = artifacts.filter(a =>
    terms.every(t => t.key !== 'tags' || matchesTagTerm(a, t)),
  );
  artifacts = filterByTerms(artifacts, terms, {
    digest: a => a.digest,
    id: a => a.id,
    type: () => 'IMAGE',
    media_type: () => 'application/vnd.docker.container.image.v1+json',
    push_time: a => a.pushTime.toISOString(),
    size: a => a.size,
  });
  const sorted = sortRecords(
    artifacts,
    parseSort(searchParams.get('sort')),
    ARTIFACT_SORT_FIELDS,
    newestFirst('push_time'),
  );
  sendPage(call, sorted, paging, a => artifactJson(a, repository!, options));
}

function requireArtifact(state: HarborState, call: Call, access: string) {
  const project = requireProjectAccess(
    call.principal,
    state,
    { name: call.params.project_name },
    access,
  );
  const fullName = fullRepositoryName(call, project);
  const artifact = state.requireArtifact(fullName, call.params.reference);
  const repository = state.repositoryByName(fullName)!;
  return { project, repository, artifact };
}

function getArtifact(state: HarborState, call: Call) {
  parsePaging(call.url.searchParams);
  const options = artifactOptions(state, call);
  const { artifact, repository } = requireArtifact(
    state,
    call,
    'artifact:read',
  );
  sendJson(call.res, 200, artifactJson(artifact, repository, options));
}

function deleteArtifact(state: HarborState, call: Call) {
  const { artifact } = requireArtifact(state, call, 'artifact:delete');
  state.deleteArtifact(artifact.id);
  sendEmpty(call.res, 200);
}

function listTags(state: HarborState, call: Call) {
  const { searchParams } = call.url;
  const paging = parsePaging(searchParams);
  const terms = parseQuery(searchParams.get('q'));
  const { artifact } = requireArtifact(state, call, 'tag:list');
  const tags = filterByTerms(artifact.tags, terms, {
    name: t => t.name,
    id: t => t.id,
  });
  const sorted = sortRecords(
    tags,
    parseSort(searchParams.get('sort')),
    {
      name: t => t.name,
      id: t => t.id,
      push_time: t => t.pushTime.getTime(),
    },
    newestFirst('push_time'),
  );
  sendPage(call, sorted, paging, tagJson);
}

function vulnerabilities(state: HarborState, call: Call) {
  const reportMime = reportMimeOf(state, call);
  const { artifact, repository } = requireArtifact(
    state,
    call,
    'artifact-addition:read',
  );
  const reports: Record<string, unknown> = {};
  // The first accepted MIME type with a report wins (server/v2.0/handler/artifact.go GetVulnerabilitiesAddition).
  if (artifact.scan && reportMime) {
    reports[reportMime] = vulnerabilityReport(artifact, repository);
  }
  sendJson(call.res, 200, reports);
}

/**
 * The SBOM accessory's `sbom` addition: the document itself, with the SBOM
 * processor's media type (processor/sbom/sbom.go AbstractAddition pulls the
 * accessory's one layer and answers it as is). Harbor's portal downloads an
 * SBOM this way, addressing the accessory by `sbom_overview.sbom_digest`
 * (portal artifact-sbom.component.ts). Sent when the reference is an SBOM accessory.
 */
function sendSbomAddition(state: HarborState, call: Call): boolean {
  const project = requireProjectAccess(
    call.principal,
    state,
    { name: call.params.project_name },
    'artifact-addition:read',
  );
  const subject = sbomSubject(
    state,
    fullRepositoryName(call, project),
    call.params.reference,
  );
  if (!subject) return false;
  const body = Buffer.from(sbomDocument(subject.artifact, subject.repository));
  call.res.writeHead(200, {
    'Content-Type': SBOM_MEDIA_TYPE,
    'Content-Length': body.length,
  });
  call.res.end(body);
  return true;
}

function getAddition(state: HarborState, call: Call) {
  // Harbor 2.11's swagger enum of the `addition` parameter.
  const additions = [
    'build_history',
    'values.yaml',
    'readme.md',
    'dependencies',
    'sbom',
  ];
  const { addition } = call.params;
  if (!additions.includes(addition)) {
    throw unprocessable(
      `addition in path should be one of [${additions.join(' ')}]`,
    );
  }
  if (addition === 'sbom' && sendSbomAddition(state, call)) return;
  const { artifact } = requireArtifact(state, call, 'artifact-addition:read');
  if (addition !== 'build_history') {
    throw badRequest(
      `addition ${addition.toUpperCase()} isn't supported for IMAGE(manifest version 2)`,
    );
  }
  const created = artifact.pushTime.toISOString();
  const history = [
    {
      created,
      created_by: 'Buildpacks Application Launcher',
      empty_layer: false,
    },
    { created, created_by: 'Application Layer', empty_layer: false },
  ];
  sendJson(call.res, 200, history, {
    'Content-Type': 'application/json; charset=utf-8',
  });
}

/** The artifacts of a repository with their tags, scan reports and additions. */
export function artifactRoutes(state: HarborState): Route[] {
  const artifact =
    '/projects/{project_name}/repositories/{repository_name}/artifacts/{reference}';
  return [
    route('/projects/{project_name}/repositories/{repository_name}/artifacts', {
      GET: call => listArtifacts(state, call),
    }),
    route(`${artifact}/additions/vulnerabilities`, {
      GET: call => vulnerabilities(state, call),
    }),
    route(`${artifact}/additions/{addition}`, {
      GET: call => getAddition(state, call),
    }),
    route(`${artifact}/tags`, { GET: call => listTags(state, call) }),
    route(artifact, {
      GET: call => getArtifact(state, call),
      DELETE: call => deleteArtifact(state, call),
    }),
  ];
}
