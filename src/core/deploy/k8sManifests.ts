/**
 * Kubernetes manifests for GitOps users: a Deployment and a Service, and a KServe
 * InferenceService with the image as its custom predictor container. The image is pinned by
 * digest, so what runs is what the smoke test passed; the probes use the v2 health routes. With
 * a candidate image: a Deployment whose pods also score every request on it (shadow.yaml), and
 * the InferenceService that sends it a share of the traffic (inferenceservice-canary.yaml).
 */
import { stringify } from 'yaml';
import { CONTEXT_MODEL, IMAGE_ROOT, SERVING_PORT, SERVING_USER } from './containerfile.js';

export interface ManifestOptions {
  /** The model name (a DNS label: [a-z0-9][a-z0-9-]*). */
  name: string;
  version: string;
  /** `<repository>@sha256:<hex>`. */
  image: string;
  namespace?: string;
  replicas?: number;
  resources?: Resources;
  /** A candidate serving image (pinned by digest) to score every request beside this one. */
  shadowImage?: string;
  /** A candidate serving image (pinned by digest) for KServe to send `percent` of traffic to. */
  canary?: { image: string; percent: number };
}

/** Where the shadow's bundle and log live in a shadow pod (emptyDir volumes). */
export const SHADOW_MODEL_DIR = `${IMAGE_ROOT}/shadow`;
export const SHADOW_LOG_DIR = '/var/lib/modelship';

export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { cpu?: string; memory: string };
}

/** Enough for a tabular ONNX model with room for batches; raise memory for larger models. */
export const DEFAULT_RESOURCES: Resources = {
  requests: { cpu: '250m', memory: '256Mi' },
  limits: { cpu: '1', memory: '512Mi' },
};

export interface RenderedManifests {
  /** File name → YAML text. */
  files: Record<string, string>;
}

/** `image` must carry a digest: a tag could move after the smoke test. */
export function isDigestPinned(image: string): boolean {
  return /@sha256:[0-9a-f]{64}$/.test(image);
}

/**
 * deployment.yaml (Deployment + Service) and inferenceservice.yaml (KServe); with a shadow
 * image, shadow.yaml; with a canary, inferenceservice-canary.yaml.
 */
export function renderManifests(options: ManifestOptions): RenderedManifests {
  for (const image of [options.image, options.shadowImage, options.canary?.image]) {
    if (image !== undefined && !isDigestPinned(image))
      throw new Error(`renderManifests: ${image} is not pinned by digest`);
  }
  const name = options.name.slice(0, 63).replace(/-+$/, '');
  const labels = {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/version': options.version.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 63),
    'app.kubernetes.io/component': 'predictor',
    'app.kubernetes.io/managed-by': 'modelship',
  };
  const selector = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': 'predictor' };
  const metadata = (extra: Record<string, unknown> = {}) => ({
    name,
    ...(options.namespace ? { namespace: options.namespace } : {}),
    labels,
    ...extra,
  });
  const container = (containerName: string) => ({
    name: containerName,
    image: options.image,
    ports: [{ name: 'http', containerPort: SERVING_PORT, protocol: 'TCP' }],
    readinessProbe: probe('/v2/health/ready', 2, 5),
    livenessProbe: probe('/v2/health/live', 10, 10),
    startupProbe: { ...probe('/v2/health/ready', 0, 2), failureThreshold: 60 },
    resources: options.resources ?? DEFAULT_RESOURCES,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: SERVING_USER,
      runAsGroup: SERVING_USER,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  });
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(),
    spec: {
      replicas: options.replicas ?? 2,
      selector: { matchLabels: selector },
      template: {
        metadata: {
          labels,
          annotations: {
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(SERVING_PORT),
            'prometheus.io/path': '/metrics',
          },
        },
        spec: {
          automountServiceAccountToken: false,
          // The runtime finishes requests in flight on SIGTERM.
          terminationGracePeriodSeconds: 30,
          containers: [container('predictor')],
        },
      },
    },
  };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(),
    spec: {
      selector,
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    },
  };
  const inferenceService = {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: metadata(),
    spec: {
      predictor: {
        minReplicas: 1,
        // KServe names its custom container kserve-container and routes to its first port.
        containers: [container('kserve-container')],
      },
    },
  };
  const yaml = (documents: unknown[]) =>
    documents.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
  const header = `# Generated by Modelship for ${options.name} ${options.version}; the image is pinned by digest.\n`;
  const files: Record<string, string> = {
    'deployment.yaml': header + yaml([deployment, service]),
    'inferenceservice.yaml': header + yaml([inferenceService]),
  };
  if (options.shadowImage) {
    files['shadow.yaml'] =
      `# Generated by Modelship for ${options.name} ${options.version} with a shadow (${options.shadowImage}); both images are pinned by digest.\n` +
      yaml([shadowDeployment(deployment, container('predictor'), options.shadowImage)]);
  }
  if (options.canary) {
    const { image, percent } = options.canary;
    if (!(Number.isFinite(percent) && percent >= 0 && percent <= 100))
      throw new Error(`renderManifests: canary percent ${percent} is not 0 to 100`);
    const { 'app.kubernetes.io/version': _version, ...canaryLabels } = labels;
    files['inferenceservice-canary.yaml'] =
      `# Generated by Modelship for ${options.name}: ${percent}% of traffic to ${image}, the rest to the last rolled-out revision.\n` +
      yaml([
        {
          ...inferenceService,
          metadata: {
            ...inferenceService.metadata,
            labels: canaryLabels,
            // KServe splits traffic between revisions in serverless mode only.
            annotations: { 'serving.kserve.io/deploymentMode': 'Serverless' },
          },
          spec: {
            predictor: {
              ...inferenceService.spec.predictor,
              canaryTrafficPercent: percent,
              containers: [{ ...container('kserve-container'), image }],
            },
          },
        },
      ]);
  }
  return { files };
}

/**
 * deployment.yaml's Deployment with a shadow: an init container of the candidate's image copies its bundle
 * into an emptyDir (with node, which every serving image has), and the runtime scores every
 * request on it too (MODELSHIP_SHADOW), logging both answers to another emptyDir.
 */
function shadowDeployment(
  deployment: { spec: { template: { spec: object } } },
  base: Record<string, unknown> & { securityContext: object },
  shadowImage: string,
) {
  const copy = `require('fs').cpSync('${IMAGE_ROOT}/${CONTEXT_MODEL}', '${SHADOW_MODEL_DIR}/${CONTEXT_MODEL}', { recursive: true })`;
  // The same name as deployment.yaml's: applying this file adds the shadow to the Deployment,
  // applying deployment.yaml again takes it away.
  return {
    ...deployment,
    spec: {
      ...deployment.spec,
      template: {
        ...deployment.spec.template,
        spec: {
          ...deployment.spec.template.spec,
          initContainers: [
            {
              name: 'shadow-model',
              image: shadowImage,
              command: ['node', '-e', copy],
              volumeMounts: [{ name: 'shadow-model', mountPath: SHADOW_MODEL_DIR }],
              securityContext: base.securityContext,
            },
          ],
          containers: [
            {
              ...base,
              env: [
                { name: 'MODELSHIP_SHADOW', value: `${SHADOW_MODEL_DIR}/${CONTEXT_MODEL}` },
                { name: 'MODELSHIP_SHADOW_LOG', value: `${SHADOW_LOG_DIR}/shadow.jsonl` },
              ],
              volumeMounts: [
                { name: 'shadow-model', mountPath: SHADOW_MODEL_DIR, readOnly: true },
                { name: 'shadow-log', mountPath: SHADOW_LOG_DIR },
              ],
            },
          ],
          volumes: [
            { name: 'shadow-model', emptyDir: {} },
            { name: 'shadow-log', emptyDir: {} },
          ],
        },
      },
    },
  };
}

function probe(path: string, initialDelaySeconds: number, periodSeconds: number) {
  return {
    httpGet: { path, port: 'http' },
    initialDelaySeconds,
    periodSeconds,
    timeoutSeconds: 2,
    failureThreshold: 3,
  };
}
