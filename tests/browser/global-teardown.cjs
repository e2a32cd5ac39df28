const { rmSync } = require('node:fs');

module.exports = async () => {
  if (process.env.BROWSER_TEST_DIST) rmSync(process.env.BROWSER_TEST_DIST, { recursive: true, force: true });
};
