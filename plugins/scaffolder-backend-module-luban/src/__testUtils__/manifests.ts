import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as rendered or served. */
export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
} & Record<string, any>;

type Model = new (data: any) => { validate(): void };

/**
 * The published schemas (kubernetes-models, generated from the OpenAPI of
 * Kubernetes, Argo CD and the Gateway API) of every kind luban writes.
 */
const MODELS: Record<string, Model> = {
  'apps/v1 Deployment': Deployment,
  'apps/v1 StatefulSet': StatefulSet,
  'v1 ConfigMap': ConfigMap,
  'v1 Secret': Secret,
  'v1 Service': Service,
  'v1 ServiceAccount': ServiceAccount,
  'rbac.authorization.k8s.io/v1 Role': Role,
  'rbac.authorization.k8s.io/v1 RoleBinding': RoleBinding,
  'gateway.networking.k8s.io/v1 HTTPRoute': HTTPRoute,
  'argoproj.io/v1alpha1 Application': Application,
  'argoproj.io/v1alpha1 AppProject': AppProject,
};

/** Why an object fails its published schema; undefined when it passes. A kind without a schema here fails. */
export function schemaProblem(object: Manifest): string | undefined {
  const Model = MODELS[`${object.apiVersion} ${object.kind}`];
  const what = `${object.kind} ${object.metadata?.namespace ?? ''}/${object.metadata?.name}`;
  if (!Model) return `${what}: no published schema for ${object.apiVersion} ${object.kind}`;
  try {
    new Model(object).validate();
    return undefined;
  } catch (error) {
    return `${what}: ${(error as Error).message}`;
  }
}

/** Renders a kustomize folder as Argo CD does (`kubectl kustomize`). */
export async function renderKustomization(dir: string): Promise<Manifest[]> {
  const { stdout } = await promisify(execFile)('kubectl', ['kustomize', dir], { maxBuffer: 16 * 1024 * 1024 });
  return parseAllDocuments(stdout)
    .map(doc => doc.toJS() as Manifest)
    .filter(object => object && object.kind);
}
