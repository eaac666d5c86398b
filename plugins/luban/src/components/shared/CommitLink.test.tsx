import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { CommitLink } from './CommitLink';

const sha = '0123456789abcdef0123456789abcdef01234567';

describe('CommitLink', () => {
  it('links the short SHA to the commit page', async () => {
    renderInTestApp(
      <CommitLink
        sha={sha}
        url={`https://github.com/acme/ledger-api/commit/${sha}`}
      />,
    );

    const link = await screen.findByRole('link', { name: /Commit 0123456/ });
    expect(link).toHaveAttribute(
      'href',
      `https://github.com/acme/ledger-api/commit/${sha}`,
    );
    expect(link).toHaveTextContent('0123456');
    expect(screen.getByTitle(sha)).toHaveTextContent(/^0123456$/);
  });

  it('shows the short SHA without a link when the commit URL is unknown', async () => {
    renderInTestApp(<CommitLink sha={sha} />);

    expect(await screen.findByText('0123456')).toBeInTheDocument();
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
  });
});
