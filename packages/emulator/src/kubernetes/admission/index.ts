import type { ResourceType } from '../resources';
import type { KubeObject } from '../state';
import type { AdmissionRequest } from './webhook';
import { admitKpackImage } from './kpackImage';

export type { AdmissionRequest } from './webhook';

/** A webhook: returns the object after its mutating phase, or throws `webhookDenied` (./webhook). */
export type AdmissionWebhook = (request: AdmissionRequest) => KubeObject;

/** The webhooks installed on the emulated cluster, by `<plural>.<group>`. */
const WEBHOOKS: Record<string, AdmissionWebhook> = {
  'images.kpack.io': admitKpackImage,
};

/** Runs the admission webhooks of a type (none for most types) over a create or update of its main resource. */
export function admit(type: ResourceType, request: AdmissionRequest): KubeObject {
  const webhook = WEBHOOKS[`${type.plural}.${type.group}`];
  return webhook ? webhook(request) : request.object;
}
