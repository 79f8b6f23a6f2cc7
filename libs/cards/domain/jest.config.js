module.exports = { ...require('../../../jest.preset.js'), displayName: 'cards-domain', rootDir: __dirname };
