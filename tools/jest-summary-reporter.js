// Writes Jest's aggregated JSON result (the same object `jest --json` prints) to
// .local/test-results.json after every run, so CI can read the counts from exactly `npm test`.
const fs = require('node:fs');
const path = require('node:path');

class JsonSummaryReporter {
  onRunComplete(_contexts, results) {
    const file = path.join(__dirname, '..', '.local', 'test-results.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const { testResults, ...summary } = results;
    const failures = testResults
      .filter((suite) => suite.numFailingTests > 0 || suite.testExecError)
      .map((suite) => ({
        file: path.relative(path.join(__dirname, '..'), suite.testFilePath),
        failing: suite.numFailingTests,
        error: suite.testExecError?.message,
      }));
    fs.writeFileSync(file, JSON.stringify({ ...summary, failures }, null, 2));
  }
}

module.exports = JsonSummaryReporter;
