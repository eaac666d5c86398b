import { invalid } from './errors';
import type { ResourceType } from './resources';
import type { KubeObject } from './state';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MESSAGE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const LABEL_VALUE_MESSAGE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

/**
 * Kubernetes' validation of an object's name and labels (apimachinery
 * pkg/api/validation/objectmeta.go), with its messages: 422 Invalid.
 */
export function validateObjectMeta(type: ResourceType, object: KubeObject): void {
  const name = object.metadata.name;
  const causes: Array<{ field: string; message: string; reason?: string }> = [];
  const pattern = type.labelName ? LABEL : SUBDOMAIN;
  const max = type.labelName ? 63 : 253;
  if (!pattern.test(name)) {
    causes.push({
      field: 'metadata.name',
      message: `Invalid value: "${name}": ${type.labelName ? LABEL_MESSAGE : SUBDOMAIN_MESSAGE}`,
    });
  } else if (name.length > max) {
    causes.push({
      field: 'metadata.name',
      message: `Invalid value: "${name}": must be no more than ${max} characters`,
    });
  }
  for (const [key, value] of Object.entries(object.metadata.labels ?? {})) {
    if (typeof value !== 'string' || !LABEL_VALUE.test(value) || value.length > 63) {
      causes.push({
        field: 'metadata.labels',
        message: `Invalid value: "${value}": ${value.length > 63 ? 'must be no more than 63 characters' : LABEL_VALUE_MESSAGE}`,
      });
    }
    if (key.length === 0) {
      causes.push({ field: 'metadata.labels', message: 'Invalid value: "": name part must be non-empty' });
    }
  }
  if (causes.length) {
    throw invalid(type.kind, type.group, name, causes);
  }
}
