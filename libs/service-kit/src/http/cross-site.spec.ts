import express from 'express';
import request from 'supertest';
import { errorHandler } from './error-handler';
import { crossSiteGuard } from './cross-site';

function app() {
  const a = express();
  a.use(crossSiteGuard({ readOnly: (req) => req.path === '/list' }));
  a.all('/{*any}', (_req, res) => void res.send('done'));
  a.use(errorHandler({ render: (_req, res, status, body) => void res.status(status).json(body) }));
  return a;
}

describe('crossSiteGuard', () => {
  it('lets curl, scripts and the same origin through', async () => {
    await request(app()).post('/abort').expect(200, 'done');
    await request(app()).post('/abort').set('Sec-Fetch-Site', 'same-origin').expect(200);
    await request(app()).post('/abort').set('Sec-Fetch-Site', 'none').expect(200);
    await request(app()).post('/abort').set('Host', 'ci.example.com').set('Origin', 'https://ci.example.com').expect(200);
  });

  it("refuses what another site's page sends, naming the call, but lets it read what is read-only", async () => {
    const refused = await request(app()).post('/abort').set('Sec-Fetch-Site', 'cross-site').expect(403);
    expect(refused.body).toMatchObject({ code: 'CROSS_SITE_REQUEST', message: expect.stringContaining('POST /abort from another site') });
    await request(app()).get('/getvacant').set('Sec-Fetch-Site', 'cross-site').expect(403);
    await request(app()).post('/abort').set('Sec-Fetch-Site', 'same-site').expect(403);
    await request(app()).post('/abort').set('Host', 'ci.example.com').set('Origin', 'https://evil.example').expect(403);
    await request(app()).post('/abort').set('Origin', 'null').expect(403);
    await request(app()).get('/list').set('Sec-Fetch-Site', 'cross-site').expect(200);
    await request(app()).post('/list').set('Sec-Fetch-Site', 'cross-site').expect(403);
  });
});
