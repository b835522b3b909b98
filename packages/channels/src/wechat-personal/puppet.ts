/**
 * The part of the Wechaty Puppet interface (`wechaty-puppet` 1.x) this channel uses. Any puppet
 * (puppet-service with a token, padlocal, xp, the mock) satisfies it; the channel never imports
 * `wechaty-puppet` itself, so installing Qunfa without it stays lean.
 */
export interface PuppetLike {
  start(): Promise<void>;
  stop(): Promise<void>;
  logout(reason?: string): Promise<void>;
  readonly isLoggedIn: boolean;
  readonly currentUserId: string;
  on(event: 'scan', listener: (payload: { qrcode?: string; status: number; data?: string }) => void): unknown;
  on(event: 'login', listener: (payload: { contactId: string }) => void): unknown;
  on(event: 'logout', listener: (payload: { contactId: string; data?: string }) => void): unknown;
  on(event: 'message', listener: (payload: { messageId: string }) => void): unknown;
  on(event: 'error', listener: (payload: { data?: string }) => void): unknown;
  removeAllListeners(event?: string): unknown;
  messageSendText(conversationId: string, text: string): Promise<unknown>;
  messageSendFile(conversationId: string, file: unknown): Promise<unknown>;
  messagePayload(messageId: string): Promise<PuppetMessage>;
  contactPayload(contactId: string): Promise<{ id: string; name: string; friend?: boolean }>;
  contactList(): Promise<string[]>;
  roomList(): Promise<string[]>;
  roomPayload(roomId: string): Promise<{ id: string; topic: string; memberIdList: string[] }>;
}

/** A message as the puppet reports it (`payloads.Message`). */
export interface PuppetMessage {
  id: string;
  talkerId: string;
  listenerId?: string;
  roomId?: string;
  text?: string;
  /** Seconds or milliseconds since the epoch, depending on the puppet. */
  timestamp: number;
  /** `types.Message`: 6 image, 7 text, 2 audio, 15 video, 1 attachment, 14 url, 8 location. */
  type: number;
}

/** `types.ScanStatus` of wechaty-puppet. */
export const scanStatusNames: Record<number, string> = {
  0: 'unknown',
  1: 'cancel',
  2: 'waiting',
  3: 'scanned',
  4: 'confirmed',
  5: 'timeout',
};

/** Makes the puppet of one account: a new instance each call (a login starts one, a restart another). */
export type PuppetFactory = (account: { id: string }) => PuppetLike | Promise<PuppetLike>;

/**
 * A factory loading a puppet package by name at run time (`wechaty-puppet-service`,
 * `wechaty-puppet-padlocal`, …) with the options it documents (a token, an endpoint). The
 * package must be installed by the operator; it is never a dependency of Qunfa.
 */
export function puppetFromModule(
  moduleName: string,
  options: (account: { id: string }) => object,
): PuppetFactory {
  return async (account) => {
    const mod = (await import(moduleName)) as Record<string, unknown>;
    const Puppet = (mod.default ?? Object.values(mod).find((v) => typeof v === 'function')) as
      | (new (
          options: object,
        ) => PuppetLike)
      | undefined;
    if (typeof Puppet !== 'function') throw new Error(`${moduleName} exports no puppet class`);
    return new Puppet(options(account));
  };
}
