import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import scaffolderModuleAzure from '@backstage/plugin-scaffolder-backend-module-azure';
import scaffolderModuleGithub from '@backstage/plugin-scaffolder-backend-module-github';
import type { JsonObject } from '@backstage/types';
import type { RunningEmulator } from '@luban-backstage/emulator';
// The test hosts both plugins, as an adopter's backend does; the module's code never imports the plugin.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import lubanBackendPlugin from '@luban-backstage/plugin-luban-backend';
import request from 'supertest';
import yaml from 'yaml';
import scaffolderModuleLuban from '../index';
import { runTask, USER_AUTHORIZATION } from './harness';
import { permissionsFactory, userInfoFactory } from './users';

/** The repository's software templates, one folder each, as the Create page lists them. */
export const TEMPLATES_DIR = resolve(__dirname, '../../../../templates');

/** The template folders under {@link TEMPLATES_DIR}. */
export function templateFolders(): string[] {
  return readdirSync(TEMPLATES_DIR, { withFileTypes: true })
    .filter(entry => entry.isDirectory())
    .map(entry => entry.name)
    .sort();
}

/** Every file of a folder, by path relative to it. */
function filesOf(dir: string, root = dir): Array<{ path: string; content: Buffer }> {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesOf(path, root) : [{ path: relative(root, path), content: readFileSync(path) }];
  });
}

/**
 * The Template kind, for the catalog. Backstage apps get it from the
 * scaffolder's catalog module; its schema is checked here by the dry-run
 * API, which validates every template the same way.
 */
const templateKindModule = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'luban-test-template-kind',
  register(env) {
    env.registerInit({
      deps: { catalog: catalogProcessingExtensionPoint },
      async init({ catalog }) {
        catalog.addProcessor({
          getProcessorName: () => 'TemplateKindProcessor',
          async validateEntityKind(entity) {
            return entity.apiVersion === 'scaffolder.backstage.io/v1beta3' && entity.kind === 'Template';
          },
        });
      },
    });
  },
});

/** Maps a repository's web or clone URL on the emulator to its path in `emulator.git`. */
export function emulatedRepository(emulator: RunningEmulator, url: string): string {
  const parsed = new URL(url);
  const segments = parsed.pathname.split('/').filter(Boolean);
  if (parsed.host === new URL(emulator.github.url).host && segments.length === 2) {
    return `github/${segments[0]}/${segments[1].replace(/\.git$/, '')}.git`;
  }
  if (parsed.host === new URL(emulator.azure.url).host && segments.length === 4 && segments[2] === '_git') {
    return `azure/${segments[0]}/${segments[1]}/${segments[3]}.git`;
  }
  throw new Error(`${url} is not a repository of the emulator`);
}

/** The files of a repository's default branch, by path. */
export async function repositoryFiles(emulator: RunningEmulator, repository: string): Promise<Record<string, string>> {
  const branch = await emulator.git.defaultBranch(repository);
  const files: Record<string, string> = {};
  for (const path of await emulator.git.listFiles(repository, branch)) {
    files[path] = (await emulator.git.readFile(repository, branch, path))!.content.toString('utf8');
  }
  return files;
}

/** Writes files into a new temporary folder, as a checkout of a repository would, and returns it. */
export function checkout(files: Record<string, string>, prefix = 'luban-checkout-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/**
 * Starts a backend as an adopter runs it for luban's templates: the real
 * catalog (loading every template of {@link TEMPLATES_DIR}), the scaffolder
 * with its GitHub and Azure DevOps publishers, the luban actions, and the
 * luban backend, which deploys each app's first build to snd.
 */
export async function startTemplateBackend(config: JsonObject) {
  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      templateKindModule,
      scaffolderPlugin,
      scaffolderModuleGithub,
      scaffolderModuleAzure,
      scaffolderModuleLuban,
      lubanBackendPlugin,
      userInfoFactory,
      permissionsFactory,
      mockServices.rootConfig.factory({
        data: {
          ...config,
          catalog: {
            rules: [{ allow: ['Component', 'System', 'Resource', 'Location', 'Template', 'Group', 'User'] }],
            locations: [{ type: 'file', target: join(TEMPLATES_DIR, '*/template.yaml') }],
          },
        },
      }),
    ],
  });
  const { server } = backend;

  /** An entity as the catalog's REST API serves it; undefined when it does not exist (yet). */
  const entity = async (kind: string, name: string): Promise<any | undefined> => {
    const response = await request(server)
      .get(`/api/catalog/entities/by-name/${kind}/default/${name}`)
      .set('Authorization', USER_AUTHORIZATION);
    return response.status === 200 ? response.body : undefined;
  };

  /**
   * Waits until the catalog has processed an entity (it does so in the background, about once a second,
   * and tells no one): asked again after a short pause, bounded by jest's timeout, not a deadline here.
   */
  const waitForEntity = async (kind: string, name: string): Promise<any> => {
    for (;;) {
      const found = await entity(kind, name);
      if (found) return found;
      await new Promise(resolveWait => setTimeout(resolveWait, 100));
    }
  };

  return {
    server,
    entity,
    waitForEntity,
    /** Stops the backend as a stopped process would leave it: its database connections closed, its running tasks abandoned. */
    stop: () => backend.stop(),

    /** The catalog's registered locations, by target. */
    async locations(): Promise<string[]> {
      const response = await request(server).get('/api/catalog/locations').set('Authorization', USER_AUTHORIZATION);
      return response.body.map((l: { data: { target: string } }) => l.data.target);
    },

    /** Runs a template of {@link TEMPLATES_DIR} as the Create page does: by its catalog entity, with the form's values. */
    async run(templateName: string, values: JsonObject) {
      await waitForEntity('template', templateName);
      return runTask(server, `template:default/${templateName}`, values);
    },

    /**
     * Runs a template folder through the dry-run API as the template editor
     * sends it: the template and every file beside it, base64-encoded.
     */
    async dryRun(folder: string, values: JsonObject) {
      const dir = join(TEMPLATES_DIR, folder);
      const template = yaml.parse(readFileSync(join(dir, 'template.yaml'), 'utf8'));
      const response = await request(server)
        .post('/api/scaffolder/v2/dry-run')
        .set('Authorization', USER_AUTHORIZATION)
        .send({
          template,
          values,
          directoryContents: filesOf(dir).map(file => ({ path: file.path, base64Content: file.content.toString('base64') })),
        });
      const files: Record<string, string> = Object.fromEntries(
        (response.body.directoryContents ?? []).map((f: { path: string; base64Content: string }) => [
          f.path,
          Buffer.from(f.base64Content, 'base64').toString('utf8'),
        ]),
      );
      return {
        status: response.status,
        body: response.body,
        /** The files the run would publish. */
        files,
        log: (response.body.log ?? []).map((l: { body: { message: string } }) => l.body.message) as string[],
      };
    },
  };
}
