import { strict as assert } from "assert";
import { readFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import type { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import type { Checked } from "../policy/checks";
import {
    applicationProblems,
    credentialProblems,
    migrationJobProblems,
    podProblems,
    schemaFirstProblems,
    types,
} from "../policy/checks";
import { policies } from "../policy/policies";
import { application, buildWorkload } from "../manifests";
import { loadRuntimeScripts } from "../runtime";
import { created, runProgram, stackConfig, stackRef } from "./helpers/program";
import type { Registered } from "./helpers/pulumi-mocks";
import { secretInput } from "./helpers/pulumi-mocks";
import { validSpec } from "./helpers/specs";

const workload = buildWorkload(validSpec(), loadRuntimeScripts());
const as = (type: string, object: object, name = "r"): Checked => ({
    type,
    name,
    props: JSON.parse(JSON.stringify(object)) as Record<string, unknown>,
});
const migrate = () => as(types.job, workload.migrate, "migrate");
const deployment = () => as(types.deployment, workload.deployment, "app");
// Fixtures are edited path by path on a copy; typing every Kubernetes shape here would say nothing more.
// A path that is not there fails the test, as it would have with the object's own properties.
type Path = readonly (string | number)[];
type Node = Record<string | number, unknown>;
interface Editor {
    set(path: Path, value: unknown): void;
    remove(path: Path): void;
    push(path: Path, ...items: unknown[]): void;
    /** The paths of the array's items. */
    items(path: Path): Path[];
}
function nodeAt(root: unknown, path: Path): Node {
    const node = path.reduce<unknown>((parent, key) => {
        if (typeof parent !== "object" || parent === null) throw new TypeError(`${path.join(".")}: no such path`);
        return (parent as Node)[key];
    }, root);
    if (typeof node !== "object" || node === null) throw new TypeError(`${path.join(".")}: not an object`);
    return node as Node;
}
function parentOf(root: unknown, path: Path): [Node, string | number] {
    const key = path.at(-1);
    if (key === undefined) throw new TypeError("an empty path");
    return [nodeAt(root, path.slice(0, -1)), key];
}
function arrayAt(root: unknown, path: Path): unknown[] {
    const array = nodeAt(root, path);
    if (!Array.isArray(array)) throw new TypeError(`${path.join(".")}: not an array`);
    return array;
}
const edit = (r: Checked, change: (props: Editor) => void): Checked => {
    const props = JSON.parse(JSON.stringify(r.props)) as Record<string, unknown>;
    change({
        set: (path, value) => {
            const [node, key] = parentOf(props, path);
            node[key] = value;
        },
        remove: (path) => {
            const [node, key] = parentOf(props, path);
            delete node[key];
        },
        push: (path, ...items) => void arrayAt(props, path).push(...items),
        items: (path) => arrayAt(props, path).map((_, i) => [...path, i]),
    });
    return { ...r, props };
};
const pod = ["spec", "template", "spec"] as const;
const container = [...pod, "containers", 0] as const;
const tierLabel = ["metadata", "labels", "migrate-first.dev/tier"] as const;

describe("the policy pack's rules, each both ways", () => {
    it("migration-job: backoffLimit 0, a deadline, restartPolicy Never, BeforeHookCreation", () => {
        assert.deepEqual(migrationJobProblems(migrate()), []);
        const bad = edit(migrate(), (p) => {
            p.set(["spec", "backoffLimit"], 6);
            p.remove(["spec", "activeDeadlineSeconds"]);
            p.set([...pod, "restartPolicy"], "OnFailure");
            p.set(["metadata", "annotations", "argocd.argoproj.io/hook-delete-policy"], "HookSucceeded");
        });
        const problems = migrationJobProblems(bad);
        assert.equal(problems.length, 4);
        assert.match(
            problems.join("\n"),
            /backoffLimit is 6; set it to 0[\s\S]*no activeDeadlineSeconds[\s\S]*restartPolicy is OnFailure[\s\S]*lacks BeforeHookCreation/,
        );
        assert.deepEqual(migrationJobProblems(as(types.job, workload.smoke)), [], "only migration Jobs");
    });

    it("no-plain-credentials: env values, args, command and ConfigMaps hold none; envFrom of a Secret is refused", () => {
        assert.deepEqual(credentialProblems(deployment()), []);
        assert.deepEqual(
            credentialProblems(as(types.configMap, workload.scripts)),
            [],
            "the runtime scripts hold no credential",
        );
        const url = "postgresql://shop_app:hunter2@db:5432/shop";
        const leaky = edit(deployment(), (p) => {
            p.push(
                [...container, "env"],
                { name: "DATABASE_URL", value: url },
                { name: "DB_PASSWORD", value: "hunter2" },
            );
            p.set([...container, "args"], ["--db", url]);
            p.set([...container, "envFrom"], [{ secretRef: { name: "db-credentials" } }]);
        });
        assert.match(
            credentialProblems(leaky).join("\n"),
            /env DATABASE_URL has its credential as a plain value[\s\S]*env DB_PASSWORD[\s\S]*envFrom takes every key of Secret db-credentials[\s\S]*args carries a credential/,
        );
        assert.match(
            credentialProblems(as(types.configMap, { metadata: { name: "c" }, data: { url } })).join(),
            /data\.url holds a URL with a password/,
        );
        assert.match(
            credentialProblems(as(types.configMap, { metadata: { name: "c" }, data: { PGPASSWORD: "x" } })).join(),
            /data\.PGPASSWORD looks like a credential/,
        );
    });

    it("restricted-pods: Pod Security restricted, requests and limits, images pinned for the tier", () => {
        for (const object of [workload.deployment, workload.migrate, workload.smoke, workload.syncFail])
            assert.deepEqual(podProblems(as(types.job, object), "prod"), [], object.metadata?.name);
        const loose = edit(deployment(), (p) => {
            p.remove([...container, "securityContext"]);
            p.remove([...container, "resources", "limits"]);
            p.set([...container, "image"], "ghcr.io/acme/shop:latest");
            p.set([...pod, "hostNetwork"], true);
            p.remove(tierLabel);
        });
        const problems = podProblems(loose, "prod").join("\n");
        for (const expected of [
            /hostNetwork is true/,
            /allowPrivilegeEscalation is not false/,
            /capabilities\.drop lacks ALL/,
            /resources\.limits needs cpu and memory/,
            /image "ghcr\.io\/acme\/shop:latest" moves with every push/,
        ])
            assert.match(problems, expected);
        const devLabelled = edit(deployment(), (p) => {
            p.set([...container, "image"], "ghcr.io/acme/shop:main");
        });
        assert.deepEqual(
            podProblems(devLabelled, "prod"),
            [],
            "the object's tier label (dev) wins over the pack's default",
        );
        const unlabelled = edit(devLabelled, (p) => p.remove(tierLabel));
        assert.match(podProblems(unlabelled, "prod").join(), /has the tag "main", which can move/);
    });

    it("argocd-application: the resources finalizer and a destination namespace", () => {
        const app = as(types.application, application(validSpec()));
        assert.deepEqual(applicationProblems(app), []);
        const bare = edit(app, (p) => {
            p.remove(["metadata", "finalizers"]);
            p.remove(["spec", "destination", "namespace"]);
        });
        assert.match(
            applicationProblems(bare).join("\n"),
            /has no resources-finalizer\.argocd\.argoproj\.io[\s\S]*has no spec\.destination\.namespace/,
        );
    });

    it("schema-first: a Deployment reading the database needs its image's migration Job before it", () => {
        const never = () => false;
        assert.deepEqual(schemaFirstProblems([deployment(), migrate()], never), [], "PreSync at wave -1 before wave 0");
        const [alone] = schemaFirstProblems([deployment()], never);
        assert.match(
            alone?.problem ?? "",
            /Deployment shop reads a database URL, but no migration Job in namespace shop runs its image ghcr\.io\/acme\/shop:v1\.2\.0/,
        );
        const otherImage = edit(migrate(), (p) => {
            for (const c of [...p.items([...pod, "initContainers"]), ...p.items([...pod, "containers"])])
                p.set([...c, "image"], "ghcr.io/acme/other:v1");
        });
        assert.equal(
            schemaFirstProblems([deployment(), otherImage], never).length,
            1,
            "another image is not this code's schema",
        );
        const sameWave = edit(migrate(), (p) =>
            p.set(["metadata", "annotations", "argocd.argoproj.io/sync-wave"], "0"),
        );
        assert.match(
            schemaFirstProblems([deployment(), sameWave], never)[0]?.problem ?? "",
            /runs its image but not before it/,
        );
        const direct = edit(migrate(), (p) => p.set(["metadata", "annotations"], {}));
        assert.deepEqual(
            schemaFirstProblems([deployment(), direct], (d, j) => d.name === "app" && j.name === "migrate"),
            [],
            "delivery direct: the Deployment depends on the Job",
        );
    });
});

/** Runs every policy of the pack over what a program registered, as `pulumi preview --policy-pack policy` would. */
function violations(resources: readonly Registered[]): string[] {
    const unwrap = (value: unknown): unknown => {
        const s = secretInput<unknown>(value);
        if (s.secret) return unwrap(s.value);
        if (Array.isArray(value)) return value.map(unwrap);
        if (typeof value === "object" && value !== null)
            return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrap(v)]));
        return value;
    };
    const byUrn = new Map<string, PolicyResource>();
    const policyResources = resources.map((r) => {
        const resource = {
            type: r.type,
            name: r.name,
            urn: r.urn,
            props: unwrap(r.inputs) as Record<string, unknown>,
            opts: {},
            dependencies: [],
            propertyDependencies: {},
        } as unknown as PolicyResource;
        byUrn.set(r.urn, resource);
        return { resource, r };
    });
    for (const { resource, r } of policyResources)
        (resource as { dependencies: PolicyResource[] }).dependencies = r.dependencies.flatMap(
            (urn) => byUrn.get(urn) ?? [],
        );
    const found: string[] = [];
    const report = (message: string) => found.push(message);
    const helpers = {
        stackTags: new Map(),
        getConfig: () => ({ tier: "prod" }),
        notApplicable: () => {
            throw new Error("not applicable");
        },
        isType: () => false,
        asType: () => undefined,
    };
    for (const policy of policies) {
        if ("validateStack" in policy)
            void policy.validateStack(
                { ...helpers, resources: policyResources.map((p) => p.resource) } as never,
                report,
            );
        else
            for (const { resource } of policyResources)
                void (
                    policy as ResourceValidationPolicy & {
                        validateResource: (a: ResourceValidationArgs, r: typeof report) => void;
                    }
                ).validateResource({ ...helpers, ...resource } as never, report);
    }
    return found;
}

describe("the policy pack over our own program's resources (SDK mock runtime)", () => {
    it("is a pack the CLI can load: PulumiPolicy.yaml names the nodejs runtime, and every policy is mandatory", () => {
        const project = parse(readFileSync(join(__dirname, "..", "policy", "PulumiPolicy.yaml"), "utf8")) as {
            runtime: string;
            description: string;
        };
        assert.equal(project.runtime, "nodejs");
        assert.ok(project.description.length > 0);
        assert.deepEqual(
            policies.map((p) => [p.name, p.enforcementLevel]),
            ["schema-first", "migration-job", "no-plain-credentials", "restricted-pods", "argocd-application"].map(
                (name) => [name, "mandatory"],
            ),
        );
    });

    it("finds no violation on the dev, direct-delivery and prod stacks", async () => {
        const dev = await runProgram(stackConfig("dev"));
        const direct = await runProgram(stackConfig("dev", { "migrate-first:delivery": "direct" }));
        const prod = await runProgram(stackConfig("prod"), {
            stack: "prod",
            stackOutputs: { [stackRef("staging")]: { verifiedImages: ["ghcr.io/acme/shop:v1.2.0"] } },
        });
        for (const run of [dev, direct, prod]) {
            assert.equal(run.error, undefined, String(run.error));
            assert.deepEqual(violations(created(run.resources)), []);
        }
        assert.ok(
            direct.resources.some((r) => r.type === types.deployment),
            "direct delivery registers the Deployment the schema-first policy checks",
        );
    });

    it("does find the violation when the direct Deployment no longer waits for its migration", async () => {
        const direct = await runProgram(stackConfig("dev", { "migrate-first:delivery": "direct" }));
        const cut = direct.resources.map((r) => (r.type === types.deployment ? { ...r, dependencies: [] } : r));
        assert.match(
            violations(created(cut)).join("\n"),
            /Deployment shop reads a database URL, but migration Job shop-migrate runs its image but not before it/,
        );
    });
});
