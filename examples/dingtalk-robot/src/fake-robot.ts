import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { robotSignature } from './sign.js';

/** A message the fake robot accepted, as the group would show it. */
export interface PostedMessage {
  msgtype: string;
  text?: { content: string };
  markdown?: { title: string; text: string };
  at?: { atMobiles?: string[]; isAtAll?: boolean };
  timestamp: number | undefined;
}

export interface FakeRobotOptions {
  accessToken: string;
  /** Set: 加签 is on and every call must carry a valid `timestamp` + `sign` (within an hour). */
  secret?: string;
  /** Set: 自定义关键词 is on; a message containing none is refused (310000). */
  keywords?: string[];
  /** Messages a minute before "send too fast" (130101). Default 20, as DingTalk. */
  perMinute?: number;
  /** The fake's clock. Default Date.now. */
  now?: () => number;
}

export interface FakeRobot {
  /** The webhook URL, `…/robot/send?access_token=…`. */
  webhookUrl: string;
  posted: PostedMessage[];
  /** Calls refused, by errcode. */
  refused: number[];
  /** Every call answers HTTP 503 until set false (an outage). */
  down: boolean;
  stop(): Promise<void>;
}

const HOUR = 3_600_000;

/**
 * A DingTalk custom robot from its documentation: POST /robot/send?access_token=…[&timestamp&sign],
 * JSON body of msgtype text or markdown with `at.atMobiles`; answers `{errcode, errmsg}`.
 */
export async function startFakeRobot(options: FakeRobotOptions): Promise<FakeRobot> {
  const now = options.now ?? Date.now;
  const perMinute = options.perMinute ?? 20;
  const sentAt: number[] = [];
  const state = { posted: [] as PostedMessage[], refused: [] as number[], down: false };
  const server: Server = createServer((req, res) => {
    const answer = (errcode: number, errmsg: string) => {
      if (errcode !== 0) state.refused.push(errcode);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ errcode, errmsg }));
    };
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      if (state.down) return void res.writeHead(503).end();
      const url = new URL(req.url ?? '/', 'http://fake');
      if (req.method !== 'POST' || url.pathname !== '/robot/send') return void res.writeHead(404).end();
      if (url.searchParams.get('access_token') !== options.accessToken)
        return answer(300001, 'token is not exist');
      const timestamp = url.searchParams.has('timestamp')
        ? Number(url.searchParams.get('timestamp'))
        : undefined;
      if (options.secret) {
        const sign = url.searchParams.get('sign');
        if (timestamp === undefined || Math.abs(now() - timestamp) > HOUR) {
          return answer(310000, 'invalid timestamp');
        }
        if (sign !== robotSignature(options.secret, timestamp)) return answer(310000, 'sign not match');
      }
      let body: PostedMessage;
      try {
        body = JSON.parse(raw) as PostedMessage;
      } catch {
        return answer(400_000, 'invalid json');
      }
      const text = body.text?.content ?? body.markdown?.text ?? '';
      if (options.keywords && !options.keywords.some((k) => text.includes(k))) {
        return answer(310000, 'keywords not in content');
      }
      const minuteAgo = now() - 60_000;
      while (sentAt.length > 0 && sentAt[0]! <= minuteAgo) sentAt.shift();
      if (sentAt.length >= perMinute) return answer(130101, 'send too fast, exceed 20 times per minute');
      sentAt.push(now());
      state.posted.push({ ...body, timestamp });
      answer(0, 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    webhookUrl: `http://127.0.0.1:${port}/robot/send?access_token=${options.accessToken}`,
    get posted() {
      return state.posted;
    },
    get refused() {
      return state.refused;
    },
    get down() {
      return state.down;
    },
    set down(value: boolean) {
      state.down = value;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
