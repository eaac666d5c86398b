import { createHash } from 'node:crypto';
import type { ArtifactRecord, RepositoryRecord } from './model';
import type { HarborState } from './state';
import { TRIVY_SCANNER } from './views';

/**
 * The media type Harbor registers its SBOM processor under and answers the
 * `sbom` addition with (goharbor/harbor
 * src/controller/artifact/processor/sbom/sbom.go `processorMediaType`).
 */
export const SBOM_MEDIA_TYPE = 'application/vnd.goharbor.harbor.sbom.v1';

/** A stable id from a name, as SPDX ids and namespaces need one. */
function stableId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

/**
 * The SPDX 2.3 JSON document Trivy generates for an artifact (its `--format
 * spdx-json`, which Harbor's Trivy adapter asks for): the image, its OS and
 * the packages the emulated scan reports, each contained in the image.
 * Deterministic, so that tests can compare bytes.
 */
export function sbomDocument(artifact: ArtifactRecord, repository: RepositoryRecord): string {
  const name = `${repository.name}@${artifact.digest}`;
  const imageId = `SPDXRef-ContainerImage-${stableId(name).slice(0, 16)}`;
  const osId = `SPDXRef-OperatingSystem-${stableId(name, 'os').slice(0, 16)}`;
  const libraries = ['libssl3@3.0.13', 'zlib1g@1.2.13', 'python3.12@3.12.3'].map(entry => {
    const [pkg, version] = entry.split('@');
    return {
      name: pkg,
      SPDXID: `SPDXRef-Package-${stableId(name, pkg).slice(0, 16)}`,
      versionInfo: version,
      supplier: 'NOASSERTION',
      downloadLocation: 'NONE',
      filesAnalyzed: false,
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: 'NOASSERTION',
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: `pkg:deb/ubuntu/${pkg}@${version}` }],
      primaryPackagePurpose: 'LIBRARY',
    };
  });
  const document = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name,
    documentNamespace: `http://aquasecurity.github.io/trivy/container_image/${name}-${stableId(name, 'namespace').slice(0, 36)}`,
    creationInfo: {
      creators: ['Organization: aquasecurity', `Tool: trivy-${TRIVY_SCANNER.version.replace(/^v/, '')}`],
      created: (artifact.sbom?.endTime ?? artifact.pushTime).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
    packages: [
      {
        name,
        SPDXID: imageId,
        versionInfo: artifact.digest,
        supplier: 'NOASSERTION',
        downloadLocation: 'NONE',
        filesAnalyzed: false,
        externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: `pkg:oci/${repository.name.split('/').pop()}@${encodeURIComponent(artifact.digest)}` }],
        primaryPackagePurpose: 'CONTAINER',
      },
      { name: 'ubuntu', SPDXID: osId, versionInfo: '24.04', supplier: 'NOASSERTION', downloadLocation: 'NONE', filesAnalyzed: false, primaryPackagePurpose: 'OPERATING-SYSTEM' },
      ...libraries,
    ],
    relationships: [
      { spdxElementId: 'SPDXRef-DOCUMENT', relatedSpdxElement: imageId, relationshipType: 'DESCRIBES' },
      { spdxElementId: imageId, relatedSpdxElement: osId, relationshipType: 'CONTAINS' },
      ...libraries.map(library => ({ spdxElementId: osId, relatedSpdxElement: library.SPDXID, relationshipType: 'CONTAINS' })),
    ],
  };
  return JSON.stringify(document);
}

/**
 * The subject artifact whose generated SBOM accessory has this digest in a
 * repository; undefined when none does (an SBOM still being generated, or
 * one that failed, has no accessory).
 */
export function sbomSubject(
  state: HarborState,
  fullName: string,
  reference: string,
): { artifact: ArtifactRecord; repository: RepositoryRecord } | undefined {
  const repository = state.repositoryByName(fullName);
  if (!repository) return undefined;
  const artifact = state.artifactsOf(repository.id).find(a => a.sbom && !a.sbom.status && a.sbom.digest === reference);
  return artifact ? { artifact, repository } : undefined;
}
