// A jest transform for SVG files: their text as the module, as the labextension build's loader gives it.
module.exports = {
  process(source) {
    return { code: `module.exports = ${JSON.stringify(source)};` };
  }
};
