import '@testing-library/jest-dom';

// jest's 5 s default decides by machine speed: a table test that takes 3.7 s alone outlasts it when two
// workers share two cores with the backends' suites. Like the other packages, a hung test still fails.
jest.setTimeout(30_000);
