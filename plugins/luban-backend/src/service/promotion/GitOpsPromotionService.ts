// PLACEHOLDER — replaced by the promotion work (helper). Do not ship.
import { NotImplementedError } from '@backstage/errors';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { GitProviders, HarborClient } from '@luban-backstage/plugin-luban-node';
import type { ClusterAccess } from '../ClusterAccess';
import type { BuildService, PromotionService } from '../types';

export class GitOpsPromotionService implements PromotionService {
  constructor(
    readonly options: {
      clusters: ClusterAccess;
      git: GitProviders;
      harbor?: HarborClient;
      builds: BuildService;
      gitopsBranch: string;
      argoCdNamespace: string;
      /** Argo CD's web UI, for links; optional. */
      argoCdBaseUrl?: string;
      logger: LoggerService;
    },
  ) {}
  async getState(): Promise<never> {
    throw new NotImplementedError('promotion');
  }
  async promote(): Promise<never> {
    throw new NotImplementedError('promotion');
  }
  async history(): Promise<never> {
    throw new NotImplementedError('promotion');
  }
  async rollback(): Promise<never> {
    throw new NotImplementedError('promotion');
  }
}
