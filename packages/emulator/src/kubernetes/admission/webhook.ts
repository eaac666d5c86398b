import type { KubeObject, KubeStore } from '../state';
import { StatusError } from '../errors';

/** What kube-apiserver sends an admission webhook: the object as it would be stored, and on update the stored one. */
export interface AdmissionRequest {
  operation: 'CREATE' | 'UPDATE';
  object: KubeObject;
  oldObject?: KubeObject;
  /** The cluster as the webhook's informers see it (kpack lists StorageClasses). */
  store: KubeStore;
}

/**
 * A webhook's refusal as the API server returns it: the webhook's Status
 * with its message prefixed by who denied it
 * (k8s.io/apiserver/pkg/admission/plugin/webhook/errors/statuserror.go ToStatusErr).
 */
export function webhookDenied(webhook: string, status: { code: number; reason: string; message: string }): StatusError {
  return new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `admission webhook "${webhook}" denied the request: ${status.message}`,
    reason: status.reason,
    code: status.code,
  });
}
