// Loaded (as a setup file of every project, by jest.config.js when the output is quiet) at the start
// of each test file. The services under test write their logs straight to the process streams (the
// Nest logger, the KafkaJS log creator), which Jest would pass to the terminal for every file, passing
// or not. This hands each such write to the file's buffered console instead (`console.log` for
// stdout, `console.error` for stderr), so it reaches the reporter in `testResult.console` with the
// file it belongs to, and tools/jest-quiet-reporter.js shows it only when that file fails.
//
// The streams are the worker's own, shared by every test file it runs: each file points the one
// wrapper at its console (`sink`). Writes that come after a file has finished (a late log line of
// its services) go to that file's console and are dropped with it. The reporter detaches the sink
// whenever a file completes, for runs in band where the reporters write to these same streams.
'use strict';

const { Buffer } = require('node:buffer');

const WRAPPER = Symbol.for('ledger.jest-capture-output.wrapper');
const SINK = Symbol.for('ledger.jest-capture-output.sink');

/** Only a buffered console collects output per file; the direct one of a verbose run (one file, --verbose) writes to these very streams. */
const buffered = console.constructor?.name === 'BufferedConsole';

if (buffered) {
  capture(process.stdout, (text) => console.log(text));
  capture(process.stderr, (text) => console.error(text));
}

function capture(stream, sink) {
  if (stream.write !== stream[WRAPPER]) {
    const original = stream.write;
    let writing = false;
    stream[WRAPPER] = stream.write = function write(chunk, encoding, callback) {
      const target = stream[SINK];
      if (target === undefined || writing) return original.apply(stream, arguments);
      const done = typeof encoding === 'function' ? encoding : callback;
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8');
      writing = true;
      try {
        target(text.endsWith('\n') ? text.slice(0, -1) : text);
      } finally {
        writing = false;
      }
      if (typeof done === 'function') process.nextTick(done);
      return true;
    };
  }
  stream[SINK] = sink;
}
