import type { MesosTaskInfo } from './types.js';

/**
 * Marathon app ids read back from Mesos task ids (Marathon's `TaskIdUtil`/`PathId.fromSafePath`
 * naming). Pure.
 */

/** The framework name Marathon registers with (`--framework_name`, default `marathon`). */
export const MARATHON_FRAMEWORK_NAME = 'marathon';

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
/** `<safePath>.instance-<uuid>…` / `<safePath>.marathon-<uuid>…` (Marathon ≥ 1.5 instance ids). */
const INSTANCE_TASK_ID = new RegExp(`^(.+?)\\.(?:instance|marathon)-${UUID}(?:\\..*)?$`);

/**
 * The Marathon app id of a Marathon task id. Marathon names a task `<safePath>.<uuid>`, where the
 * safe path is the app id without its leading `/` and with `/` replaced by `_`
 * (`TaskIdUtil.taskId`: `appId.safePath + "." + uuid`; read back with `PathId.fromSafePath`, i.e.
 * split at the last `.`); since 1.5 the uuid is prefixed `instance-` or `marathon-` and a pod
 * container's name or `._app.<n>` may follow. App ids hold only lowercase letters, digits, `-` and
 * `.`, so `_` always separates path segments.
 *
 * @example `team_web.3c7ab984-a9b9-41fb-bb73-0569f88c657e` → `/team/web`;
 *          `no-healthcheck.7d61432d-d6a6-11e6-a564-8605ecf0a9df` → `/no-healthcheck`
 */
export function marathonAppIdFromTaskId(taskId: string): string | undefined {
  const m = INSTANCE_TASK_ID.exec(taskId);
  const safePath = m ? m[1]! : taskId.slice(0, Math.max(0, taskId.lastIndexOf('.')));
  if (safePath === '' || safePath.startsWith('_') || safePath.endsWith('_') || safePath.includes('__')) return undefined;
  return `/${safePath.split('_').join('/')}`;
}

/** `marathon`, or `marathon-<version>` as Marathon before 0.7 registered (`marathon-0.6.0-SNAPSHOT` in the 0.19 agent capture). */
const MARATHON_FRAMEWORK = /^marathon(?:-\d[\w.+-]*)?$/;

/**
 * The Marathon app of a task: only tasks of the framework named `marathon` (or an early
 * `marathon-<version>`) have one. Another framework's task is never an app, even with a
 * Marathon-looking id (the mesos-dns capture's `ipv6-framework` runs `toy-store.<uuid>`).
 */
export function marathonAppIdOf(task: Pick<MesosTaskInfo, 'taskId' | 'frameworkName'>): string | undefined {
  return task.frameworkName !== undefined && MARATHON_FRAMEWORK.test(task.frameworkName) ? marathonAppIdFromTaskId(task.taskId) : undefined;
}

