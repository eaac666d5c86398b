/**
 * GitHub's wire representations of the emulator's records, one file per
 * resource group: accounts, repositories (with protection and hooks), git
 * objects and commits, and the contents API.
 */
export * from './accounts';
export * from './contents';
export * from './git';
export * from './repos';
