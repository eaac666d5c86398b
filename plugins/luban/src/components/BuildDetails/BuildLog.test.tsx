import { getCompoundEntityRef } from '@backstage/catalog-model';
import {
  TestApiProvider,
  mockApis,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import type { LubanBuild } from '@luban-backstage/plugin-luban-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { type LubanApi, lubanApiRef } from '../../api';
import {
  aBuild,
  backendError,
  fakeBuildLogs,
  lubanEntity,
  stepsUpTo,
} from '../shared/__testUtils__';
import { ALL_STEPS, BuildLog } from './BuildLog';

const entityRef = getCompoundEntityRef(lubanEntity());

/** The log with its step choice kept in state, as the Builds tab keeps it in the URL. */
function LogWithStepChoice(props: { build: LubanBuild; initialStep?: string }) {
  const [step, setStep] = useState(props.initialStep);
  return (
    <BuildLog
      entityRef={entityRef}
      build={props.build}
      step={step === ALL_STEPS ? undefined : step}
      onStepChange={setStep}
    />
  );
}

function renderLog(
  lubanApi: Partial<LubanApi>,
  build: LubanBuild,
  initialStep?: string,
) {
  const alertApi = mockApis.alert();
  const rendered = renderInTestApp(
    <TestApiProvider apis={[[lubanApiRef, lubanApi], alertApi]}>
      <LogWithStepChoice build={build} initialStep={initialStep} />
    </TestApiProvider>,
  );
  return { alertApi, ...rendered };
}

const running = aBuild({
  name: 'ledger-api-build-13',
  number: 13,
  status: 'running',
  digest: undefined,
  steps: stepsUpTo(4, 'running'),
});

describe('BuildLog', () => {
  it('shows new lines as they are written while the build runs', async () => {
    const logs = fakeBuildLogs();
    renderLog({ streamBuildLog: logs.streamBuildLog }, running, 'build');

    const log = await screen.findByRole('log', {
      name: 'Log of build #13, step build',
    });
    expect(log).toHaveAttribute('aria-live', 'polite');
    await waitFor(() => expect(logs.latest()).toBeDefined());
    expect(logs.latest().build).toBe('ledger-api-build-13');
    expect(logs.latest().options).toMatchObject({
      step: 'build',
      follow: true,
    });

    logs.latest().write('===> BUILDING\nInstalling node');
    expect(log).toHaveTextContent('===> BUILDING Installing node');
    expect(
      screen.getByText(/Following the build: new lines appear/),
    ).toBeInTheDocument();

    logs.latest().write(' 20.11.0\nDone\n');
    expect(log.textContent).toBe(
      '===> BUILDING\nInstalling node 20.11.0\nDone\n',
    );

    await logs.latest().end();
    expect(screen.getByText('End of the log.')).toBeInTheDocument();
  });

  it('reads the log of a finished build once, without following it', async () => {
    const logs = fakeBuildLogs({ all: '===> DETECTING\n===> BUILDING\n' });
    renderLog({ streamBuildLog: logs.streamBuildLog }, aBuild());

    const log = await screen.findByRole('log', {
      name: 'Log of build #12, all steps',
    });
    await waitFor(() =>
      expect(log.textContent).toBe('===> DETECTING\n===> BUILDING\n'),
    );
    expect(logs.streamBuildLog).toHaveBeenCalledWith(
      entityRef,
      'ledger-api-build-12',
      expect.any(Function),
      expect.objectContaining({ step: undefined, follow: false }),
    );
    expect(screen.getByText('End of the log.')).toBeInTheDocument();
  });

  it('switches to the chosen step and stops reading the previous one', async () => {
    const user = userEvent.setup();
    const logs = fakeBuildLogs();
    renderLog({ streamBuildLog: logs.streamBuildLog }, running, 'build');
    await waitFor(() => expect(logs.followed).toHaveLength(1));
    logs.latest().write('build output\n');

    await user.selectOptions(
      screen.getByRole('combobox', { name: 'Step' }),
      'detect (Succeeded)',
    );

    await waitFor(() => expect(logs.followed).toHaveLength(2));
    expect(logs.followed[0].options.signal?.aborted).toBe(true);
    expect(logs.latest().options.step).toBe('detect');
    const log = screen.getByRole('log', {
      name: 'Log of build #13, step detect',
    });
    expect(log).toBeEmptyDOMElement();
    logs.latest().write('nodejs 1.2.3\n');
    expect(log.textContent).toBe('nodejs 1.2.3\n');

    await user.selectOptions(
      screen.getByRole('combobox', { name: 'Step' }),
      'All steps',
    );
    await waitFor(() => expect(logs.followed).toHaveLength(3));
    expect(logs.latest().options.step).toBeUndefined();
  });

  it('stops reading when the view closes', async () => {
    const logs = fakeBuildLogs();
    const { unmount } = renderLog(
      { streamBuildLog: logs.streamBuildLog },
      running,
      'build',
    );
    await waitFor(() => expect(logs.followed).toHaveLength(1));

    unmount();

    expect(logs.latest().options.signal?.aborted).toBe(true);
  });

  it('shows only the lines matching the search, highlighted', async () => {
    const user = userEvent.setup();
    const logs = fakeBuildLogs({
      all: 'npm install\nnpm WARN deprecated inflight\nadded 120 packages\nwarning: slow disk\ndone\n',
    });
    renderLog({ streamBuildLog: logs.streamBuildLog }, aBuild());
    const log = await screen.findByRole('log');
    await waitFor(() => expect(log).toHaveTextContent('done'));

    await user.type(
      screen.getByRole('searchbox', { name: 'Search the log' }),
      'warn',
    );

    expect(log.textContent).toBe(
      'npm WARN deprecated inflight\nwarning: slow disk\n',
    );
    expect(
      within(log)
        .getAllByText(/warn/i, { selector: 'mark' })
        .map(mark => mark.textContent),
    ).toEqual(['WARN', 'warn']);
    expect(screen.getByRole('status')).toHaveTextContent('2 of 5 lines match');
    // The numbers of the matching lines are kept, to find them again.
    expect(
      Array.from(log.children).map(line => line.getAttribute('data-line')),
    ).toEqual(['2', '4']);

    await user.clear(screen.getByRole('searchbox', { name: 'Search the log' }));
    expect(log.textContent).toBe(
      'npm install\nnpm WARN deprecated inflight\nadded 120 packages\nwarning: slow disk\ndone\n',
    );
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
  });

  describe('download', () => {
    const saved: Array<{ name: string; href: string }> = [];
    const blobs: Blob[] = [];
    const originalCreate = URL.createObjectURL;
    const originalRevoke = URL.revokeObjectURL;

    beforeEach(() => {
      saved.length = 0;
      blobs.length = 0;
      URL.createObjectURL = (blob: Blob) => {
        blobs.push(blob);
        return 'blob:http://localhost/luban-log';
      };
      URL.revokeObjectURL = () => {};
      // jsdom cannot save files: record what the browser would save.
      jest
        .spyOn(HTMLAnchorElement.prototype, 'click')
        .mockImplementation(function record(this: HTMLAnchorElement) {
          saved.push({ name: this.download, href: this.href });
        });
    });

    afterEach(() => {
      URL.createObjectURL = originalCreate;
      URL.revokeObjectURL = originalRevoke;
      jest.restoreAllMocks();
    });

    it.each([
      ['build', 'ledger-api-build-12-build.log', 'Installing node\n'],
      [
        undefined,
        'ledger-api-build-12.log',
        '===> DETECTING\nInstalling node\n',
      ],
    ])(
      'saves the log of step %p as %p, read through the API',
      async (step, fileName, text) => {
        const user = userEvent.setup();
        const logs = fakeBuildLogs({
          build: 'Installing node\n',
          all: '===> DETECTING\nInstalling node\n',
        });
        renderLog({ streamBuildLog: logs.streamBuildLog }, aBuild(), step);
        await waitFor(() =>
          expect(screen.getByRole('log')).toHaveTextContent('Installing node'),
        );

        await user.click(screen.getByRole('button', { name: 'Download' }));

        await waitFor(() => expect(saved).toHaveLength(1));
        expect(saved[0]).toEqual({
          name: fileName,
          href: 'blob:http://localhost/luban-log',
        });
        expect(await blobs[0].text()).toBe(text);
        expect(logs.streamBuildLog).toHaveBeenLastCalledWith(
          entityRef,
          'ledger-api-build-12',
          expect.any(Function),
          { step },
        );
      },
    );

    it('saves what a running build has written so far, without waiting for its end', async () => {
      const user = userEvent.setup();
      const logs = fakeBuildLogs({ build: 'so far\n' });
      renderLog({ streamBuildLog: logs.streamBuildLog }, running, 'build');
      await waitFor(() => expect(logs.followed).toHaveLength(1));

      await user.click(screen.getByRole('button', { name: 'Download' }));

      await waitFor(() => expect(saved).toHaveLength(1));
      expect(saved[0].name).toBe('ledger-api-build-13-build.log');
      expect(await blobs[0].text()).toBe('so far\n');
    });

    it('tells the user when the log cannot be downloaded', async () => {
      const user = userEvent.setup();
      const logs = fakeBuildLogs({ all: 'text\n' });
      const denied = await backendError(
        403,
        'You may not build read component:default/ledger-api: only its owners may',
      );
      const { alertApi } = renderLog(
        {
          streamBuildLog: async (entity, build, onText, options) => {
            if (logs.streamBuildLog.mock.calls.length > 0) throw denied;
            return logs.streamBuildLog(entity, build, onText, options);
          },
        },
        aBuild(),
      );
      await waitFor(() =>
        expect(screen.getByRole('log')).toHaveTextContent('text'),
      );

      await user.click(screen.getByRole('button', { name: 'Download' }));

      await waitFor(() =>
        expect(alertApi.getAlerts()).toEqual([
          expect.objectContaining({
            message:
              'Could not download the log: You may not build read component:default/ledger-api: only its owners may',
            severity: 'error',
          }),
        ]),
      );
      expect(saved).toHaveLength(0);
    });
  });

  it("shows the backend's message when the log cannot be read, and tries again", async () => {
    const user = userEvent.setup();
    const missing = await backendError(
      404,
      "component:default/ledger-api has no build 'ledger-api-build-12'",
    );
    const streamBuildLog = jest
      .fn<
        ReturnType<LubanApi['streamBuildLog']>,
        Parameters<LubanApi['streamBuildLog']>
      >()
      .mockRejectedValueOnce(missing)
      .mockImplementation(async (_entity, _build, onText) => onText('found\n'));
    renderLog({ streamBuildLog }, aBuild());

    expect(
      await screen.findByText(
        "Could not read the log: component:default/ledger-api has no build 'ledger-api-build-12'",
      ),
    ).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Retry' }));

    await waitFor(() =>
      expect(screen.getByRole('log').textContent).toBe('found\n'),
    );
    expect(
      screen.queryByText(/Could not read the log/),
    ).not.toBeInTheDocument();
  });

  it('keeps the newest line in view while following, unless the user scrolled up', async () => {
    const user = userEvent.setup();
    const logs = fakeBuildLogs();
    renderLog({ streamBuildLog: logs.streamBuildLog }, running, 'build');
    const log = await screen.findByRole('log');
    await waitFor(() => expect(logs.followed).toHaveLength(1));
    // jsdom has no layout: give the log a height and a scroll position.
    let contentHeight = 1000;
    let scrollTop = 0;
    Object.defineProperties(log, {
      scrollHeight: { get: () => contentHeight },
      clientHeight: { get: () => 200 },
      scrollTop: {
        get: () => scrollTop,
        set: (value: number) => {
          scrollTop = value;
        },
      },
    });

    logs.latest().write('line 1\n');
    expect(scrollTop).toBe(1000);

    scrollTop = 300;
    fireEvent.scroll(log);
    contentHeight = 1200;
    logs.latest().write('line 2\n');
    expect(scrollTop).toBe(300);

    await user.click(
      screen.getByRole('button', { name: 'Jump to the newest line' }),
    );
    expect(scrollTop).toBe(1200);
    fireEvent.scroll(log);
    expect(
      screen.queryByRole('button', { name: 'Jump to the newest line' }),
    ).not.toBeInTheDocument();
  });
});
