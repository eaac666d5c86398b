import { releaseTagOfRef } from './releaseTags';

// The rule of luban-ci's kpack template (metasync/luban-ci manifests/workflows/luban-ci-kpack-template): one leading `v` stripped.
describe('releaseTagOfRef', () => {
  it('strips one leading v of a version tag', () => {
    expect(releaseTagOfRef('refs/tags/v1.2.3')).toBe('1.2.3');
    expect(releaseTagOfRef('refs/tags/1.2.3')).toBe('1.2.3');
    expect(releaseTagOfRef('refs/tags/v2.0.0-rc.1')).toBe('2.0.0-rc.1');
    expect(releaseTagOfRef('refs/tags/v1.4')).toBe('1.4');
  });

  it('ignores branches and tags that are not versions', () => {
    for (const ref of ['refs/heads/v1.2.3', 'refs/tags/nightly', 'refs/tags/vv1.2.3', 'refs/tags/v1.2.3+build.5', 'refs/tags/v1.2.3.4', 'refs/tags/', 'refs/tags/v1.2.3-rc.', 'refs/tags/v1.2.3-rc-', `refs/tags/v1.2.3-${'a'.repeat(60)}`]) {
      expect(releaseTagOfRef(ref)).toBeUndefined();
    }
  });
});
