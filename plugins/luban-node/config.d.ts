export interface Config {
  /** Configuration of the luban plugins. */
  luban?: {
    /**
     * The deployment environments of every luban project, in promotion order
     * (each promotes from the one before it). Default: `snd`, then `prd`.
     * @visibility frontend
     */
    environments?: Array<{
      /**
       * Short name, e.g. `snd`: the overlay folder and namespace prefix.
       * @visibility frontend
       */
      name: string;
      /**
       * Pattern of the environment's namespace; `{env}` and `{project}` are
       * replaced. Default `{env}-{project}`.
       * @visibility frontend
       */
      namespace?: string;
    }>;
  };
}
