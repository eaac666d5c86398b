import type { CustomFieldValidator } from '@backstage/plugin-scaffolder-react';

/**
 * Refuses, in words, a repository without a host, a place on it or a name
 * (what Backstage's RepoUrlPicker validation checks for its own field).
 */
export const lubanRepoUrlValidation: CustomFieldValidator<string> = (
  value,
  validation,
) => {
  let url: URL | undefined;
  try {
    url = value ? new URL(`https://${value}`) : undefined;
  } catch {
    url = undefined;
  }
  if (!url?.host) {
    validation.addError('Choose the git host the repository goes on.');
    return;
  }
  const params = url.searchParams;
  if (!params.get('owner') && !params.get('organization')) {
    validation.addError(
      'Name the organization or user the repository belongs to.',
    );
  }
  if (!params.get('repo')) validation.addError('Name the repository.');
};
