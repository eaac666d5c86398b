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
export {
  createLubanEnvironmentConditionalDecision,
  lubanEnvironmentConditions,
  lubanEnvironmentPermissionResourceRef,
  type LubanEnvironmentResource,
  type LubanRuleListParams,
} from './permissions/environmentRules';
export { eventsModuleLubanWebhooks, LUBAN_WEBHOOK_TOPICS } from './webhooks/webhookModule';
export { lubanChannel } from '@luban-backstage/plugin-luban-common';
