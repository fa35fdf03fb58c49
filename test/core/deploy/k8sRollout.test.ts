import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { renderManifests } from '../../../src/core/deploy/k8sManifests.js';

interface Container {
  name: string;
  image: string;
  command?: string[];
  env?: { name: string; value: string }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  securityContext: { readOnlyRootFilesystem: boolean; runAsNonRoot: boolean };
}
interface PodSpec {
  initContainers?: Container[];
  containers: Container[];
  volumes?: { name: string; emptyDir?: object }[];
}
interface Manifest {
  kind: string;
  metadata: { name: string; labels: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    template: { spec: PodSpec };
    predictor: { canaryTrafficPercent?: number; containers: Container[] };
  };
}

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const image = `ghcr.io/owner/credit-risk@${digest('a')}`;
const candidate = `ghcr.io/owner/credit-risk@${digest('b')}`;
const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJSON() as Manifest);

describe('Kubernetes manifests with a candidate', () => {
  const { files } = renderManifests({
    name: 'credit-risk',
    version: '1.3.0',
    image,
    shadowImage: candidate,
    canary: { image: candidate, percent: 10 },
  });

  it('shadow.yaml: the same Deployment, whose runtime also scores every request on the candidate', () => {
    const [deployment] = docs(files['shadow.yaml']!);
    const [plain] = docs(files['deployment.yaml']!);
    // Applying it changes deployment.yaml's Deployment in place.
    expect(deployment!.kind).toBe('Deployment');
    expect(deployment!.metadata.name).toBe(plain!.metadata.name);
    const pod = deployment!.spec.template.spec;
    const [init] = pod.initContainers!;
    // The candidate's image brings its bundle: node copies it into the shared emptyDir.
    expect(init!.image).toBe(candidate);
    expect(init!.command!.slice(0, 2)).toEqual(['node', '-e']);
    expect(init!.command![2]).toContain("'/opt/modelship/model', '/opt/modelship/shadow/model'");
    expect(init!.securityContext).toEqual(pod.containers[0]!.securityContext);
    const [predictor] = pod.containers;
    expect(predictor!.image).toBe(image);
    expect(predictor!.env).toEqual([
      { name: 'MODELSHIP_SHADOW', value: '/opt/modelship/shadow/model' },
      { name: 'MODELSHIP_SHADOW_LOG', value: '/var/lib/modelship/shadow.jsonl' },
    ]);
    // The root filesystem stays read-only: the bundle and the log live on emptyDir volumes.
    expect(predictor!.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(predictor!.volumeMounts).toEqual([
      { name: 'shadow-model', mountPath: '/opt/modelship/shadow', readOnly: true },
      { name: 'shadow-log', mountPath: '/var/lib/modelship' },
    ]);
    expect(pod.volumes).toEqual([
      { name: 'shadow-model', emptyDir: {} },
      { name: 'shadow-log', emptyDir: {} },
    ]);
  });

  it('inferenceservice-canary.yaml: KServe sends canaryTrafficPercent to the candidate', () => {
    const [isvc] = docs(files['inferenceservice-canary.yaml']!);
    const [current] = docs(files['inferenceservice.yaml']!);
    // The same InferenceService: KServe keeps the last rolled-out revision for the rest.
    expect(isvc!.kind).toBe('InferenceService');
    expect(isvc!.metadata.name).toBe(current!.metadata.name);
    expect(isvc!.metadata.annotations).toEqual({
      'serving.kserve.io/deploymentMode': 'Serverless',
    });
    expect(isvc!.metadata.labels['app.kubernetes.io/version']).toBeUndefined();
    expect(isvc!.spec.predictor.canaryTrafficPercent).toBe(10);
    expect(isvc!.spec.predictor.containers[0]).toMatchObject({
      name: 'kserve-container',
      image: candidate,
    });
    expect(current!.spec.predictor.canaryTrafficPercent).toBeUndefined();
  });

  it('refuses a candidate not pinned by digest, and a percentage outside 0 to 100', () => {
    const base = { name: 'm', version: '1', image };
    expect(() => renderManifests({ ...base, shadowImage: 'ghcr.io/o/m:2' })).toThrow(
      /not pinned by digest/,
    );
    expect(() => renderManifests({ ...base, canary: { image: candidate, percent: 120 } })).toThrow(
      /120 is not 0 to 100/,
    );
    expect(Object.keys(renderManifests(base).files)).toEqual([
      'deployment.yaml',
      'inferenceservice.yaml',
    ]);
  });
});
