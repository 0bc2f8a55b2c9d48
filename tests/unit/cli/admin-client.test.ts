/** Where the admin CLI sends a token, and which: never the development token to another host, never over plain HTTP to one. */
import { describe, expect, it } from 'vitest';
import { adminTarget, LOCAL_URL, UsageError } from '../../../edge-worker/cli/admin-client';
import { DEVELOPMENT_ADMIN_TOKEN } from '../../../edge-worker/cli/wrangler';

const TOKEN = 'a-production-admin-token-from-the-environment';

describe('adminTarget', () => {
  it('defaults to the local dev server with the development token', () => {
    expect(adminTarget(undefined, {})).toEqual({ url: new URL(LOCAL_URL).origin, token: DEVELOPMENT_ADMIN_TOKEN });
    for (const url of ['http://localhost:8788', 'http://127.0.0.1:9000/', 'http://[::1]:8787', 'http://shop.localhost:8787']) {
      expect(adminTarget(url, {}).token, url).toBe(DEVELOPMENT_ADMIN_TOKEN);
    }
  });

  it('takes the URL from --url, else RAPPORT_ADMIN_URL, and the token from RAPPORT_ADMIN_TOKEN', () => {
    const env = { RAPPORT_ADMIN_URL: 'https://rapport.shop.example', RAPPORT_ADMIN_TOKEN: TOKEN };
    expect(adminTarget(undefined, env)).toEqual({ url: 'https://rapport.shop.example', token: TOKEN });
    expect(adminTarget('https://other.example/', env)).toEqual({ url: 'https://other.example', token: TOKEN });
    expect(adminTarget('http://localhost:8787', env).token).toBe(TOKEN);
  });

  it('refuses to send a token where it should not go, before any request', () => {
    const refusals: Array<[url: string, env: Record<string, string>, message: RegExp]> = [
      ['https://rapport.shop.example', {}, /set RAPPORT_ADMIN_TOKEN/],
      ['http://rapport.shop.example', { RAPPORT_ADMIN_TOKEN: TOKEN }, /plain HTTP/],
      ['http://192.168.1.20:8787', { RAPPORT_ADMIN_TOKEN: TOKEN }, /plain HTTP/],
      ['ftp://rapport.shop.example', { RAPPORT_ADMIN_TOKEN: TOKEN }, /http\(s\) URL/],
      ['rapport.shop.example', { RAPPORT_ADMIN_TOKEN: TOKEN }, /not a URL/],
    ];
    for (const [url, env, message] of refusals) {
      expect(() => adminTarget(url, env), url).toThrow(UsageError);
      expect(() => adminTarget(url, env), url).toThrow(message);
    }
  });
});
