// facealert test fixture: a real SNS-compatible server (serverless-offline-sns
// 0.78.2's SNSServer on express, without the serverless CLI wrapper) on a free
// 127.0.0.1 port, a topic and a FIFO topic each subscribed by an HTTP
// subscriber that records every delivery.
//
// Usage: node sns-fixture.mjs TEST_SERVERS_DIR [--print-deliveries]
// Prints one JSON line when ready:
//   {"endpoint": "http://127.0.0.1:P/", "topic": ARN, "fifo_topic": ARN,
//    "control": "http://127.0.0.1:Q"}
// With --print-deliveries, then one line per delivery as it arrives:
//   DELIVERY {"received_ms": ..., "body": <SNS notification>}
// Control (on the subscriber's port):
//   GET  /deliveries   -> JSON array of {received_ms, body: <SNS notification>}
//   POST /sns/stop     -> the SNS server stops listening (connections dropped)
//   POST /sns/start    -> it listens again on the same port, topics and
//                         subscriptions re-created (as after a server restart)
// Exits when stdin closes (the test ended or died) or on SIGTERM.
import { createRequire } from 'node:module';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const serversDir = path.resolve(process.argv[2]);
const printDeliveries = process.argv.includes('--print-deliveries');
const require = createRequire(path.join(serversDir, 'package.json'));
const express = require('express');
const snsServerPath = path.join(serversDir, 'node_modules', 'serverless-offline-sns',
  'dist', 'sns-server.js');
const { SNSServer } = await import(pathToFileURL(snsServerPath).href);

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const deliveries = [];
let snsPort = 0;
let snsHttp = null;

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server.address().port));
  });
}

async function snsCall(params) {
  const res = await fetch(`http://127.0.0.1:${snsPort}/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`SNS ${params.Action} failed: ${res.status} ${text}`);
  return text;
}

const subscriber = http.createServer((req, res) => {
  let chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const body = Buffer.concat(chunks).toString('utf8');
    try {
      if (req.method === 'POST' && req.url === '/deliver') {
        const delivery = { received_ms: Date.now(), body: JSON.parse(body) };
        deliveries.push(delivery);
        if (printDeliveries) process.stdout.write('DELIVERY ' + JSON.stringify(delivery) + '\n');
        res.end('ok');
      } else if (req.method === 'GET' && req.url === '/deliveries') {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(deliveries));
      } else if (req.method === 'POST' && req.url === '/sns/stop') {
        await stopSns();
        res.end('stopped');
      } else if (req.method === 'POST' && req.url === '/sns/start') {
        await startSns();
        res.end('started');
      } else {
        res.statusCode = 404;
        res.end('not found');
      }
    } catch (e) {
      res.statusCode = 500;
      res.end(String(e));
    }
  });
});

async function startSns() {
  const app = express();
  new SNSServer(() => {}, app, REGION, ACCOUNT);
  snsHttp = http.createServer(app);
  snsPort = await listen(snsHttp, snsPort);
  const subscriberUrl = `http://127.0.0.1:${subscriber.address().port}/deliver`;
  for (const name of ['facealert-alerts', 'facealert-alerts.fifo']) {
    await snsCall({ Action: 'CreateTopic', Name: name });
    await snsCall({ Action: 'Subscribe', Protocol: 'http', Endpoint: subscriberUrl,
      TopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:${name}` });
  }
}

function stopSns() {
  return new Promise((resolve) => {
    if (!snsHttp) return resolve();
    snsHttp.close(() => resolve());
    snsHttp.closeAllConnections();
    snsHttp = null;
  });
}

await listen(subscriber, 0);
await startSns();
process.stdout.write(JSON.stringify({
  endpoint: `http://127.0.0.1:${snsPort}/`,
  topic: `arn:aws:sns:${REGION}:${ACCOUNT}:facealert-alerts`,
  fifo_topic: `arn:aws:sns:${REGION}:${ACCOUNT}:facealert-alerts.fifo`,
  control: `http://127.0.0.1:${subscriber.address().port}`,
}) + '\n');

const quit = () => process.exit(0);
process.stdin.on('end', quit);
process.stdin.on('close', quit);
process.stdin.resume();
process.on('SIGTERM', quit);
