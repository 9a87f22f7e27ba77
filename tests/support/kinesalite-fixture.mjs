// facealert test fixture: a real Kinesis Data Streams server (kinesalite
// 3.3.3, the npm package, run in this process) on 127.0.0.1.
//
// Usage: node kinesalite-fixture.mjs TEST_SERVERS_DIR [--port P] [--path DIR]
//                                    [--throttle-every N]
//   --port P            listen on P (default: a free port)
//   --path DIR          keep the streams in LevelDB under DIR, so they survive
//                       a restart (default: in memory)
//   --throttle-every N  every Nth record of every PutRecords request is refused
//                       with ErrorCode ProvisionedThroughputExceededException,
//                       as a busy shard does (kinesalite itself never throttles);
//                       the others are stored by kinesalite as usual
// Prints one JSON line when ready: {"endpoint": "http://127.0.0.1:P/", "port": P}
// Exits when stdin closes (the test ended or died) or on SIGTERM.
import { createRequire } from 'node:module';
import path from 'node:path';

const args = process.argv.slice(2);
const serversDir = path.resolve(args[0]);
const option = (name) => {
  const i = args.indexOf(name);
  return i > 0 ? args[i + 1] : undefined;
};
const port = Number(option('--port') ?? 0);
const dbPath = option('--path');
const throttleEvery = Number(option('--throttle-every') ?? 0);

const require = createRequire(path.join(serversDir, 'package.json'));

if (throttleEvery > 0) {
  // kinesalite's index.js requires its actions at load: put a wrapper of
  // putRecords in the module cache first.
  const putPath = require.resolve('kinesalite/actions/putRecords.js');
  const putRecords = require(putPath);
  let counter = 0;
  require.cache[putPath].exports = function throttledPutRecords(store, data, cb) {
    const refused = data.Records.map(() => ++counter % throttleEvery === 0);
    const kept = data.Records.filter((_, i) => !refused[i]);
    const merge = (stored) => {
      let j = 0;
      const records = data.Records.map((_, i) => refused[i]
        ? { ErrorCode: 'ProvisionedThroughputExceededException',
            ErrorMessage: `Rate exceeded for shard in stream ${data.StreamName}.` }
        : stored[j++]);
      return { FailedRecordCount: refused.filter(Boolean).length, Records: records };
    };
    if (kept.length === 0) return cb(null, merge([]));
    putRecords(store, { ...data, Records: kept }, (err, res) =>
      err ? cb(err) : cb(null, merge(res.Records)));
  };
}

const kinesalite = require('kinesalite');
const server = kinesalite({ path: dbPath, createStreamMs: 0, deleteStreamMs: 0,
  updateStreamMs: 0 });
server.listen(port, '127.0.0.1', () => {
  const p = server.address().port;
  process.stdout.write(JSON.stringify({ endpoint: `http://127.0.0.1:${p}/`, port: p }) + '\n');
});

// Kept-alive client connections would hold close() up: drop them.
const quit = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
};
process.stdin.on('end', quit);
process.stdin.on('close', quit);
process.stdin.resume();
process.on('SIGTERM', quit);
