const { shippedSizeLimits } = require('../../scripts/lib/eslint-size-limits');

module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  overrides: shippedSizeLimits,
});
