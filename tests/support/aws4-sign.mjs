// Signs SNS Publish requests with npm aws4 (an independent SigV4 signer).
// Input: JSON lines {host, path, region, body, amzDate, accessKeyId,
// secretAccessKey, sessionToken?, service? (default sns), headers? (default
// SNS's Content-Type)}; output: one Authorization value per line.
// Usage: node aws4-sign.mjs TEST_SERVERS_DIR < requests.jsonl
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const require = createRequire(path.join(process.argv[2], 'package.json'));
const aws4 = require('aws4');
const lines = readFileSync(0, 'utf8').split('\n').filter((l) => l.length > 0);
for (const line of lines) {
  const r = JSON.parse(line);
  const request = {
    host: r.host, path: r.path, method: 'POST', service: r.service ?? 'sns',
    region: r.region, body: r.body,
    headers: {
      ...(r.headers ?? { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' }),
      'Host': r.host,
      'X-Amz-Date': r.amzDate,
    },
    // We sign Content-Type, Host, X-Amz-Date (+ token), as alertsink sends.
    extraHeadersToIgnore: { 'content-length': true },
  };
  const credentials = { accessKeyId: r.accessKeyId, secretAccessKey: r.secretAccessKey };
  if (r.sessionToken) credentials.sessionToken = r.sessionToken;
  aws4.sign(request, credentials);
  process.stdout.write(request.headers.Authorization + '\n');
}
