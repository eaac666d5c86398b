import { createScaffolderFieldExtension } from '@backstage/plugin-scaffolder-react';
import { lubanPlugin } from './plugin';
import {
  LubanNameField,
  LubanNameFieldSchema,
  lubanNameValidation,
} from './components/LubanNameField';
import {
  LubanRepoUrlPicker,
  LubanRepoUrlPickerSchema,
  lubanRepoUrlValidation,
} from './components/LubanRepoUrlPicker';

/**
 * The Create page's project or app name (`ui:field: LubanNameField`,
 * `ui:options.kind: project | app`): the naming rule in words, and a name the
 * catalog already has refused with a link to it. For the legacy frontend
 * system, inside `<ScaffolderFieldExtensions>`.
 * @public
 */
export const LubanNameFieldExtension = lubanPlugin.provide(
  createScaffolderFieldExtension<string, { kind: 'project' | 'app' }>({
    name: 'LubanNameField',
    component: LubanNameField,
    validation: lubanNameValidation,
    schema: LubanNameFieldSchema.schema,
  }),
);

/**
 * Backstage's repository picker prefilled by luban's naming convention
 * (`ui:field: LubanRepoUrlPicker`, `ui:options.namedAfter`,
 * `ui:options.besideGitOpsOf`). For the legacy frontend system, inside
 * `<ScaffolderFieldExtensions>`.
 * @public
 */
export const LubanRepoUrlPickerFieldExtension = lubanPlugin.provide(
  createScaffolderFieldExtension<
    string,
    typeof LubanRepoUrlPickerSchema.uiOptionsType
  >({
    name: 'LubanRepoUrlPicker',
    component: LubanRepoUrlPicker,
    validation: lubanRepoUrlValidation,
    schema: LubanRepoUrlPickerSchema.schema,
  }),
);
