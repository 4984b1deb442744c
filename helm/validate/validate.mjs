// Reads the multi-document YAML of `helm template` on stdin and validates every object against its
// Kubernetes schema (kubernetes-models; ServiceMonitor from @kubernetes-models/prometheus-operator).
// Prints one line per object; exits 1 on the first unknown kind or invalid object.
import { parseAllDocuments } from "yaml";

const groups = { "": "", "apps": "apps", "policy": "policy", "monitoring.coreos.com": "monitoring.coreos.com" };

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (!(group in groups)) {
    throw new Error(`no schema known for ${apiVersion} ${kind}`);
  }
  const module = group === "monitoring.coreos.com"
    ? await import(`@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`)
    : await import(`kubernetes-models/${group ? group + "/" : ""}${version}/${kind}`);
  return module[kind];
}

let input = "";
for await (const chunk of process.stdin) {
  input += chunk;
}
let count = 0;
for (const doc of parseAllDocuments(input)) {
  const object = doc.toJS();
  if (!object) {
    continue;
  }
  const name = `${object.kind} ${object.metadata?.name}`;
  try {
    const Model = await modelFor(object.apiVersion, object.kind);
    new Model(object).validate();
  } catch (e) {
    console.error(`INVALID ${name}: ${e.message}`);
    process.exit(1);
  }
  console.log(`valid ${name}`);
  count++;
}
if (count === 0) {
  console.error("no objects on stdin");
  process.exit(1);
}
