import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import {
  LubanNameField,
  LubanNameFieldSchema,
  lubanNameValidation,
} from './LubanNameField';
import {
  LubanRepoUrlPicker,
  LubanRepoUrlPickerSchema,
  lubanRepoUrlValidation,
} from './LubanRepoUrlPicker';

/** The LubanNameField, for the new frontend system's scaffolder. */
export const lubanNameFormField = createFormField({
  name: 'LubanNameField',
  component: LubanNameField,
  validation: lubanNameValidation,
  schema: LubanNameFieldSchema,
});

/** The LubanRepoUrlPicker, for the new frontend system's scaffolder. */
export const lubanRepoUrlFormField = createFormField({
  name: 'LubanRepoUrlPicker',
  component: LubanRepoUrlPicker,
  validation: lubanRepoUrlValidation,
  schema: LubanRepoUrlPickerSchema,
});
