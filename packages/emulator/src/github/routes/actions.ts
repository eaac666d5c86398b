import { generateKeyPairSync } from 'node:crypto';
import { GitHubError } from '../errors';
import { timestamp } from '../model';
import type { Route } from '../router';
import type { GitHubState } from '../state';
import {
  json,
  noContent,
  page,
  route,
  stringField,
  visibleRepo,
  writableRepo,
} from './common';

/** A public key for encrypting Actions secrets (sealed boxes use X25519 keys). */
function actionsPublicKey() {
  const { publicKey } = generateKeyPairSync('x25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return { key_id: String(raw.readUInt32BE(0)), key: raw.toString('base64') };
}

/** GitHub Actions settings of a repository: variables and secrets. */
export function actionsRoutes(state: GitHubState): Route[] {
  const secretsKey = actionsPublicKey();
  return [
    route(
      'POST',
      '/repos/{owner}/{repo}/actions/variables',
      'actions/variables#create-a-repository-variable',
      async req => {
        const repo = writableRepo(state, req);
        const name = stringField(req, 'name', true).toUpperCase();
        const value = stringField(req, 'value', true);
        if (repo.variables.has(name))
          throw new GitHubError(
            409,
            'Already exists - Variable already exists',
          );
        repo.variables.set(name, {
          value,
          createdAt: timestamp(),
          updatedAt: timestamp(),
        });
        return json(201, {});
      },
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/actions/variables',
      'actions/variables#list-repository-variables',
      async req => {
        const repo = visibleRepo(state, req);
        const variables = [...repo.variables].map(([name, variable]) => ({
          name,
          value: variable.value,
          created_at: variable.createdAt,
          updated_at: variable.updatedAt,
        }));
        const paged = page(req, variables);
        return {
          ...paged,
          body: { total_count: variables.length, variables: paged.body },
        };
      },
      { requiresAuth: true },
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/actions/secrets/public-key',
      'actions/secrets#get-a-repository-public-key',
      async req => {
        visibleRepo(state, req);
        return json(200, secretsKey);
      },
      { requiresAuth: true },
    ),
    route(
      'PUT',
      '/repos/{owner}/{repo}/actions/secrets/{secret_name}',
      'actions/secrets#create-or-update-a-repository-secret',
      async req => {
        const repo = writableRepo(state, req);
        stringField(req, 'encrypted_value', true);
        if (stringField(req, 'key_id', true) !== secretsKey.key_id) {
          throw new GitHubError(
            422,
            'Bad request - the key_id does not match the latest public key',
          );
        }
        const name = req.params.secret_name.toUpperCase();
        const existing = repo.secrets.get(name);
        repo.secrets.set(name, {
          createdAt: existing?.createdAt ?? timestamp(),
          updatedAt: timestamp(),
        });
        return existing ? noContent() : json(201, {});
      },
    ),
  ];
}
