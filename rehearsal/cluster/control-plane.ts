import type { ChildProcess } from "child_process";
import { spawn, spawnSync } from "child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "fs";
import { request } from "https";
import { join } from "path";
import { stringify } from "yaml";
import { freePort, removeDir, temporaryDir } from "../postgres";
import { enginesBin } from "./engines";

/** What `npm run engines` builds for the control plane (engines/kube and engines/etcd). */
export const controlPlaneBinaries = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"] as const;

/** Fails with what to run when a control-plane binary is missing: never a silent skip. */
export function requireControlPlane(bin = enginesBin): void {
    const missing = controlPlaneBinaries.filter((name) => !existsSync(join(bin, name)));
    if (missing.length > 0) {
        throw new Error(
            `${missing.join(", ")} not found in ${bin}: run \`npm run engines\` first (it builds the control plane from the Go module proxy: k8s.io/kubernetes v1.36.3 and etcd v3.6.16)`,
        );
    }
}

/** An answer of the API server; `body` parsed when it is JSON. */
export interface KubeResponse {
    readonly status: number;
    readonly body: unknown;
    readonly text: string;
}

/** Just enough of a Kubernetes client for the tests: requests as the cluster admin, over TLS checked against our CA. */
export interface KubeApi {
    request(method: string, path: string, body?: unknown): Promise<KubeResponse>;
    /** GET that must answer 200. */
    get<T = Record<string, unknown>>(path: string): Promise<T>;
    /** POST that must answer 201 (or 409 when `existingOk`: the object is there already). */
    create(path: string, object: unknown, existingOk?: boolean): Promise<void>;
}

/** A throwaway cluster on loopback: etcd, kube-apiserver, kube-controller-manager and kube-scheduler. */
export interface ControlPlane {
    /** `https://127.0.0.1:<port>`. */
    readonly server: string;
    /** A kubeconfig for the cluster admin (client certificate, group system:masters), context `migrate-first`. */
    readonly kubeconfig: string;
    /** Where the certificates, etcd's data and each component's log live; removed by stop(). */
    readonly dir: string;
    readonly api: KubeApi;
    /** Each component's process id, for checks from outside (what it listens on). */
    readonly pids: ReadonlyMap<string, number>;
    /** Milliseconds from the start until each component was ready, in start order. */
    readonly ready: ReadonlyMap<string, number>;
    /** Stops every component (the API server's clients first, etcd last) and removes `dir`, unless asked to keep it for a restart. */
    stop(options?: { keepDir?: boolean }): Promise<void>;
}

export interface ControlPlaneOptions {
    /** Where progress goes, a line at a time. @default stderr with a "control-plane:" prefix */
    readonly log?: (line: string) => void;
    /** Also start the controller manager and the scheduler. @default true */
    readonly controllers?: boolean;
    /** Restart on what a stop({ keepDir: true }) left here: its certificates and etcd's data. @default - a new directory */
    readonly dir?: string;
}

// Children still running when the process exits (a test that threw, Ctrl-C): a stray API
// server or etcd would hold its ports and the CPU for the next run.
const running = new Set<ChildProcess>();
process.on("exit", () => running.forEach((child) => child.kill("SIGKILL")));

/** Starts a control plane, each component ready before the next starts; throws with the failing component's log. */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
    requireControlPlane();
    const log = options.log ?? ((line: string) => process.stderr.write(`control-plane: ${line}\n`));
    const started = Date.now();
    const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
    const dir = options.dir ?? temporaryDir("control-plane");
    const children: { name: string; child: ChildProcess }[] = [];
    const readyAt = new Map<string, number>();
    const stop = async (how: { keepDir?: boolean } = {}) => {
        // Reverse order: the controllers and the API server go before the etcd they write to.
        for (const { child } of [...children].reverse()) await terminate(child);
        if (how.keepDir !== true) removeDir(dir);
    };
    try {
        const pki = existsSync(join(dir, "pki", "ca.crt")) ? pkiIn(join(dir, "pki")) : makePki(join(dir, "pki"));
        // A restart keeps its ports: etcd's membership records its peer URL.
        const portsFile = join(dir, "ports.json");
        const ports = existsSync(portsFile)
            ? (JSON.parse(readFileSync(portsFile, "utf8")) as number[])
            : await distinctPorts(5);
        writeFileSync(portsFile, JSON.stringify(ports));
        const [etcdClient, etcdPeer, apiPort, kcmPort, schedulerPort] = ports;
        const server = `https://127.0.0.1:${apiPort}`;
        const kubeconfig = join(dir, "kubeconfig");
        writeFileSync(kubeconfig, kubeconfigText(server, pki), { mode: 0o600 });
        const api = kubeApi(server, pki);
        const launch = (name: string, args: string[]) => {
            const out = openSync(join(dir, `${name}.log`), "a");
            const child = spawn(join(enginesBin, name), args, { stdio: ["ignore", out, out] });
            closeSync(out);
            running.add(child);
            child.on("exit", () => running.delete(child));
            children.push({ name, child });
            return child;
        };
        const ready = async (name: string, child: ChildProcess, check: () => Promise<boolean>) => {
            await waitFor(name, child, check, join(dir, `${name}.log`));
            readyAt.set(name, Date.now() - started);
            log(`${name} ready (${elapsed()})`);
        };

        log(`starting in ${dir}`);
        const etcd = launch("etcd", [
            `--data-dir=${join(dir, "etcd")}`,
            "--name=migrate-first",
            `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
            `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
            `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
            `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
            `--initial-cluster=migrate-first=http://127.0.0.1:${etcdPeer}`,
            // Throwaway data: durability buys nothing and fsync costs seconds on a busy disk.
            "--unsafe-no-fsync",
            "--log-level=warn",
        ]);
        await ready("etcd", etcd, async () =>
            (await plainGet(`http://127.0.0.1:${etcdClient}/health`)).includes('"true"'),
        );

        const apiserver = launch("kube-apiserver", [
            `--etcd-servers=http://127.0.0.1:${etcdClient}`,
            "--bind-address=127.0.0.1",
            `--secure-port=${apiPort}`,
            // The kubernetes Service's endpoint would be this address, and Endpoints refuse
            // loopback: no endpoint reconciler (nothing here runs in a pod that would use it).
            "--advertise-address=127.0.0.1",
            "--endpoint-reconciler-type=none",
            `--tls-cert-file=${pki.serverCert}`,
            `--tls-private-key-file=${pki.serverKey}`,
            `--client-ca-file=${pki.caCert}`,
            `--service-account-issuer=https://kubernetes.default.svc`,
            `--service-account-key-file=${pki.serviceAccountPublic}`,
            `--service-account-signing-key-file=${pki.serviceAccountKey}`,
            // Loopback ClusterIPs: every 127/8 address is local on Linux, so the pod runner's
            // proxy listens on a Service's real ClusterIP with no change to the host's network.
            "--service-cluster-ip-range=127.2.0.0/16",
            "--authorization-mode=RBAC",
            "--profiling=false",
            "--v=1",
        ]);
        await ready("kube-apiserver", apiserver, async () => {
            const answer = await api.request("GET", "/readyz");
            return answer.status === 200;
        });

        if (options.controllers ?? true) {
            const common = (port: number) => [
                `--kubeconfig=${kubeconfig}`,
                `--authentication-kubeconfig=${kubeconfig}`,
                `--authorization-kubeconfig=${kubeconfig}`,
                "--bind-address=127.0.0.1",
                `--secure-port=${port}`,
                // One instance, no election to wait for (it costs a lease period at start).
                "--leader-elect=false",
                "--profiling=false",
                "--v=1",
            ];
            const kcm = launch("kube-controller-manager", [
                ...common(kcmPort),
                `--cert-dir=${join(dir, "kcm-serving")}`,
                `--service-account-private-key-file=${pki.serviceAccountKey}`,
                `--root-ca-file=${pki.caCert}`,
            ]);
            const scheduler = launch("kube-scheduler", [
                ...common(schedulerPort),
                `--cert-dir=${join(dir, "scheduler-serving")}`,
            ]);
            // Healthy and doing its work: the service-account controller gave `default` its account.
            await ready(
                "kube-controller-manager",
                kcm,
                async () =>
                    (await selfSignedGet(`https://127.0.0.1:${kcmPort}/healthz`)) === "ok" &&
                    (await api.request("GET", "/api/v1/namespaces/default/serviceaccounts/default")).status === 200,
            );
            await ready(
                "kube-scheduler",
                scheduler,
                async () => (await selfSignedGet(`https://127.0.0.1:${schedulerPort}/healthz`)) === "ok",
            );
        }
        const version = await api.get<{ gitVersion: string }>("/version");
        log(`${server} (${version.gitVersion}) ready in ${elapsed()}; kubeconfig ${kubeconfig}`);
        const pids = new Map(children.map(({ name, child }) => [name, child.pid ?? 0]));
        return { server, kubeconfig, dir, api, pids, ready: readyAt, stop };
    } catch (error) {
        await stop();
        throw error;
    }
}

interface Pki {
    readonly caCert: string;
    readonly caKey: string;
    readonly serverCert: string;
    readonly serverKey: string;
    readonly adminCert: string;
    readonly adminKey: string;
    readonly serviceAccountKey: string;
    readonly serviceAccountPublic: string;
}

/** A CA of its own, valid two days, and what it signs: the API server's certificate and the admin's. */
function makePki(dir: string): Pki {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const at = (file: string) => join(dir, file);
    const openssl = (args: string[]) => {
        const run = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
        if (run.error !== undefined)
            throw new Error(`openssl could not run (${run.error.message}); install it (apt-get install -y openssl)`);
        if (run.status !== 0) throw new Error(`openssl ${args[0]} failed:\n${run.stderr}`);
    };
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    openssl([
        "req",
        "-x509",
        ...ec,
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=migrate-first throwaway CA",
    ]);
    const leaf = (name: string, subject: string, extensions: string) => {
        writeFileSync(at(`${name}.ext`), extensions);
        openssl(["req", "-new", ...ec, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject]);
        openssl([
            "x509",
            "-req",
            "-in",
            `${name}.csr`,
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-out",
            `${name}.crt`,
            "-extfile",
            `${name}.ext`,
        ]);
    };
    const usage = "keyUsage=critical,digitalSignature,keyEncipherment\n";
    leaf(
        "server",
        "/CN=kube-apiserver",
        `${usage}extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc,IP:127.2.0.1\n`,
    );
    // Group system:masters: every component and the tests act as the cluster admin, which a
    // throwaway cluster on loopback can afford.
    leaf("admin", "/O=system:masters/CN=migrate-first-admin", `${usage}extendedKeyUsage=clientAuth\n`);
    openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "service-account.key"]);
    openssl(["pkey", "-in", "service-account.key", "-pubout", "-out", "service-account.pub"]);
    return pkiIn(dir);
}

function pkiIn(dir: string): Pki {
    const at = (file: string) => join(dir, file);
    return {
        caCert: at("ca.crt"),
        caKey: at("ca.key"),
        serverCert: at("server.crt"),
        serverKey: at("server.key"),
        adminCert: at("admin.crt"),
        adminKey: at("admin.key"),
        serviceAccountKey: at("service-account.key"),
        serviceAccountPublic: at("service-account.pub"),
    };
}

function kubeconfigText(server: string, pki: Pki): string {
    const base64 = (file: string) => readFileSync(file).toString("base64");
    return stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "migrate-first", cluster: { server, "certificate-authority-data": base64(pki.caCert) } }],
        users: [
            {
                name: "migrate-first-admin",
                user: {
                    "client-certificate-data": base64(pki.adminCert),
                    "client-key-data": base64(pki.adminKey),
                },
            },
        ],
        contexts: [{ name: "migrate-first", context: { cluster: "migrate-first", user: "migrate-first-admin" } }],
        "current-context": "migrate-first",
    });
}

function kubeApi(server: string, pki: Pki): KubeApi {
    const ca = readFileSync(pki.caCert);
    const cert = readFileSync(pki.adminCert);
    const key = readFileSync(pki.adminKey);
    const call = (method: string, path: string, body?: unknown): Promise<KubeResponse> =>
        new Promise((resolve, reject) => {
            const payload = body === undefined ? undefined : JSON.stringify(body);
            const req = request(
                `${server}${path}`,
                {
                    method,
                    ca,
                    cert,
                    key,
                    timeout: 30000,
                    headers: {
                        accept: "application/json",
                        // Node sends a DELETE's body neither chunked nor with a length unless told:
                        // the server would read it as the start of the next request on the connection.
                        ...(payload === undefined
                            ? {}
                            : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }),
                    },
                },
                (res) => {
                    let text = "";
                    res.setEncoding("utf8");
                    res.on("data", (chunk: string) => (text += chunk));
                    res.on("end", () => {
                        let parsed: unknown = text;
                        try {
                            parsed = JSON.parse(text) as unknown;
                        } catch {
                            // Plain text (e.g. /readyz): kept as is.
                        }
                        resolve({ status: res.statusCode ?? 0, body: parsed, text });
                    });
                },
            );
            req.on("timeout", () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
            req.on("error", reject);
            req.end(payload);
        });
    return {
        request: call,
        async get<T>(path: string): Promise<T> {
            const answer = await call("GET", path);
            if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status} ${answer.text}`);
            return answer.body as T;
        },
        async create(path: string, object: unknown, existingOk = false): Promise<void> {
            const answer = await call("POST", path, object);
            if (answer.status === 201 || (existingOk && answer.status === 409)) return;
            throw new Error(`POST ${path}: ${answer.status} ${answer.text}`);
        },
    };
}

/** `count` different free ports (the kernel may hand the same one out twice once it is closed). */
async function distinctPorts(count: number): Promise<number[]> {
    const ports = new Set<number>();
    while (ports.size < count) ports.add(await freePort());
    return [...ports];
}

/** Polls `check` until it holds; fails early, with the log's tail, when the process exits. */
async function waitFor(
    name: string,
    child: ChildProcess,
    check: () => Promise<boolean>,
    logFile: string,
): Promise<void> {
    const deadline = Date.now() + 120000;
    const tail = () => readFileSync(logFile, "utf8").split("\n").slice(-25).join("\n");
    while (Date.now() < deadline) {
        if (child.exitCode !== null || child.signalCode !== null) {
            throw new Error(
                `${name} exited (${child.exitCode ?? child.signalCode}) before it was ready; its log ends:\n${tail()}`,
            );
        }
        if (await check().catch(() => false)) return;
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`${name} was not ready after 120 s; its log ends:\n${tail()}`);
}

function plainGet(url: string): Promise<string> {
    return fetch(url, { signal: AbortSignal.timeout(5000) }).then((res) => res.text());
}

/** The controller manager and scheduler serve health with a certificate they made themselves: not checked (loopback). */
function selfSignedGet(url: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const req = request(url, { rejectUnauthorized: false, timeout: 5000 }, (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => (text += chunk));
            res.on("end", () => resolve(text));
        });
        req.on("timeout", () => req.destroy(new Error(`${url}: no answer`)));
        req.on("error", reject);
        req.end();
    });
}

/** SIGTERM, then SIGKILL after 15 s. */
function terminate(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
        const timer = setTimeout(() => child.kill("SIGKILL"), 15000);
        child.once("exit", () => {
            clearTimeout(timer);
            resolve();
        });
        child.kill("SIGTERM");
    });
}
