import https from 'node:https';

export interface RawResponse {
  status: number;
  body: string;
}

/**
 * A request to the test API server (self-signed certificate) that sends the body as is: client-node's
 * typed serializer drops fields its models do not name, such as `x-kubernetes-int-or-string` in a CRD.
 */
export function rawRequest(method: string, url: string, token: string, body?: unknown): Promise<RawResponse> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        rejectUnauthorized: false,
        timeout: 30_000,
        headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('response aborted')));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

export const insecureGet = (url: string, token: string): Promise<RawResponse> => rawRequest('GET', url, token);
