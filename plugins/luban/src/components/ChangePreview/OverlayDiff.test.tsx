import { renderInTestApp } from '@backstage/frontend-test-utils';
import { type Theme, useTheme } from '@material-ui/core/styles';
import { screen } from '@testing-library/react';
import { OverlayDiff } from './OverlayDiff';

/** rgb(…) as the browser reports a computed colour. */
function rgb(hex: string): string {
  const [r, g, b] = [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16));
  return `rgb(${r}, ${g}, ${b})`;
}

describe('OverlayDiff', () => {
  it("colours added and removed lines with the theme's success and error colours", async () => {
    let theme: Theme | undefined;
    function WithTheme() {
      theme = useTheme();
      return (
        <OverlayDiff
          overlayPath="apps/ledger-api/overlays/prd/kustomization.yaml"
          diff={`--- a/k.yaml\n+++ b/k.yaml\n@@ -1,3 +1,3 @@\n images:\n-  digest: old\n+  digest: new\n`}
        />
      );
    }
    renderInTestApp(<WithTheme />);

    const removed = await screen.findByText('- digest: old');
    const added = screen.getByText('+ digest: new');
    expect(getComputedStyle(added).color).toBe(
      rgb(theme!.palette.success.main),
    );
    expect(getComputedStyle(removed).color).toBe(
      rgb(theme!.palette.error.main),
    );
    // File headers are not additions or removals.
    expect(getComputedStyle(screen.getByText('+++ b/k.yaml')).color).not.toBe(
      rgb(theme!.palette.success.main),
    );
    expect(
      screen.getByText('apps/ledger-api/overlays/prd/kustomization.yaml'),
    ).toBeVisible();
  });
});
