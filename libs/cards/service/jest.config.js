module.exports = { ...require('../../../jest.preset.js'), displayName: 'cards', rootDir: __dirname };
