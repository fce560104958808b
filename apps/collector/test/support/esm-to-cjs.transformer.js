// Jest runs tests as CommonJS, and NestJS 12 ships as ES modules only: Jest (before Node 24.9)
// cannot require them. This transformer rewrites those packages to CommonJS with Babel, replacing
// `import.meta.url` (which CommonJS lacks) by the file's URL.
const babel = require('@babel/core');

function importMetaUrl({ types: t }) {
  return {
    visitor: {
      MemberExpression(path) {
        const { object, property } = path.node;
        if (t.isMetaProperty(object) && object.meta.name === 'import' && t.isIdentifier(property, { name: 'url' })) {
          path.replaceWithSourceString("module.require('node:url').pathToFileURL(__filename).href");
        }
      },
    },
  };
}

module.exports = {
  process(source, filename) {
    const result = babel.transformSync(source, {
      filename,
      babelrc: false,
      configFile: false,
      sourceMaps: 'inline',
      // dynamic import() (Nest loads its HTTP adapter that way) becomes require() too
      plugins: [
        importMetaUrl,
        '@babel/plugin-transform-dynamic-import',
        ['@babel/plugin-transform-modules-commonjs', { importInterop: 'node' }],
      ],
    });
    return { code: result.code };
  },
  getCacheKey(source, filename) {
    return require('node:crypto').createHash('sha1').update('esm-to-cjs-3').update(filename).update(source).digest('hex');
  },
};
