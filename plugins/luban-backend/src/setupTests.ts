// These tests drive the emulator, which runs real git processes and HTTP
// servers; on a 2-core CI machine running suites in parallel, 5 s is too tight.
jest.setTimeout(30_000);
