import { ConfigReader } from '@backstage/config';
import { readKubernetesClusters } from './clusters';

/** The Kubernetes plugin's cluster entries, with its (read-only) token. */
const kubernetesPlugin = {
  clusterLocatorMethods: [
    {
      type: 'config',
      clusters: [
        { name: 'east', url: 'https://east', authProvider: 'serviceAccount', serviceAccountToken: 'read-only-east' },
        { name: 'west', url: 'https://west', authProvider: 'serviceAccount', serviceAccountToken: 'read-only-west' },
      ],
    },
  ],
};

describe('readKubernetesClusters with luban.kubernetes.clusters', () => {
  it("uses luban's own token for a cluster it names, and the Kubernetes plugin's for the others", () => {
    const clusters = readKubernetesClusters(
      new ConfigReader({
        kubernetes: kubernetesPlugin,
        luban: { kubernetes: { clusters: [{ name: 'east', serviceAccountToken: 'luban-east' }] } },
      }),
    );

    expect(clusters.map(c => [c.name, c.url, c.serviceAccountToken])).toEqual([
      ['east', 'https://east', 'luban-east'],
      ['west', 'https://west', 'read-only-west'],
    ]);
  });

  it('refuses a luban token for a cluster the Kubernetes configuration does not have, naming it', () => {
    const config = new ConfigReader({
      kubernetes: kubernetesPlugin,
      luban: { kubernetes: { clusters: [{ name: 'north', serviceAccountToken: 'luban-north' }] } },
    });

    expect(() => readKubernetesClusters(config)).toThrow(
      "luban.kubernetes.clusters names 'north', which kubernetes.clusterLocatorMethods does not configure (with authProvider serviceAccount)",
    );
  });
});
