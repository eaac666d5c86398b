import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { conventionalRepoUrl } from './conventionalRepoUrl';
import type { LubanRepoUrlPickerProps } from './schema';

/**
 * Backstage's RepoUrlPicker, prefilled by luban's naming convention: the
 * repository named after the project (`<project>-gitops`) or the app, beside
 * the project's GitOps repository. The user may change every part. Only a
 * field the user has not filled yet is prefilled.
 */
export const LubanRepoUrlPicker = (props: LubanRepoUrlPickerProps) => {
  const { formData, formContext, registry, uiSchema } = props;
  const catalogApi = useApi(catalogApiRef);
  const form: Record<string, unknown> = formContext?.formData ?? {};
  // Read once as the step opens: the picker takes its value only when it mounts.
  const prefill = useAsync(async () => {
    if (formData) return undefined;
    return conventionalRepoUrl(uiSchema['ui:options'] ?? {}, form, catalogApi);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  // The scaffolder registers Backstage's own pickers under their names.
  const RepoUrlPicker = registry.fields.RepoUrlPicker;
  if (!RepoUrlPicker) {
    return (
      <Typography color="error">
        This form needs Backstage's RepoUrlPicker field, which the app does not
        provide.
      </Typography>
    );
  }
  if (prefill.loading) return <Progress />;
  return <RepoUrlPicker {...props} formData={formData || prefill.value} />;
};
