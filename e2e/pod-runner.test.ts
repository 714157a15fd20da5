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
        // The policy as a query parameter: a DELETE with a body leaves the kept-alive connection
        // answering the client's next request with a bare 400 (rehearsal/cluster/control-plane.ts's client).
        const gone = await api.request(
            "DELETE",
            `/apis/apps/v1/namespaces/${namespace}/deployments/app?propagationPolicy=Foreground`,
        );
        assert.equal(gone.status, 200, gone.text);
        await poll("the app's processes gone with their pods", 90, async () => {
            const answers = await Promise.all(ips.map((ip) => healthAnswer(ip)));
            return answers.every((answer) => answer === undefined) ? true : undefined;
        });
    });

    describe("Services: cluster DNS in each pod's /etc/hosts, ClusterIPs routed to ready pods", () => {
        const finished = async (jobName: string): Promise<Pod> =>
            poll(`the Job ${jobName}'s pod finished\n${diagnose()}`, 180, async () => {
                const found = await podOf(jobName);
                const phase = found?.status?.phase;
                return phase === "Succeeded" || phase === "Failed" ? found : undefined;
            });
        const message = (pod: Pod) =>
            pod.status?.containerStatuses?.find((c) => c.name === "main")?.state.terminated?.message ?? "";
        const clusterIP = async (name: string) =>
            (
                await cluster!.api.get<{ spec: { clusterIP: string } }>(
                    `/api/v1/namespaces/${namespace}/services/${name}`,
                )
            ).spec.clusterIP;

        before(async () => {
            const api = cluster!.api;
            await api.create(`/apis/apps/v1/namespaces/${namespace}/deployments`, {
                apiVersion: "apps/v1",
                kind: "Deployment",
                metadata: { name: "web", namespace },
                spec: {
                    replicas: 2,
                    selector: { matchLabels: { app: "web" } },
                    template: {
                        metadata: { labels: { app: "web" } },
                        spec: {
                            containers: [
                                {
                                    name: "web",
                                    image: "ghcr.io/acme/shop:v1.2.0",
                                    ports: [{ name: "http", containerPort: 8080 }],
                                    readinessProbe: { httpGet: { path: "/health", port: "http" }, periodSeconds: 1 },
                                },
                            ],
                        },
                    },
                },
            });
            // Port 80 to the named port 8080: the proxy must resolve targetPort on each pod.
            await api.create(`/api/v1/namespaces/${namespace}/services`, {
                apiVersion: "v1",
                kind: "Service",
                metadata: { name: "web", namespace },
                spec: { type: "ClusterIP", selector: { app: "web" }, ports: [{ port: 80, targetPort: "http" }] },
            });
            await poll(`the Deployment web Available\n${diagnose()}`, 120, async () => {
                const found = await api.get<{ status?: { availableReplicas?: number } }>(
                    `/apis/apps/v1/namespaces/${namespace}/deployments/web`,
                );
                return found.status?.availableReplicas === 2 ? true : undefined;
            });
        });

        it("the API server allocates the Service a ClusterIP in 127.2.0.0/16, local to this machine", async () => {
            assert.match(await clusterIP("web"), /^127\.2\.\d+\.\d+$/);
        });

        it("a Job fetching http://web.<ns>.svc:80/health with wget, busybox wget and curl gets the app's answer and Completes", async () => {
            const url = `http://web.${namespace}.svc:80/health`;
            await cluster!.api.create(
                `/apis/batch/v1/namespaces/${namespace}/jobs`,
                job("fetch", {
                    containers: [
                        {
                            name: "main",
                            image: "busybox:1.36",
                            // Each client's answer goes to the termination message, so a failure says which.
                            command: [
                                "sh",
                                "-c",
                                [
                                    `a=$(wget -q -O - -T 10 "$URL"); echo "wget: $a" >> /dev/termination-log`,
                                    `b=$(busybox wget -q -O - "$URL"); echo "busybox wget: $b" >> /dev/termination-log`,
                                    `c=$(curl -fsS -m 10 "$URL"); echo "curl: $c" >> /dev/termination-log`,
                                    `test "$a" = ok && test "$b" = ok && test "$c" = ok`,
                                ].join("\n"),
                            ],
                            env: [{ name: "URL", value: url }],
                        },
                    ],
                }),
            );
            const pod = await finished("fetch");
            assert.equal(message(pod), "wget: ok\nbusybox wget: ok\ncurl: ok\n");
            assert.equal(pod.status?.phase, "Succeeded");
            await poll(`the Job fetch Complete\n${diagnose()}`, 60, () => jobCondition("fetch", "Complete"));
        });

        it("a Job hitting a Service with no ready endpoint fails: its name resolves to the ClusterIP, the connection is refused", async () => {
            await cluster!.api.create(`/api/v1/namespaces/${namespace}/services`, {
                apiVersion: "v1",
                kind: "Service",
                metadata: { name: "nobody", namespace },
                spec: { selector: { app: "nobody" }, ports: [{ port: 8080, targetPort: 8080 }] },
            });
            await cluster!.api.create(
                `/apis/batch/v1/namespaces/${namespace}/jobs`,
                job("unreachable", {
                    containers: [
                        {
                            name: "main",
                            image: "curlimages/curl:8.10.1",
                            command: [
                                "sh",
                                "-c",
                                [
                                    `getent hosts nobody.${namespace}.svc | cut -d' ' -f1 > /dev/termination-log`,
                                    `curl -fsS -m 10 http://nobody.${namespace}.svc:8080/health`,
                                    `code=$?; echo "curl exit $code" >> /dev/termination-log; exit $code`,
                                ].join("\n"),
                            ],
                        },
                    ],
                }),
            );
            const pod = await finished("unreachable");
            // curl's exit 7: could not connect (refused), not 6 (name not resolved) nor 28 (timeout).
            assert.equal(message(pod), `${await clusterIP("nobody")}\ncurl exit 7\n`);
            assert.equal(pod.status?.phase, "Failed");
            await poll("the Job unreachable Failed", 60, () => jobCondition("unreachable", "Failed"));
        });

        it("a Service created while a pod runs resolves and routes in it", async () => {
            await cluster!.api.create(
                `/apis/batch/v1/namespaces/${namespace}/jobs`,
                job("late", {
                    activeDeadlineSeconds: 150,
                    containers: [
                        {
                            name: "main",
                            image: "busybox:1.36",
                            command: [
                                "sh",
                                "-c",
                                `until a=$(curl -fsS -m 5 http://late.${namespace}.svc:8081/health); do sleep 1; done; echo "$a" > /dev/termination-log`,
                            ],
                        },
                    ],
                }),
            );
            await poll(`the Job late's pod Running\n${diagnose()}`, 120, async () =>
                (await podOf("late"))?.status?.phase === "Running" ? true : undefined,
            );
            await cluster!.api.create(`/api/v1/namespaces/${namespace}/services`, {
                apiVersion: "v1",
                kind: "Service",
                metadata: { name: "late", namespace },
                spec: { selector: { app: "web" }, ports: [{ port: 8081, targetPort: "http" }] },
            });
            const pod = await finished("late");
            assert.equal(message(pod), "ok\n");
            assert.equal(pod.status?.phase, "Succeeded");
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
