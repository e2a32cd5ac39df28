// Jest transform for files imported as text (e.g. a shell script a service serves): the module's default
// export is the file's content, as esbuild's `text` loader makes it in the bundles. Read from disk, because
// Jest hands transforms the source with a leading `#!` line blanked.
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');

module.exports = {
  process(_source, filename) {
    return { code: `module.exports = ${JSON.stringify(readFileSync(filename, 'utf8'))};` };
  },
  getCacheKey(_source, filename) {
    return createHash('sha256').update(readFileSync(__filename)).update(readFileSync(filename)).digest('hex');
  },
};
