import { createHmac } from 'node:crypto';

/**
 * DingTalk custom robot signature (DingTalk open platform, "自定义机器人安全设置 / 加签",
 * https://open.dingtalk.com/document/robots/customize-robot-security-settings):
 * string_to_sign = timestamp + "\n" + secret, with timestamp in epoch milliseconds;
 * sign = urlEncode(base64(HmacSHA256(key = secret, message = string_to_sign))). Both go into the
 * webhook URL as the `timestamp` and `sign` query parameters; the robot refuses a timestamp more
 * than one hour away from its clock.
 * Returns the base64 value; URLSearchParams does the URL encoding (`+` → %2B, `/` → %2F, `=` → %3D).
 */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/**
 * Feishu/Lark custom bot signature (Feishu open platform, "自定义机器人使用指南 / 签名校验",
 * https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot): string_to_sign =
 * timestamp + "\n" + secret, with timestamp in epoch SECONDS, is the HmacSHA256 KEY; the message
 * is empty; sign = base64(digest). `timestamp` (a string) and `sign` go into the JSON body; the bot
 * answers code 19021 when the signature does not match or the timestamp is more than an hour off.
 */
export function feishuSign(secret: string, timestampSec: number): string {
  return createHmac('sha256', Buffer.from(`${timestampSec}\n${secret}`, 'utf8')).update(Buffer.alloc(0)).digest('base64');
}
