import { catalogApiRef } from '@backstage/plugin-catalog-react';
import type { CustomFieldValidator } from '@backstage/plugin-scaffolder-react';
import {
  findEntityNamed,
  nameKindOf,
  nameProblemOf,
  nameTakenMessage,
} from './takenNames';

/**
 * Refuses, when the user moves to the next step, a name that breaks the
 * naming rule or that the catalog already has, each with a sentence.
 */
export const lubanNameValidation: CustomFieldValidator<
  string,
  { kind?: string }
> = async (value, validation, { apiHolder, uiSchema }) => {
  const kind = nameKindOf(uiSchema?.['ui:options']);
  const problem = nameProblemOf(kind, value);
  if (problem) {
    validation.addError(problem);
    return;
  }
  const catalogApi = apiHolder.get(catalogApiRef);
  // Without a catalog API (an app without the catalog) only the naming rule can be checked here.
  if (!catalogApi) return;
  try {
    if (await findEntityNamed(catalogApi, kind, value)) {
      validation.addError(nameTakenMessage(kind, value));
    }
  } catch (error) {
    validation.addError(
      `Could not ask the catalog whether a ${kind} named "${value}" exists (${
        (error as Error).message
      }); try again.`,
    );
  }
};
