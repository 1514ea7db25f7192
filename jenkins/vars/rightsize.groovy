// rightsize shared-library step (Jenkins Pipeline). Put this repository's `jenkins/` folder in a
// global (trusted) shared library, then:
//
//   @Library('rightsize') _
//   node(rightsize.label(env.JOB_NAME)) { sh 'make test' }
//   node(rightsize.label(env.JOB_NAME, [fallback: 'linux-4c', timeoutMs: 2000])) { … }
//
// It asks `rightsize serve` for the job's allocation in the mesos-plugin's terms
// (GET /api/v1/jobs/<job>?format=mesos-plugin, docs/api.md) and answers the smallest label of the
// cluster that covers the recommendation. It answers the fallback label instead when rightsize is
// unreachable, slower than the timeout, has no recommendation yet (404), or no label covers it.
// Settings: the map argument, else the environment: RIGHTSIZE_URL (default http://127.0.0.1:8080),
// RIGHTSIZE_FALLBACK_LABEL (default 'linux'), RIGHTSIZE_TOKEN (a read token, when reads need one).

import groovy.json.JsonSlurperClassic

def label(String jobName, Map opts = [:]) {
  String base = (opts.url ?: env.RIGHTSIZE_URL ?: 'http://127.0.0.1:8080').toString().replaceAll('/+$', '')
  String fallback = (opts.fallback ?: env.RIGHTSIZE_FALLBACK_LABEL ?: 'linux').toString()
  int timeoutMs = (opts.timeoutMs ?: 3000) as int
  String token = (opts.token ?: env.RIGHTSIZE_TOKEN ?: '').toString()
  Map answer = ask(base, jobName, timeoutMs, token)
  if (answer.label) {
    echo "rightsize: ${jobName} runs on ${answer.label} (${answer.cpus} cpus, ${answer.mem} MB)"
    return answer.label
  }
  echo "rightsize: ${answer.why}; ${jobName} runs on the fallback label ${fallback}"
  return fallback
}

@NonCPS
private Map ask(String base, String jobName, int timeoutMs, String token) {
  String path = jobName.split('/').collect { java.net.URLEncoder.encode(it, 'UTF-8').replace('+', '%20') }.join('/')
  try {
    def conn = new URL("${base}/api/v1/jobs/${path}?format=mesos-plugin").openConnection()
    conn.connectTimeout = timeoutMs
    conn.readTimeout = timeoutMs
    if (token) conn.setRequestProperty('Authorization', "Bearer ${token}")
    int status = conn.responseCode
    if (status != 200) return [why: "rightsize answered HTTP ${status}"]
    def body = new JsonSlurperClassic().parseText(conn.inputStream.getText('UTF-8'))
    if (!(body instanceof Map) || !body.label) return [why: 'rightsize knows no label for the job']
    if (body.fallback) return [why: "no label covers the recommendation (largest: ${body.label})"]
    return [label: body.label.toString(), cpus: body.cpus, mem: body.mem]
  } catch (Exception e) {
    // Never fail the build because rightsize is down: the caller gets the fallback label.
    return [why: "rightsize is unreachable (${e.class.simpleName})"]
  }
}
