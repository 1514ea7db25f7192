import { readdirSync, readFileSync } from 'node:fs';
import { Type, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';

/**
 * The fields of Marathon's app definition (its REST API's AppDefinition JSON schema, v2 apps),
 * with the types, enums and bounds that schema documents; `additionalProperties: false` where
 * the schema has it, so a misspelt field fails here as it would at `POST /v2/apps`.
 */
const strict = { additionalProperties: false } as const;
const nonNegInt = Type.Integer({ minimum: 0 });
const port = Type.Integer({ minimum: 0, maximum: 65535 });
const pathId = Type.String({ minLength: 1, pattern: '^(\\/?((\\.{2})|([a-z0-9][a-z0-9\\-.]*[a-z0-9]+)|([a-z0-9]*))($|\\/))+$' });
const HealthCheck = Type.Object(
  {
    protocol: Type.Union(['HTTP', 'HTTPS', 'TCP', 'COMMAND', 'MESOS_HTTP', 'MESOS_HTTPS', 'MESOS_TCP'].map((p) => Type.Literal(p))),
    path: Type.Optional(Type.String()),
    portIndex: Type.Optional(nonNegInt),
    port: Type.Optional(port),
    gracePeriodSeconds: Type.Optional(nonNegInt),
    intervalSeconds: Type.Optional(nonNegInt),
    timeoutSeconds: Type.Optional(nonNegInt),
    maxConsecutiveFailures: Type.Optional(nonNegInt),
    ignoreHttp1xx: Type.Optional(Type.Boolean()),
  },
  strict,
);
const AppDefinition: TSchema = Type.Object(
  {
    id: pathId,
    cmd: Type.Optional(Type.String({ minLength: 1 })),
    args: Type.Optional(Type.Array(Type.String())),
    cpus: Type.Number({ minimum: 0 }),
    mem: Type.Number({ minimum: 0 }),
    disk: Type.Optional(Type.Number({ minimum: 0 })),
    instances: nonNegInt,
    container: Type.Object(
      {
        type: Type.Union([Type.Literal('DOCKER'), Type.Literal('MESOS')]),
        docker: Type.Object(
          {
            image: Type.String({ minLength: 1 }),
            network: Type.Optional(Type.Union([Type.Literal('BRIDGE'), Type.Literal('HOST'), Type.Literal('NONE')])),
            forcePullImage: Type.Optional(Type.Boolean()),
            privileged: Type.Optional(Type.Boolean()),
          },
          strict,
        ),
        volumes: Type.Optional(
          Type.Array(
            Type.Object(
              { containerPath: Type.String({ minLength: 1 }), hostPath: Type.String({ minLength: 1 }), mode: Type.Union([Type.Literal('RO'), Type.Literal('RW')]) },
              strict,
            ),
          ),
        ),
      },
      strict,
    ),
    env: Type.Optional(Type.Record(Type.String(), Type.String())),
    portDefinitions: Type.Optional(
      Type.Array(
        Type.Object(
          { port, name: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]*$' })), protocol: Type.Optional(Type.Union([Type.Literal('tcp'), Type.Literal('udp')])) },
          strict,
        ),
      ),
    ),
    healthChecks: Type.Array(HealthCheck, { minItems: 1 }),
    constraints: Type.Optional(
      Type.Array(Type.Union([Type.Tuple([Type.String(), Type.Union(['UNIQUE', 'CLUSTER', 'GROUP_BY', 'LIKE', 'UNLIKE'].map((o) => Type.Literal(o)))]), Type.Tuple([Type.String(), Type.String(), Type.String()])])),
    ),
    upgradeStrategy: Type.Optional(
      Type.Object({ minimumHealthCapacity: Type.Number({ minimum: 0, maximum: 1 }), maximumOverCapacity: Type.Number({ minimum: 0, maximum: 1 }) }, strict),
    ),
    backoffSeconds: Type.Optional(nonNegInt),
    backoffFactor: Type.Optional(Type.Number({ minimum: 1 })),
    maxLaunchDelaySeconds: Type.Optional(nonNegInt),
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  strict,
);

const DIR = new URL('../../../deploy/marathon/', import.meta.url);
const files = readdirSync(DIR).filter((f) => f.endsWith('.json') && f !== 'rightsize-group.json');
const read = (f: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as Record<string, unknown>;

describe('deploy/marathon', () => {
  it('has one app per role, each valid against the fields of Marathon\'s app definition', () => {
    expect(files.sort()).toEqual(['rightsize-alerts.json', 'rightsize-collect.json', 'rightsize-serve.json']);
    for (const f of files) {
      const app = read(f);
      const errors = [...Value.Errors(AppDefinition, app)].map((e) => `${e.path}: ${e.message}`);
      expect(errors, f).toEqual([]);
      // Marathon rejects an app with both cmd and args
      expect('cmd' in app && 'args' in app, f).toBe(false);
    }
  });

  it('health-checks /healthz on the port the command listens on, and runs two alert replicas on different hosts', () => {
    for (const f of files) {
      const app = read(f) as { cmd: string; healthChecks: { path: string; portIndex: number }[] };
      expect(app.healthChecks[0]?.path).toBe('/healthz');
      expect(app.cmd).toContain(`$PORT${app.healthChecks[0]?.portIndex ?? 0}`);
    }
    const alerts = read('rightsize-alerts.json') as { instances: number; constraints: string[][] };
    expect(alerts.instances).toBe(2);
    expect(alerts.constraints).toContainEqual(['hostname', 'UNIQUE']);
  });

  it('rejects what Marathon rejects (the check can fail)', () => {
    const app = { ...read('rightsize-serve.json'), contaner: {} };
    expect(Value.Check(AppDefinition, app)).toBe(false);
    expect(Value.Check(AppDefinition, { ...read('rightsize-serve.json'), id: '/Rightsize/Serve' })).toBe(false);
  });

  it('keeps the group file equal to the single app files', () => {
    const group = JSON.parse(readFileSync(new URL('rightsize-group.json', DIR), 'utf8')) as { id: string; apps: unknown[] };
    expect(group.id).toBe('/rightsize');
    expect(group.apps).toEqual(['rightsize-collect.json', 'rightsize-alerts.json', 'rightsize-serve.json'].map(read));
  });
});
