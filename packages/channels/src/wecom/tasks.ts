import type { PluginState } from '@qunfa/core';

/** Whom a task sends to: customers (`single`) or customer groups (`group`). */
export type ChatType = 'single' | 'group';

/**
 * A mass-send task (one `add_msg_template` call): one sender, up to 10,000 customers or (its
 * owner) up to 2,000 customer groups.
 */
export interface CustomerTask {
  msgid: string;
  sender: string;
  /** `single` (customers) or `group` (customer groups). */
  chatType: ChatType;
  /** Epoch ms the task was created. */
  createdAt: number;
  /** The sender confirmed it (get_groupmsg_task status 2). */
  confirmed: boolean;
  cancelled: boolean;
  /** No result is awaited any more (all final, cancelled, or the query window closed). */
  closed: boolean;
  polls: number;
  nextPollAt: number;
  /** Reminders sent (remind_groupmsg_send), epoch ms. */
  reminders: number[];
  /** The campaign whose batch made it (per-campaign, per-sender views). */
  campaignId?: string;
  /** The batch chunk that made it (its task-call key): a re-run of that chunk may adopt it. */
  origin?: string;
  /** Customers (or groups) in it, as created. */
  targets?: number;
  /**
   * Epoch ms after which an unconfirmed task is cancelled: created + the campaign step's
   * `confirmationDeadlineMs`, else the channel's. Absent: no deadline.
   */
  deadlineAt?: number;
  /** Epoch ms it was cancelled (at its deadline or by an operator): the time of its `unconfirmed` reports. */
  cancelledAt?: number;
}

const INDEX = 'customer-tasks/index';
const LOCK = 'customer-tasks/index-lock';
const taskKey = (msgid: string) => `customer-task/${msgid}`;
/** Results are queried for 30 days after a task is created; then it is closed. */
export const TASK_WINDOW_MS = 30 * 24 * 3600_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function readTask(state: PluginState, msgid: string): Promise<CustomerTask | undefined> {
  return state.get<CustomerTask>(taskKey(msgid));
}

export async function writeTask(state: PluginState, task: CustomerTask): Promise<void> {
  await state.set(taskKey(task.msgid), task, TASK_WINDOW_MS + 24 * 3600_000);
}

/** The msgids of tasks still open, oldest first. */
export async function openTaskIds(state: PluginState): Promise<string[]> {
  return (await state.get<string[]>(INDEX)) ?? [];
}

/** Runs `fn` holding `lock` in the shared state (workers and API processes edit the same values). */
export async function withLock<T>(state: PluginState, lock: string, fn: () => Promise<T>): Promise<T> {
  for (let i = 0; i < 500; i++) {
    if (await state.setIfAbsent(lock, true, 5000)) {
      try {
        return await fn();
      } finally {
        await state.delete(lock);
      }
    }
    await sleep(10);
  }
  throw new Error(`${lock} stayed locked`);
}

/** Changes the index under a lock in the shared state (workers add tasks concurrently). */
async function editIndex(state: PluginState, edit: (ids: string[]) => string[]): Promise<void> {
  await withLock(state, LOCK, async () => {
    await state.set(INDEX, edit(await openTaskIds(state)));
  });
}

/**
 * Changes a task under its lock, from its latest value: a poll, a reminder and a cancel made at
 * the same time by different processes each keep what the others wrote.
 */
export async function updateTask(
  state: PluginState,
  msgid: string,
  change: (latest: CustomerTask) => CustomerTask,
): Promise<CustomerTask | undefined> {
  return withLock(state, `${taskKey(msgid)}/lock`, async () => {
    const latest = await readTask(state, msgid);
    if (!latest) return undefined;
    const next = change(latest);
    await writeTask(state, next);
    return next;
  });
}

export async function addTask(state: PluginState, task: CustomerTask): Promise<void> {
  await writeTask(state, task);
  await editIndex(state, (ids) => (ids.includes(task.msgid) ? ids : [...ids, task.msgid]));
}

export async function closeTasks(state: PluginState, msgids: readonly string[]): Promise<void> {
  if (msgids.length === 0) return;
  const gone = new Set(msgids);
  await editIndex(state, (ids) => ids.filter((id) => !gone.has(id)));
}
