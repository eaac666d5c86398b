/**
 * The luban backend plugin for Backstage.
 *
 * @packageDocumentation
 */

export { lubanPlugin as default } from './plugin';
export {
  lubanPermissionPolicyModule,
  lubanPolicyDecision,
  LubanOwnerPermissionPolicy,
} from './permissions/policy';
