// These tests drive the emulator, which runs real git processes and HTTP
// servers. A suite's set-up seeds two demo projects (builds, syncs, commits)
// and starts a backend: 6 s on a quiet machine, over 30 s on a 2-core one
// running other suites beside it. This is only the bound of a hung test; each
// test waits for what it needs, never for a guessed time.
jest.setTimeout(60_000);
