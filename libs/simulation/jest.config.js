module.exports = { ...require('../../jest.preset.js'), displayName: 'simulation', rootDir: __dirname };
