import { chmodSync, mkdirSync, renameSync, writeFileSync } from "fs";
import { join } from "path";
import type { KubeApi } from "../../rehearsal/cluster/control-plane";

interface Port {
    name?: string;
    port: number;
    targetPort?: number | string;
}

interface Service {
    metadata: { name: string };
    spec?: { selector?: Record<string, string>; ports?: Port[] };
}

interface Pod {
    metadata: { labels?: Record<string, string> };
    spec: { containers: { ports?: { name?: string; containerPort: number }[] }[] };
    status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] };
}

/**
 * A stand-in for kube-proxy and cluster DNS, for the pod runner's pods only: the pod runner
 * has neither, so `http://<service>.<namespace>.svc:<port>/...` (the smoke check's HEALTH_URL)
 * reaches nothing. `bin` holds a `wget` that rewrites such a URL to a Ready pod's address from
 * `routes`, which a loop keeps in step with the API server's Services and Pods; put `bin` first
 * on the runtime image's PATH in the pod runner's image mapping.
 */
export interface ServiceRoutes {
    /** The directory to put first on PATH. */
    readonly bin: string;
    /** The last error the loop met, for a failure's message. */
    lastError(): string | undefined;
    stop(): Promise<void>;
}

export function routeServices(api: KubeApi, namespace: string, dir: string): ServiceRoutes {
    const bin = join(dir, "bin");
    const routes = join(dir, "routes");
    mkdirSync(bin, { recursive: true });
    writeFileSync(routes, "");
    writeFileSync(
        join(bin, "wget"),
        `#!/bin/sh
# Rewrites http://<host>:<port>/... to the address ${routes} maps <host>:<port> to (a Ready
# pod's), as kube-proxy would route a Service's traffic; any other argument passes unchanged.
for arg do
    shift
    case $arg in
        http://*)
            hostport=\${arg#http://}
            hostport=\${hostport%%/*}
            to=$(awk -v h="$hostport" '$1 == h { print $2; exit }' '${routes}')
            if [ -n "$to" ]; then arg="http://$to\${arg#http://"$hostport"}"; fi
            ;;
    esac
    set -- "$@" "$arg"
done
exec /usr/bin/wget "$@"
`,
    );
    chmodSync(join(bin, "wget"), 0o755);

    let stopped = false;
    let last: string | undefined;
    const refresh = async () => {
        const services = await api.get<{ items: Service[] }>(`/api/v1/namespaces/${namespace}/services`);
        const pods = await api.get<{ items: Pod[] }>(`/api/v1/namespaces/${namespace}/pods`);
        const ready = pods.items.filter(
            (pod) =>
                pod.status?.podIP !== undefined &&
                pod.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true,
        );
        const lines = services.items.flatMap((service) => {
            const selector = Object.entries(service.spec?.selector ?? {});
            if (selector.length === 0) return [];
            const pod = ready.find((p) => selector.every(([key, value]) => p.metadata.labels?.[key] === value));
            if (pod === undefined) return [];
            return (service.spec?.ports ?? []).flatMap((port) => {
                const target = port.targetPort ?? port.port;
                const number =
                    typeof target === "number"
                        ? target
                        : pod.spec.containers.flatMap((c) => c.ports ?? []).find((p) => p.name === target)
                              ?.containerPort;
                if (number === undefined) return [];
                const host = `${service.metadata.name}.${namespace}.svc`;
                const to = `${pod.status?.podIP}:${number}`;
                return [`${host}:${port.port} ${to}`, `${host}.cluster.local:${port.port} ${to}`];
            });
        });
        // Renamed into place: the shim never reads a half-written file.
        writeFileSync(`${routes}.new`, lines.map((line) => `${line}\n`).join(""));
        renameSync(`${routes}.new`, routes);
    };
    const loop = (async () => {
        while (!stopped) {
            try {
                await refresh();
            } catch (error) {
                last = error instanceof Error ? error.message : String(error);
            }
            await new Promise((done) => setTimeout(done, 500));
        }
    })();
    return {
        bin,
        lastError: () => last,
        stop: async () => {
            stopped = true;
            await loop;
        },
    };
}
