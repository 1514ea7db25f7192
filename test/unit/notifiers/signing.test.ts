import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dingtalkSign, dingtalkUrl, feishuSign } from '../../../src/notifiers/index.js';

// No example signature value is published in the DingTalk or Feishu documents we found, so each
// signature is checked against the documented formula twice: computed here with node:crypto,
// and by an independent implementation (the openssl CLI).
function opensslHmacBase64(key: string, message: string): string {
  return execFileSync('openssl', ['dgst', '-sha256', '-hmac', key, '-binary'], { input: message }).toString('base64');
}

const SECRET = 'SEC5a3ecf88f2b3eb50db30ecfc00f53033ac909c99bf7f88fd612bda89d7f3a9dc';

describe('DingTalk signature', () => {
  it('is base64(HmacSHA256(key = secret, timestamp_ms + "\\n" + secret))', () => {
    const ts = 1_764_000_000_123;
    const expected = createHmac('sha256', SECRET).update(`${ts}\n${SECRET}`).digest('base64');
    expect(dingtalkSign(SECRET, ts)).toBe(expected);
    expect(dingtalkSign(SECRET, ts)).toBe(opensslHmacBase64(SECRET, `${ts}\n${SECRET}`));
    expect(dingtalkSign(SECRET, ts + 1)).not.toBe(expected);
  });

  it('goes URL-encoded into the webhook URL with the ms timestamp, keeping access_token', () => {
    const ts = 1_764_000_000_123;
    const url = dingtalkUrl('https://oapi.dingtalk.com/robot/send?access_token=abc', SECRET, ts);
    const u = new URL(url);
    expect(u.searchParams.get('access_token')).toBe('abc');
    expect(u.searchParams.get('timestamp')).toBe(String(ts));
    expect(u.searchParams.get('sign')).toBe(dingtalkSign(SECRET, ts));
    // the raw query carries the urlencoded base64 (no bare + / =)
    const rawSign = /[?&]sign=([^&]*)/.exec(url)?.[1] ?? '';
    expect(rawSign).toBe(encodeURIComponent(dingtalkSign(SECRET, ts)));
    expect(dingtalkUrl('https://oapi.dingtalk.com/robot/send?access_token=abc', undefined, ts)).toBe('https://oapi.dingtalk.com/robot/send?access_token=abc');
  });
});

describe('Feishu signature', () => {
  it('is base64(HmacSHA256(key = timestamp_s + "\\n" + secret, empty message))', () => {
    const ts = 1_599_360_473; // the timestamp example of Feishu's guide
    const secret = 'demo-secret';
    const expected = createHmac('sha256', `${ts}\n${secret}`).update('').digest('base64');
    expect(feishuSign(secret, ts)).toBe(expected);
    expect(feishuSign(secret, ts)).toBe(opensslHmacBase64(`${ts}\n${secret}`, ''));
    // not DingTalk's formula
    expect(feishuSign(secret, ts)).not.toBe(createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64'));
  });
});
