import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink, catalogApiRef } from '@backstage/plugin-catalog-react';
import TextField from '@material-ui/core/TextField';
import { makeStyles } from '@material-ui/core/styles';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useDebounce from 'react-use/esm/useDebounce';
import type { LubanNameFieldProps } from './schema';
import {
  findEntityNamed,
  nameKindOf,
  nameProblemOf,
  nameTakenMessage,
} from './takenNames';

const useStyles = makeStyles(theme => ({
  // The theme's error red is below WCAG's 4.5:1 for small text on the page
  // (axe color-contrast): a shade further from the background.
  error: {
    '&.Mui-error': {
      color:
        theme.palette.type === 'dark'
          ? theme.palette.error.light
          : theme.palette.error.dark,
    },
  },
}));

/** How long typing pauses before the catalog is asked whether the name is taken. */
const CATALOG_CHECK_DELAY_MS = 400;

/**
 * A project or app name on the Create page: says in a sentence what is wrong
 * with it as it is typed (the naming rule of plugin-luban-common), and asks
 * the catalog whether a project or app of that name exists — if so, says so
 * with a link to it. {@link lubanNameValidation} refuses the same names when
 * the user moves on.
 */
export const LubanNameField = (props: LubanNameFieldProps) => {
  const {
    onChange,
    required,
    schema: { title, description },
    rawErrors = [],
    formData,
    uiSchema,
    idSchema,
  } = props;
  const classes = useStyles();
  const kind = nameKindOf(uiSchema['ui:options']);
  const catalogApi = useApi(catalogApiRef);
  const [settled, setSettled] = useState(formData);
  useDebounce(() => setSettled(formData), CATALOG_CHECK_DELAY_MS, [formData]);

  // Before anything is typed the description guides; an empty name is refused on Next.
  const problem = formData ? nameProblemOf(kind, formData) : undefined;
  const { value: existing } = useAsync(async () => {
    if (!settled || nameProblemOf(kind, settled)) return undefined;
    return findEntityNamed(catalogApi, kind, settled);
  }, [catalogApi, kind, settled]);
  const taken = existing && settled === formData ? existing : undefined;

  // The form's refusal of a missing name is in its own words ("must have required property"): say it in ours.
  let message: JSX.Element | string | undefined =
    problem ??
    (rawErrors.length > 0 ? nameProblemOf(kind, formData) : undefined);
  if (taken) {
    message = (
      <>
        {nameTakenMessage(kind, formData!)} Open it:{' '}
        {/* Underlined: in a sentence, colour alone does not tell a link apart (WCAG 1.4.1). */}
        <EntityRefLink
          entityRef={taken}
          defaultKind={taken.kind}
          underline="always"
        />
      </>
    );
  }
  return (
    <TextField
      id={idSchema?.$id}
      label={title}
      value={formData ?? ''}
      onChange={event => onChange(event.target.value)}
      error={message !== undefined}
      helperText={message ?? description}
      // The asterisk only: the browser's own "Please fill out this field"
      // would hide the sentence that says what the name needs.
      InputLabelProps={{ required, className: classes.error }}
      inputProps={{ autoFocus: uiSchema['ui:autofocus'], spellCheck: false }}
      // Read out as it changes: the sentence is the field's feedback.
      FormHelperTextProps={{ 'aria-live': 'polite', className: classes.error }}
      margin="normal"
      fullWidth
    />
  );
};
