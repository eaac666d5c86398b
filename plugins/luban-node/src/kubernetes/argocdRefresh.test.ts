import { applicationFollows, argoCdRefreshPatch } from './argocdRefresh';

const application = (source: Record<string, unknown>) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'snd-payments-ledger-api', namespace: 'argocd' },
  spec: { source },
});

describe('which Argo CD Applications follow a GitOps change', () => {
  const github = application({ repoURL: 'https://github.example/Payments/payments-gitops.git', path: 'apps/ledger-api/overlays/snd', targetRevision: 'main' });

  it('matches the repository by its web or clone URL, whatever the case or credentials', () => {
    expect(applicationFollows(github, { repositoryUrl: 'https://github.example/payments/payments-gitops', branch: 'main' })).toBe(true);
    const azure = application({ repoURL: 'https://luban@dev.example/luban/payments/_git/payments-gitops', path: 'apps/x', targetRevision: 'main' });
    expect(applicationFollows(azure, { repositoryUrl: 'https://dev.example/luban/payments/_git/payments-gitops', branch: 'main' })).toBe(true);
    expect(applicationFollows(github, { repositoryUrl: 'https://github.example/payments/other-gitops', branch: 'main' })).toBe(false);
  });

  // argo-cd util/webhook/webhook.go sourceRevisionHasChanged: the target revision is the pushed branch, or HEAD
  it('follows only the branch it targets (HEAD or none follows any)', () => {
    expect(applicationFollows(github, { repositoryUrl: 'https://github.example/payments/payments-gitops', branch: 'release' })).toBe(false);
    const refs = application({ repoURL: 'https://github.example/payments/payments-gitops', path: 'a', targetRevision: 'refs/heads/release' });
    expect(applicationFollows(refs, { repositoryUrl: 'https://github.example/payments/payments-gitops', branch: 'release' })).toBe(true);
    const head = application({ repoURL: 'https://github.example/payments/payments-gitops', path: 'a', targetRevision: 'HEAD' });
    expect(applicationFollows(head, { repositoryUrl: 'https://github.example/payments/payments-gitops', branch: 'release' })).toBe(true);
  });

  it('when paths are given, follows only a change under its source path', () => {
    const change = (path: string) => ({ repositoryUrl: 'https://github.example/payments/payments-gitops', branch: 'main', paths: [path] });
    expect(applicationFollows(github, change('apps/ledger-api/overlays/snd/kustomization.yaml'))).toBe(true);
    expect(applicationFollows(github, change('apps/ledger-api/overlays/prd/kustomization.yaml'))).toBe(false);
    expect(applicationFollows(github, change('apps/ledger-api/overlays/snd-other/kustomization.yaml'))).toBe(false);
  });

  // argo-cd util/argo/argo.go RefreshApp
  it('asks for a normal refresh through the refresh annotation', () => {
    expect(argoCdRefreshPatch()).toEqual({ metadata: { annotations: { 'argocd.argoproj.io/refresh': 'normal' } } });
  });
});
