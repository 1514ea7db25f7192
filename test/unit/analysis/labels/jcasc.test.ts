import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  groovyString,
  mesosTaskRequest,
  movesGroovy,
  patchJcasc,
  planLabels,
  plugin1Sizing,
  plugin2Sizing,
  type LabelPlan,
  type PlanAssignment,
} from '../../../../src/analysis/index.js';
import { RightsizeError } from '../../../../src/errors/index.js';
import { GiB, MiB } from '../helpers.js';

const SITE_V1 = `# The site's JCasC: comments, order and quoting must survive.
jenkins:
  systemMessage: "Jenkins on Mesos" # banner
  numExecutors: 0
  clouds:
    - docker:
        name: other-cloud
    - mesos:
        master: "zk://zk-1:2181/mesos"
        nativeLibraryPath: /usr/lib/libmesos.so
        frameworkName: "Jenkins Scheduler"
        jenkinsURL: "\${JENKINS_URL}"
        slaveInfos:
          # the general-purpose agent
          - labelString: "linux"
            mode: NORMAL
            slaveCpus: "0.5"
            slaveMem: "1024"
            executorCpus: "0.5"
            executorMem: "512"
            minExecutors: "1"
            maxExecutors: "2"
            diskNeeded: "0"
            remoteFSRoot: jenkins
            idleTerminationMinutes: "3"
            jvmArgs: "-Xms16m"
            containerInfo:
              type: DOCKER
              dockerImage: "registry/agent:7" # pinned
              networking: BRIDGE
          - labelString: "rs-1c-2048m"
            mode: EXCLUSIVE
            slaveCpus: "0.9"
            slaveMem: "2048"
            executorCpus: "0.1"
            executorMem: "0"
            minExecutors: "1"
            maxExecutors: "1"
            diskNeeded: "0"
unclassified:
  location:
    url: "https://jenkins.example/"
`;

const SITE_V2 = `jenkins:
  clouds:
    - mesos:
        agentUser: "\${JENKINS_AGENT_USER:-root}"
        frameworkName: "Jenkins Scheduler"
        mesosMasterUrl: "http://leader.mesos:5050"
        mesosAgentSpecTemplates:
          - label: "linux"
            agentAttributes: ""
            containerInfo:
              dockerImage: "amazoncorretto:8"
              type: "DOCKER"
            cpus: "0.1"
            disk: "0.0"
            idleTerminationMinutes: 3
            jnlpArgs: "-noReconnect"
            maxExecutors: 1
            mem: 512
            minExecutors: 1
            mode: EXCLUSIVE
        role: "*"
`;

const assignment = (key: string, label: string, cpuCores: number, memoryBytes: number, currentLabel?: string): PlanAssignment => ({
  key,
  label,
  cpuCores,
  memoryBytes,
  ...(currentLabel !== undefined ? { currentLabel } : {}),
});

/** Two planned sizes: rs-1c-2048m (already a template in SITE_V1) and rs-3c-6144m (new). */
const PLAN: LabelPlan = (() => {
  const assignments = [
    assignment('team/a', 'rs-1c-2048m', 1, 2 * GiB, 'linux'),
    assignment('team/b', 'rs-3c-6144m', 3, 6 * GiB, 'linux'),
    assignment('team/c', 'rs-3c-6144m', 3, 6 * GiB),
  ];
  return {
    labels: [
      { name: 'rs-1c-2048m', cpuCores: 1, memoryBytes: 2 * GiB },
      { name: 'rs-3c-6144m', cpuCores: 3, memoryBytes: 6 * GiB },
    ],
    assignments,
    cost: 1,
    method: 'exact',
    moves: assignments,
  };
})();

type Doc = { jenkins: { clouds: Array<Record<string, { slaveInfos?: Array<Record<string, unknown>>; mesosAgentSpecTemplates?: Array<Record<string, unknown>> }>> } };

/** The document with the mesos templates of `labels` taken out (the rest must be untouched). */
function without(doc: Doc, listKey: 'slaveInfos' | 'mesosAgentSpecTemplates', labelKey: string, labels: readonly string[]): Doc {
  const copy = structuredClone(doc);
  for (const c of copy.jenkins.clouds) {
    const list = c['mesos']?.[listKey];
    if (list) c['mesos']![listKey] = list.filter((t) => !labels.includes(t[labelKey] as string));
  }
  return copy;
}

describe('sizes the plugin generations ask Mesos for', () => {
  it('1.x: (slaveMem + executorMem) × 1.1 covers the planned memory by less than 1.1 MB; cpus add up', () => {
    for (const mem of [512 * MiB, 1024 * MiB, 2 * GiB, 3.5 * GiB, 12 * GiB, 64 * GiB]) {
      for (const cpu of [0.25, 1, 2.5, 16]) {
        const s = plugin1Sizing(cpu, mem);
        const req = mesosTaskRequest(s, 1);
        expect(req.memMb).toBeGreaterThanOrEqual(mem / MiB);
        expect(req.memMb).toBeLessThan(mem / MiB + 1.1 + 1e-9);
        expect(req.cpus).toBeCloseTo(cpu, 9);
        expect(Number.isInteger(s.slaveMem) && Number.isInteger(s.executorMem)).toBe(true);
      }
    }
    // Hand-computed: 2048 MB / 1.1 = 1861.8 → 1862 MB in all, 128 of it per executor.
    expect(plugin1Sizing(1, 2 * GiB)).toEqual({ slaveCpus: 0.9, executorCpus: 0.1, slaveMem: 1734, executorMem: 128 });
    // An executor share that does not fit moves into the slave share.
    expect(plugin1Sizing(0.1, 100 * MiB, 0.5, 512)).toEqual({ slaveCpus: 0.1, executorCpus: 0, slaveMem: 91, executorMem: 0 });
  });

  it('2.x: mem + 32 MB is the planned memory; cpus as planned', () => {
    expect(plugin2Sizing(2, 4 * GiB)).toEqual({ cpus: 2, mem: 4096 - 32 });
    expect(mesosTaskRequest(plugin2Sizing(2, 4 * GiB))).toEqual({ cpus: 2, memMb: 4096 });
  });
});

describe('patching the site JCasC', () => {
  it('1.x: resizes the existing planned template, adds the new one as a copy of its jobs’ template, keeps every other field', () => {
    const patch = patchJcasc(SITE_V1, PLAN, '1');
    expect(patch.changed).toEqual(['rs-1c-2048m']);
    expect(patch.added).toEqual(['rs-3c-6144m']);
    expect(patch.cloudIndex).toBe(1);
    const before = parse(SITE_V1) as Doc;
    const after = parse(patch.yaml) as Doc;
    expect(without(after, 'slaveInfos', 'labelString', ['rs-1c-2048m', 'rs-3c-6144m'])).toEqual(without(before, 'slaveInfos', 'labelString', ['rs-1c-2048m', 'rs-3c-6144m']));
    const t = after.jenkins.clouds[1]!['mesos']!.slaveInfos!;
    expect(t.map((x) => x['labelString'])).toEqual(['linux', 'rs-1c-2048m', 'rs-3c-6144m']);
    // The resized one: 1 core, 2048 MB in Mesos; its executor share (0.1 core, 0 MB) is kept.
    expect(t[1]).toEqual({ labelString: 'rs-1c-2048m', mode: 'EXCLUSIVE', slaveCpus: '0.9', slaveMem: '1862', executorCpus: '0.1', executorMem: '0', minExecutors: '1', maxExecutors: '1', diskNeeded: '0' });
    // The new one copies `linux` (the template team/b uses today): image, jvmArgs, networking.
    expect(t[2]).toMatchObject({ labelString: 'rs-3c-6144m', mode: 'EXCLUSIVE', minExecutors: '1', maxExecutors: '1', jvmArgs: '-Xms16m', containerInfo: { dockerImage: 'registry/agent:7', networking: 'BRIDGE' } });
    const req = mesosTaskRequest({ slaveCpus: Number(t[2]!['slaveCpus']), executorCpus: Number(t[2]!['executorCpus']), slaveMem: Number(t[2]!['slaveMem']), executorMem: Number(t[2]!['executorMem']) });
    expect(req.cpus).toBe(3);
    expect(req.memMb).toBeGreaterThanOrEqual(6144);
    expect(req.memMb).toBeLessThan(6145.1);
    // Comments and quoting survive; the document round-trips through the parser unchanged.
    expect(patch.yaml).toContain("# The site's JCasC");
    expect(patch.yaml).toContain('# the general-purpose agent');
    expect(patch.yaml).toContain('"registry/agent:7" # pinned');
    expect(patch.yaml).toContain('jenkinsURL: "${JENKINS_URL}"');
    expect(parse(patchJcasc(patch.yaml, PLAN, '1').yaml)).toEqual(after);
  });

  it('2.x: mesosAgentSpecTemplates with mem − 32 MB, number kinds kept, every other field kept', () => {
    const patch = patchJcasc(SITE_V2, PLAN, '2');
    expect(patch.added).toEqual(['rs-1c-2048m', 'rs-3c-6144m']);
    const before = parse(SITE_V2) as Doc;
    const after = parse(patch.yaml) as Doc;
    expect(without(after, 'mesosAgentSpecTemplates', 'label', ['rs-1c-2048m', 'rs-3c-6144m'])).toEqual(before);
    const t = after.jenkins.clouds[0]!['mesos']!.mesosAgentSpecTemplates!;
    expect(t[1]).toMatchObject({ label: 'rs-1c-2048m', cpus: '1', mem: 2016, minExecutors: 1, maxExecutors: 1, mode: 'EXCLUSIVE', jnlpArgs: '-noReconnect', containerInfo: { dockerImage: 'amazoncorretto:8' } });
    expect(t[2]).toMatchObject({ label: 'rs-3c-6144m', cpus: '3', mem: 6112 });
    expect(parse(patchJcasc(patch.yaml, PLAN, '2').yaml)).toEqual(after);
  });

  it('a bare cloud without --jcasc; an empty plan leaves the document as it was', () => {
    const bare = parse(patchJcasc(undefined, PLAN, '1').yaml) as Doc;
    const t = bare.jenkins.clouds[0]!['mesos']!.slaveInfos!;
    expect(t.map((x) => x['labelString'])).toEqual(['rs-1c-2048m', 'rs-3c-6144m']);
    expect(t[0]).toMatchObject({ slaveCpus: '0.9', executorCpus: '0.1', slaveMem: '1734', executorMem: '128', mode: 'EXCLUSIVE' });
    const empty: LabelPlan = { labels: [], assignments: [], cost: 0, method: 'exact', moves: [] };
    expect(parse(patchJcasc(SITE_V1, empty, '1').yaml)).toEqual(parse(SITE_V1));
  });

  it('refuses a document it cannot patch, with a coded error', () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (err) {
        return err instanceof RightsizeError ? `${err.code}: ${err.message}` : String(err);
      }
      return undefined;
    };
    expect(code(() => patchJcasc('jenkins: [unclosed', PLAN, '1'))).toMatch(/^RS_ERR_JCASC_INVALID: .*not valid YAML/);
    expect(code(() => patchJcasc('jenkins:\n  systemMessage: hi\n', PLAN, '1'))).toMatch(/no jenkins.clouds list/);
    expect(code(() => patchJcasc('jenkins:\n  clouds:\n    - docker: {}\n', PLAN, '1'))).toMatch(/no mesos cloud/);
    expect(code(() => patchJcasc(SITE_V2, PLAN, '1'))).toMatch(/mesosAgentSpecTemplates \(mesos-plugin 2.x\) but analysis.labels.pluginVersion is '1'/);
    expect(code(() => patchJcasc(SITE_V1, PLAN, '2'))).toMatch(/slaveInfos \(mesos-plugin 1.x\)/);
  });

  it('works on a real plan end to end', () => {
    const plan = planLabels(
      [
        { key: 'a', cpuCores: 0.5, memoryBytes: 1 * GiB, hoursPerWeek: 10, currentLabel: 'linux' },
        { key: 'b', cpuCores: 2, memoryBytes: 4 * GiB, hoursPerWeek: 5, currentLabel: 'linux' },
      ],
      { k: 2 },
    );
    const after = parse(patchJcasc(SITE_V1, plan, '1').yaml) as Doc;
    const labels = after.jenkins.clouds[1]!['mesos']!.slaveInfos!.map((t) => t['labelString']);
    for (const l of plan.labels) expect(labels).toContain(l.name);
  });
});

describe('the job → label move snippet', () => {
  const hostile = [
    "it's",
    'back\\slash',
    'new\nline',
    '${System.exit(1)}',
    "\\u0027; System.exit(1); '",
    'ünïcödé/ジョブ',
    '*/ /* \u2028 end',
    '',
  ];
  it('each name is a plain literal or a base64 decode that gives the name back; nothing else is ever emitted', () => {
    for (const name of hostile) {
      const expr = groovyString(name);
      const literal = /^'([\x20-\x26\x28-\x5b\x5d-\x7e]*)'$/.exec(expr);
      const b64 = /^new String\('([A-Za-z0-9+/=]*)'\.decodeBase64\(\), 'UTF-8'\)$/.exec(expr);
      expect(literal !== null || b64 !== null).toBe(true);
      const back = literal !== null ? literal[1]! : Buffer.from(b64![1]!, 'base64').toString('utf8');
      expect(back).toBe(name);
    }
    expect(groovyString('team/app-1')).toBe("'team/app-1'");
    expect(groovyString("it's")).toMatch(/^new String/);
  });

  it('the script has one line per move and no character a hostile name could use to break out', () => {
    const moves = hostile.map((k) => assignment(k, 'rs-1c-2048m', 1, 2 * GiB));
    const script = movesGroovy(moves);
    const lines = script.split('\n');
    const moveLines = lines.filter((l) => l.startsWith('  ['));
    expect(moveLines).toHaveLength(hostile.length);
    // Printable ASCII only, and no backslash anywhere (Groovy reads \\u escapes across the whole script).
    expect(script).toMatch(/^[\x20-\x5b\x5d-\x7e\n]*$/);
    expect(script).toContain('setAssignedLabel(jenkins.getLabelAtom(m[1]))');
    expect(moveLines[0]).toMatch(/^ {2}\[new String\('[A-Za-z0-9+/=]+'\.decodeBase64\(\), 'UTF-8'\), 'rs-1c-2048m'\], \/\/ it's -> rs-1c-2048m$/);
    expect(moveLines[2]).toContain('// new?line -> rs-1c-2048m');
  });
});
