module.exports = { ...require('../../../jest.preset.js'), displayName: 'partners-simulator', rootDir: __dirname };
