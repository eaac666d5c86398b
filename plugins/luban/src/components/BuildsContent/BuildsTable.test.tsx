import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, within } from '@testing-library/react';
import { aBuild } from '../shared/__testUtils__';
import { BuildsTable } from './BuildsTable';

describe('the builds table', () => {
  it('marks the build of a pushed version tag as a release candidate, and no other', async () => {
    await renderInTestApp(
      <BuildsTable
        image="ci-acme/ledger-api"
        builds={[
          aBuild({
            name: 'ledger-api-build-14',
            number: 14,
            reasons: ['CONFIG'],
            releaseTag: '1.2.3',
          }),
          aBuild({
            name: 'ledger-api-build-13',
            number: 13,
            reasons: ['COMMIT'],
          }),
        ]}
        detailsHref={name => `/builds/${name}`}
      />,
    );
    const [release, other] = screen.getAllByRole('row').slice(1);
    expect(within(release).getByText('release 1.2.3')).toBeInTheDocument();
    expect(within(other).queryByText(/^release /)).not.toBeInTheDocument();
  });
});
