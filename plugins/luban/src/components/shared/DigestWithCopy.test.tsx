import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DigestWithCopy, digestLabel } from './DigestWithCopy';

const digest = `sha256:${'abcdef1234567890'.repeat(4)}`;

describe('DigestWithCopy', () => {
  it('shortens a digest to its algorithm and 12 hex digits', () => {
    expect(digestLabel(digest)).toBe('sha256:abcdef123456');
  });

  it('shows the short digest, links it to Harbor and keeps the full digest on hover', async () => {
    renderInTestApp(
      <DigestWithCopy
        digest={digest}
        url="https://harbor.acme.test/artifact"
      />,
    );

    const link = await screen.findByRole('link', {
      name: /Digest sha256:abcdef123456 in Harbor/,
    });
    expect(link).toHaveAttribute('href', 'https://harbor.acme.test/artifact');
    expect(screen.getByTitle(digest)).toHaveTextContent(
      /^sha256:abcdef123456$/,
    );
  });

  it('copies the full digest and confirms it', async () => {
    const user = userEvent.setup();
    const writeText = jest.fn(async () => {});
    // userEvent installs its own clipboard on setup(); replace it with a spy.
    Object.defineProperty(navigator, 'clipboard', {
      value: { writeText },
      configurable: true,
    });
    renderInTestApp(<DigestWithCopy digest={digest} />);

    await user.click(
      await screen.findByRole('button', {
        name: 'Copy digest sha256:abcdef123456',
      }),
    );

    expect(writeText).toHaveBeenCalledWith(digest);
    expect(await screen.findByRole('tooltip')).toHaveTextContent('Copied');
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
  });

  it('tells the user when the browser refuses to copy', async () => {
    const user = userEvent.setup();
    Object.defineProperty(navigator, 'clipboard', {
      value: {
        writeText: async () => {
          throw new Error('Write permission denied.');
        },
      },
      configurable: true,
    });
    const alertApi = mockApis.alert();
    renderInTestApp(<DigestWithCopy digest={digest} />, { apis: [alertApi] });

    await user.click(
      await screen.findByRole('button', { name: /Copy digest/ }),
    );

    await waitFor(() =>
      expect(alertApi.getAlerts()).toEqual([
        expect.objectContaining({
          message: 'Could not copy the digest: Write permission denied.',
          severity: 'error',
        }),
      ]),
    );
  });
});
