// The baseline every HTTP figure is reported beside: express 5 answering a no-op route.
import express from 'express';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { host: { type: 'string' }, port: { type: 'string' }, 'metrics-port': { type: 'string' }, 'log-level': { type: 'string' } }, strict: false });
const app = express();
app.all('/{*path}', (_req, res) => void res.type('text/plain').send('ok'));
app.listen(Number(values.port), String(values.host ?? '127.0.0.1'));
