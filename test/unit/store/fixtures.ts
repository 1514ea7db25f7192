import type { Sample } from '../../../src/model/index.js';

/** One sample of every kind, with realistic values (units per docs/data-model.md). */
export function sampleOfEveryKind(ts = '2026-11-22T03:07:00.000Z'): Sample[] {
  return [
    {
      kind: 'container',
      doc: {
        '@timestamp': ts,
        event: { dataset: 'docker.container' },
        host: { name: 'agent-1' },
        service: { address: 'unix:///var/run/docker.sock' },
        container: {
          id: '4f1c0a9e2b7d',
          name: 'mesos-6c1f',
          image: { name: 'jenkins/agent:latest' },
          labels: { 'com.docker.compose.project': 'ci', team: 'build' },
        },
        mesos: { agent: { id: 'S1' }, task: { id: 'jenkins-agent-7' } },
        jenkins: { node: { name: 'mesos-agent-7' }, label: 'linux', job: { name: 'app/main' }, build: { number: 42 } },
        cpu: { cores: 0.5, limit_cores: 1, interval_ms: 10_000, throttled: { periods: 3, time_ms: 120 } },
        memory: { working_set_bytes: 67_108_864, rss_bytes: 60_000_000, limit_bytes: 1_073_741_824 },
        process: { count: 4 },
      },
    },
    {
      kind: 'cluster',
      doc: {
        '@timestamp': ts,
        event: { dataset: 'mesos.master' },
        mesos: {
          cluster: 'ci',
          master: { url: 'http://master-1:5050', elected: true, uptime_secs: 1234.5 },
          cpus: { total: 64, used: 12.5, percent: 0.1953125 },
          mem: { total_bytes: 274_877_906_944, used_bytes: 68_719_476_736, percent: 0.25 },
          agents: { active: 4, inactive: 0 },
          tasks: { running: 12, finished: 1000 },
        },
      },
    },
    {
      kind: 'agent',
      doc: {
        '@timestamp': ts,
        event: { dataset: 'mesos.agent' },
        mesos: {
          agent: { id: 'S1', hostname: 'agent-1', active: true, resources: { cpus: 16, mem_bytes: 68_719_476_736 }, used: { cpus: 3.5 } },
        },
      },
    },
    {
      kind: 'role',
      doc: { '@timestamp': ts, event: { dataset: 'mesos.role' }, mesos: { role: { name: 'jenkins', weight: 1, allocated: { cpus: 3.5, mem_bytes: 8_589_934_592 } } } },
    },
    {
      kind: 'queue',
      doc: {
        '@timestamp': ts,
        event: { dataset: 'jenkins.queue.label' },
        jenkins: { url: 'http://jenkins:8080/', label: 'linux' },
        queue: { length: 3, buildable: 2, blocked: 1, stuck: 0, oldest_wait_ms: 65_000, wait_ms: { p50: 30_000, p95: 60_000, max: 65_000 } },
        executors: { total: 8, busy: 8, idle: 0 },
      },
    },
    {
      kind: 'build',
      doc: {
        '@timestamp': ts,
        jenkins: { url: 'http://jenkins:8080/', job: { name: 'app/main' }, build: { number: 42, url: 'http://jenkins:8080/job/app/job/main/42/' }, result: 'SUCCESS', label: 'linux' },
        build: { start: Date.parse(ts) - 600_000, end: Date.parse(ts), duration_ms: 600_000 },
        queue: { wait_ms: 12_000 },
        request: { cpu_cores: 2, memory_bytes: 4_294_967_296 },
        usage: { cpu: { avg_cores: 0.8, p95_cores: 1.6, core_seconds: 480 }, memory: { peak_bytes: 2_147_483_648 }, sample_count: 60, coverage: 0.98, shared_agent: false },
        outcome: { oom_killed: false },
        waste: { cpu_core_seconds: 720, memory_byte_seconds: 1.2e12 },
      },
    },
  ];
}

/** A container sample with a given container id and timestamp. */
export function containerSample(id: string, ts: string, cores = 0.25): Sample {
  return {
    kind: 'container',
    doc: {
      '@timestamp': ts,
      event: { dataset: 'docker.container' },
      service: { address: 'unix:///var/run/docker.sock' },
      container: { id },
      cpu: { cores },
      memory: { working_set_bytes: 1_048_576 },
    },
  };
}
