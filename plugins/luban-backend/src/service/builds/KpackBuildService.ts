// PLACEHOLDER — replaced by the builds work (helper). Do not ship.
import { NotImplementedError } from '@backstage/errors';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { GitProviders, HarborClient } from '@luban-backstage/plugin-luban-node';
import type { ClusterAccess } from '../ClusterAccess';
import type { BuildService } from '../types';

export class KpackBuildService implements BuildService {
  constructor(
    readonly options: { clusters: ClusterAccess; git: GitProviders; harbor?: HarborClient; logger: LoggerService },
  ) {}
  async listBuilds(): Promise<never> {
    throw new NotImplementedError('builds');
  }
  async getBuild(): Promise<never> {
    throw new NotImplementedError('builds');
  }
  async streamLog(): Promise<never> {
    throw new NotImplementedError('builds');
  }
  async rebuild(): Promise<never> {
    throw new NotImplementedError('builds');
  }
}
