import { strict as assert } from "assert";
import { readFileSync } from "fs";
import { get } from "http";
import { join } from "path";
import type { ControlPlane } from "../rehearsal/cluster/control-plane";
import { requireControlPlane, startControlPlane } from "../rehearsal/cluster/control-plane";
import type { PodRunner } from "../rehearsal/cluster/pod-runner";
import { poll, requirePodRunner, startPodRunner } from "../rehearsal/cluster/pod-runner";
import { temporaryDir } from "../rehearsal/postgres";

const namespace = "pod-runner-e2e";

interface ContainerStatus {
    name: string;
    state: {
        running?: unknown;
        waiting?: { reason?: string; message?: string };
        terminated?: { exitCode: number; reason?: string; message?: string };
    };
}

interface Pod {
    metadata: { name: string; uid: string };
    status?: {
        phase?: string;
        podIP?: string;
        initContainerStatuses?: ContainerStatus[];
        containerStatuses?: ContainerStatus[];
        conditions?: { type: string; status: string }[];
    };
}

interface Job {
    status?: { conditions?: { type: string; status: string; reason?: string }[] };
}

interface Node {
    spec?: { unschedulable?: boolean };
    status?: { allocatable?: Record<string, string>; conditions?: { type: string; status: string }[] };
}

function job(name: string, spec: Record<string, unknown>): Record<string, unknown> {
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name, namespace },
        spec: { backoffLimit: 0, template: { spec: { restartPolicy: "Never", ...spec } } },
    };
}

describe("the pod runner, without its binary", () => {
    it("fails naming `npm run engines`", () => {
        assert.throws(
            () => requirePodRunner(temporaryDir("no-pod-runner")),
            /pod-runner not found in .*npm run engines/,
        );
    });
});

describe("the pod runner: a node whose pods run as local processes", function () {
    this.timeout(300000);
    let cluster: ControlPlane | undefined;
    let runner: PodRunner | undefined;

    const podOf = async (jobName: string): Promise<Pod | undefined> => {
        const list = await cluster!.api.get<{ items: Pod[] }>(
            `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(`job-name=${jobName}`)}`,
        );
        return list.items[0];
    };
    const jobCondition = async (jobName: string, type: string): Promise<true | undefined> => {
        const found = await cluster!.api.get<Job>(`/apis/batch/v1/namespaces/${namespace}/jobs/${jobName}`);
        return found.status?.conditions?.some((c) => c.type === type && c.status === "True") === true
            ? true
            : undefined;
    };
    const diagnose = () => runner?.log() ?? "";

    before(async function () {
        requireControlPlane();
        requirePodRunner();
        cluster = await startControlPlane();
        runner = await startPodRunner(cluster);
        const api = cluster.api;
        await api.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
        await poll("the namespace's default service account", 30, async () =>
            (await api.request("GET", `/api/v1/namespaces/${namespace}/serviceaccounts/default`)).status === 200
                ? true
                : undefined,
        );
        await api.create(`/api/v1/namespaces/${namespace}/secrets`, {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "greeting", namespace },
            stringData: { word: "hello-from-a-secret" },
        });
        await api.create(`/api/v1/namespaces/${namespace}/configmaps`, {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "scripts", namespace },
            data: { "say.sh": 'echo "script says $WORD"\n' },
        });
    });

    after(async () => {
        await runner?.stop();
        await cluster?.stop();
    });

    it("registers a Ready, schedulable node with allocatable cpu, memory and pods", async () => {
        const node = await cluster!.api.get<Node>(`/api/v1/nodes/${runner!.nodeName}`);
        assert.notEqual(node.spec?.unschedulable, true);
        for (const resource of ["cpu", "memory", "pods"])
            assert.ok(node.status?.allocatable?.[resource] !== undefined, `allocatable ${resource}`);
    });

    it("a Job whose container exits 3 ends with its pod Failed, exit code 3 and the termination message", async () => {
        await cluster!.api.create(
            `/apis/batch/v1/namespaces/${namespace}/jobs`,
            job("fails", {
                containers: [
                    {
                        name: "main",
                        image: "busybox:1.36",
                        command: ["sh", "-c", "sh /scripts/say.sh; echo 'exit three' > /dev/termination-log; exit 3"],
                        env: [{ name: "WORD", valueFrom: { secretKeyRef: { name: "greeting", key: "word" } } }],
                        volumeMounts: [{ name: "scripts", mountPath: "/scripts", readOnly: true }],
                    },
                ],
                volumes: [{ name: "scripts", configMap: { name: "scripts", defaultMode: 0o555 } }],
            }),
        );
        const pod = await poll(`the Job's pod Failed\n${diagnose()}`, 120, async () => {
            const found = await podOf("fails");
            return found?.status?.phase === "Failed" ? found : undefined;
        });
        const main = pod.status?.containerStatuses?.find((c) => c.name === "main");
        assert.deepEqual(
            {
                exitCode: main?.state.terminated?.exitCode,
                reason: main?.state.terminated?.reason,
                message: main?.state.terminated?.message,
            },
            { exitCode: 3, reason: "Error", message: "exit three\n" },
        );
        const log = readFileSync(
            join(runner!.stateDir, "pods", `${namespace}_${pod.metadata.name}_${pod.metadata.uid}`, "logs", "main.log"),
            "utf8",
        );
        assert.equal(log, "script says hello-from-a-secret\n");
        await poll("the Job Failed", 60, () => jobCondition("fails", "Failed"));
    });

    it("a Job whose init container fills an emptyDir its container reads reaches Complete through the Job controller", async () => {
        await cluster!.api.create(
            `/apis/batch/v1/namespaces/${namespace}/jobs`,
            job("succeeds", {
                initContainers: [
                    {
                        name: "prepare",
                        image: "busybox:1.36",
                        command: ["sh", "-c", 'echo "$WORD" > /work/word'],
                        env: [{ name: "WORD", valueFrom: { secretKeyRef: { name: "greeting", key: "word" } } }],
                        volumeMounts: [{ name: "work", mountPath: "/work" }],
                    },
                ],
                containers: [
                    {
                        name: "main",
                        image: "busybox:1.36",
                        command: ["sh", "-c", 'test "$(cat /work/word)" = hello-from-a-secret && test -s "$TOKEN"'],
                        env: [{ name: "TOKEN", value: "/var/run/secrets/kubernetes.io/serviceaccount/token" }],
                        volumeMounts: [{ name: "work", mountPath: "/work" }],
                    },
                ],
                volumes: [{ name: "work", emptyDir: {} }],
            }),
        );
        await poll(`the Job Complete\n${diagnose()}`, 120, () => jobCondition("succeeds", "Complete"));
        const pod = await podOf("succeeds");
        assert.equal(pod?.status?.phase, "Succeeded");
        assert.equal(pod?.status?.initContainerStatuses?.[0]?.state.terminated?.exitCode, 0);
        assert.equal(pod?.status?.containerStatuses?.[0]?.state.terminated?.exitCode, 0);
    });
    it("a Deployment of the app image becomes Available once its readiness probes answer, each pod on an IP of its own, and its processes end with the pods", async () => {
        const api = cluster!.api;
        await api.create(`/apis/apps/v1/namespaces/${namespace}/deployments`, {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "app", namespace },
            spec: {
                replicas: 2,
                selector: { matchLabels: { app: "app" } },
                template: {
                    metadata: { labels: { app: "app" } },
                    spec: {
                        containers: [
                            {
                                name: "app",
                                image: "ghcr.io/acme/shop:v1.2.0",
                                ports: [{ name: "http", containerPort: 8080 }],
                                readinessProbe: { httpGet: { path: "/health", port: "http" }, periodSeconds: 1 },
                            },
                        ],
                    },
                },
            },
        });
        await poll(`the Deployment Available\n${diagnose()}`, 120, async () => {
            const found = await api.get<{ status?: { availableReplicas?: number } }>(
                `/apis/apps/v1/namespaces/${namespace}/deployments/app`,
            );
            return found.status?.availableReplicas === 2 ? true : undefined;
        });
        const pods = await api.get<{ items: Pod[] }>(`/api/v1/namespaces/${namespace}/pods?labelSelector=app%3Dapp`);
        const ips = pods.items.map((pod) => pod.status?.podIP ?? "");
        assert.equal(new Set(ips).size, 2, `two pod IPs: ${ips.join(", ")}`);
        for (const ip of ips) {
            assert.match(ip, /^127\.1\.\d+\.\d+$/);
            assert.equal(await healthAnswer(ip), "ok\n", `the app at ${ip}:8080`);
        }
        const gone = await api.request("DELETE", `/apis/apps/v1/namespaces/${namespace}/deployments/app`, {
            propagationPolicy: "Foreground",
        });
        assert.equal(gone.status, 200, gone.text);
        await poll("the app's processes gone with their pods", 90, async () => {
            const answers = await Promise.all(ips.map((ip) => healthAnswer(ip)));
            return answers.every((answer) => answer === undefined) ? true : undefined;
        });
    });
});

/** What the stand-in app answers on its health path, or undefined when nothing listens. */
function healthAnswer(ip: string): Promise<string | undefined> {
    return new Promise((done) => {
        const request = get(`http://${ip}:8080/health`, (response) => {
            let body = "";
            response.on("data", (chunk: Buffer) => (body += chunk.toString()));
            response.on("end", () => done(body));
        });
        request.on("error", () => done(undefined));
        request.setTimeout(2000, () => request.destroy());
    });
}
