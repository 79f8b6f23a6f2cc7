module.exports = { ...require('../../../jest.preset.js'), displayName: 'partners-http', rootDir: __dirname };
