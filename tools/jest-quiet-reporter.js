// The reporter `npm test` prints with (jest.config.js; TEST_VERBOSE=1 brings back Jest's default one).
// A passing file prints nothing; a failing one prints its result line, the output it produced (its
// console and, through tools/jest-capture-output.js, what its services wrote to stdout and stderr)
// and its failures. The run ends with the failing files, then Jest's summary reporter adds the
// counts and the time. On a terminal Jest's progress line shows while the tests run.
// When Jest runs verbose (one test file, or --verbose) this is Jest's verbose reporter, unchanged.
const path = require('node:path');
const { DefaultReporter, VerboseReporter, utils } = require('@jest/reporters');

const SINK = Symbol.for('ledger.jest-capture-output.sink');
/** Lines of output shown per failing file: the last ones, nearest the failure. */
const MAX_OUTPUT_LINES = 400;
const CAPTURE_FILE = 'jest-capture-output.js';
const REPO_ROOT = path.resolve(__dirname, '..');
// eslint-disable-next-line no-control-regex -- the colour codes of the services' loggers, dropped when the output is not a terminal
const ANSI_ESCAPE = /\u001b\[[0-9;]*m/g;

class QuietReporter extends DefaultReporter {
  constructor(globalConfig) {
    if (globalConfig.verbose) return new VerboseReporter(globalConfig);
    super(globalConfig);
    this._failed = [];
  }

  onRunStart(aggregatedResults, options) {
    super.onRunStart(aggregatedResults, options);
    const files = aggregatedResults.numTotalTestSuites;
    this.log(
      `${files} test file${files === 1 ? '' : 's'}: a failing one prints its failures and its output ` +
        "(TEST_VERBOSE=1 for Jest's default output).",
    );
  }

  onTestResult(test, result, aggregatedResults) {
    detachCapture();
    this.testFinished(test.context.config, result, aggregatedResults);
    if (result.numFailingTests > 0 || result.testExecError) {
      const config = test.context.config;
      this._failed.push(utils.getResultHeader(result, this._globalConfig, config));
      this.log(utils.getResultHeader(result, this._globalConfig, config));
      if (result.console && result.console.length > 0) this.log(formatOutput(result.console));
      if (result.failureMessage) this.log(result.failureMessage);
    }
    this.forceFlushBufferedOutput();
  }

  onRunComplete(testContexts, aggregatedResults) {
    detachCapture();
    super.onRunComplete(testContexts, aggregatedResults);
    if (this._failed.length > 0) {
      this.log(`\n${this._failed.length} failing test file${this._failed.length === 1 ? '' : 's'}:`);
      for (const header of this._failed) this.log(`  ${header}`);
      // Jest's summary reporter separates itself with a blank line only after a passing file.
      const last = aggregatedResults.testResults.at(-1);
      if (last && (last.numFailingTests > 0 || last.testExecError)) this.log('');
    }
  }
}

/** In a run in band the tests share these streams with the reporters: what the reporters write must reach the terminal. */
function detachCapture() {
  process.stdout[SINK] = undefined;
  process.stderr[SINK] = undefined;
}

/**
 * One line per line of output: `stdout`/`stderr` for what the file's code wrote to the streams,
 * `console.<type> (where)` for its console calls; at most MAX_OUTPUT_LINES, the last ones.
 */
function formatOutput(entries) {
  const lines = [];
  for (const { type, message, origin } of entries) {
    const frame = firstFrame(origin);
    const label = frame.includes(CAPTURE_FILE) ? (type === 'error' ? 'stderr' : 'stdout') : `console.${type} (${where(frame)})`;
    const text = process.stderr.isTTY ? String(message) : String(message).replace(ANSI_ESCAPE, '');
    for (const line of text.split('\n')) lines.push(`    ${label} | ${line}`);
  }
  const shown = lines.slice(-MAX_OUTPUT_LINES);
  const left = lines.length - shown.length;
  return [
    `  ● Output (${lines.length} line${lines.length === 1 ? '' : 's'}${left > 0 ? `, the last ${shown.length}` : ''})`,
    ...shown,
    '',
  ].join('\n');
}

function firstFrame(origin) {
  return (
    String(origin ?? '')
      .split('\n')
      .find((line) => line.trim().startsWith('at ')) ?? ''
  );
}

/** `libs/x/src/file.ts:12` from a stack frame. */
function where(frame) {
  const match = /\(?([^\s()]+):(\d+):\d+\)?\s*$/.exec(frame);
  if (!match) return frame.trim() || 'unknown';
  const file = match[1].startsWith('file://') ? match[1].slice('file://'.length) : match[1];
  return `${path.isAbsolute(file) ? path.relative(REPO_ROOT, file) : file}:${match[2]}`;
}

module.exports = QuietReporter;
