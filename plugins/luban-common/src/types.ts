/**
 * One environment an app is deployed to, as configured in `luban.environments`.
 * @public
 */
export interface LubanEnvironment {
  /** Short name, e.g. `snd`; also the overlay folder name. */
  name: string;
  /** Pattern of the environment's namespace, default `{env}-{project}`. */
  namespacePattern: string;
  /** Whether Argo CD syncs it by itself (the first environment by default). */
  autoSync?: boolean;
}

/**
 * The answer of `GET /api/luban/health`.
 * @public
 */
export interface LubanHealth {
  status: 'ok';
  /** The version of the luban backend plugin package. */
  version: string;
  /** The configured environments, in promotion order. */
  environments: LubanEnvironment[];
}
