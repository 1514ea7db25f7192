/**
 * Docker engines discovered from a Mesos cluster: one endpoint per active agent, filled into a
 * template such as `tcp://{hostname}:2375` (`mesos.dockerHostTemplate`). Pure; takes the agents
 * as the Mesos master parser lists them (structurally, so the Docker side needs no Mesos type).
 */

/** What an endpoint template needs of a Mesos agent. */
export interface DiscoveredAgent {
  readonly id?: string;
  readonly hostname?: string;
  /** `false` for an agent the master marks inactive (left out). */
  readonly active?: boolean;
}

/**
 * Fills a Docker endpoint template for a discovered agent: `{hostname}` and `{id}` are
 * replaced, e.g. `tcp://{hostname}:2375` → `tcp://10.0.2.121:2375`. Undefined when the template
 * needs a value the agent does not have, or the value holds characters that would change the
 * URL's structure (`/`, `@`, whitespace, …).
 */
export function dockerEndpointFromTemplate(template: string, agent: { readonly hostname?: string; readonly id?: string }): string | undefined {
  let missing = false;
  const out = template.replace(/\{(hostname|id)\}/g, (_, key: 'hostname' | 'id') => {
    const v = agent[key];
    if (v === undefined || v === '' || !/^[A-Za-z0-9._:\-[\]]+$/.test(v)) {
      missing = true;
      return '';
    }
    return v;
  });
  return missing ? undefined : out;
}

/** Docker endpoints of the active agents of a master state, from a template such as `tcp://{hostname}:2375`. */
export function dockerEndpointsFromState(state: { readonly agents: readonly DiscoveredAgent[] }, template: string): string[] {
  const out: string[] = [];
  for (const a of state.agents) {
    if (a.active === false) continue;
    const ep = dockerEndpointFromTemplate(template, a);
    if (ep !== undefined && !out.includes(ep)) out.push(ep);
  }
  return out;
}
