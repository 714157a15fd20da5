// The field types the spec is built from: names, numbers, quantities, durations.
import { z } from "zod";

// DNS-1123 label, for namespaces and other plain Kubernetes names.
export const dnsLabel = (max: number) =>
    z
        .string()
        .max(max, { error: `is longer than ${max} characters; shorten it` })
        .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
            error: "is not a DNS-1123 label; use lower-case letters, digits and '-', starting and ending with a letter or digit, e.g. \"shop\"",
        });

// Postgres identifiers we create unquoted-safe: role and database names stay
// lower-case and fit in 63 bytes even with the "_migrator" suffix.
export const pgIdentifier = z
    .string()
    .max(50, {
        error: 'is longer than 50 characters (roles add "_migrator" and Postgres stops at 63 bytes); shorten it',
    })
    .regex(/^[a-z_][a-z0-9_]*$/, {
        error: "is not a plain Postgres identifier; use lower-case letters, digits and '_', starting with a letter or '_', e.g. \"shop\"",
    });

export const positiveInt = (max: number) =>
    z
        .int({ error: "must be a whole number" })
        .min(1, { error: "must be at least 1" })
        .max(max, { error: `must be at most ${max}` });

// Kubernetes quantities: "100m", "0.5", "256Mi", "1G".
export const quantity = z.string().regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/, {
    error: 'is not a Kubernetes quantity; write it like "100m" (CPU) or "256Mi" (memory)',
});

export const resourceList = (cpu: string, memory: string) =>
    z.strictObject({
        /** CPU, e.g. "100m". */
        cpu: quantity.default(cpu),
        /** Memory, e.g. "256Mi". */
        memory: quantity.default(memory),
    });

export const resourcesSchema = z.strictObject({
    /** What the scheduler reserves. @default { cpu: "100m", memory: "256Mi" } */
    requests: resourceList("100m", "256Mi").prefault({}),
    /** The ceiling; the kubelet kills a container over its memory limit. @default { cpu: "500m", memory: "512Mi" } */
    limits: resourceList("500m", "512Mi").prefault({}),
});

// Service names are DNS-1035 labels (they start with a letter), and the app's
// name is also the default database name.
export const appName = z
    .string()
    .max(40, { error: "is longer than 40 characters; shorten it" })
    .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, {
        error: "is not a valid app name; use lower-case letters, digits and '-', starting with a letter and ending with a letter or digit (it names the Service and the database), e.g. \"shop\"",
    });

// A Postgres duration as lock_timeout and statement_timeout take it: "500ms", "5s", "4min"; "0" disables.
export const pgDuration = z.string().regex(/^(0|[1-9][0-9]*(ms|s|min|h))$/, {
    error: 'is not a Postgres duration; write it like "500ms", "5s" or "4min"',
});

/** A Postgres duration in milliseconds ("0" is 0: no limit). */
export function durationMs(duration: string): number {
    const match = /^([0-9]+)(ms|s|min|h)?$/.exec(duration);
    const unit = { ms: 1, s: 1000, min: 60000, h: 3600000 }[match?.[2] ?? "ms"] ?? 1;
    return Number(match?.[1] ?? 0) * unit;
}

// A Git branch name as `git check-ref-format --branch` accepts it (no "..", spaces, "~^:?*[\\" or "@{").
export const branchName = z
    .string()
    .max(255, { error: "is longer than 255 characters" })
    .regex(/^(?!\/|.*\/$|.*\.\.|.*\/\/|.*@\{|.*\.lock$)[^\s~^:?*[\\\x00-\x1f\x7f]+$/, {
        error: 'is not a Git branch name, e.g. "feature/email-verified"',
    });

// A DNS host name (RFC 1123: labels of letters, digits and '-', at most 253 characters) or an
// IP address; nothing else, so no user, port or URL parameter rides into DATABASE_URL.
const hostNamePattern =
    /^(?=.{1,253}$)([A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*\.?$/;
const ipAddress = z.union([z.ipv4(), z.ipv6()]);
export const host = z.string().refine((value) => hostNamePattern.test(value) || ipAddress.safeParse(value).success, {
    error: 'is not a host name or an IP address; give only the server\'s name (e.g. "postgres.example.internal") or address (e.g. "10.0.0.5"), without user, port, path or parameters: the port is database.port, sslmode database.sslmode',
});

// A Kubernetes label key: an optional DNS subdomain prefix and "/", then a name of at most 63 characters.
export const labelKey = z
    .string()
    .regex(
        /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
        {
            error: "is not a Kubernetes label key; use [prefix/]name, the name at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, e.g. \"k8s-app\"",
        },
    )
    .refine((key) => !key.includes("/") || key.indexOf("/") <= 253, {
        error: "has a prefix longer than 253 characters",
    });

// A Kubernetes label value: empty, or at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit.
export const labelValue = z.string().regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/, {
    error: "is not a Kubernetes label value; use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, e.g. \"kube-dns\"",
});

/** An IPv6 address as a 128-bit number (zod has checked its syntax). */
function ipv6Number(address: string): bigint {
    let text = address;
    // An embedded IPv4 tail (::ffff:1.2.3.4) as its two 16-bit groups.
    const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
    if (tail !== null) {
        const [a, b, c, d] = tail.slice(1).map(Number);
        text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
    }
    const [head = "", rest] = text.split("::");
    const left = head === "" ? [] : head.split(":");
    const right = rest === undefined || rest === "" ? [] : rest.split(":");
    const groups =
        rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
    return groups.reduce((n, group) => (n << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/**
 * What Kubernetes (1.36, StrictIPCIDRValidation) refuses in a syntactically valid ipBlock CIDR:
 * bits set past the prefix, or an IPv4-mapped IPv6 address; undefined when it takes the value.
 */
export function cidrProblem(value: string): string | undefined {
    const [address = "", prefix = ""] = value.split("/");
    const bits = Number(prefix);
    if (!address.includes(":")) {
        const n = address.split(".").reduce((sum, part) => sum * 256 + Number(part), 0);
        const size = 2 ** (32 - bits);
        if (n % size === 0) return undefined;
        const start = n - (n % size);
        const network = [24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256).join(".");
        return `has bits set past its /${bits} prefix, which Kubernetes refuses in a NetworkPolicy; use "${network}/${bits}"`;
    }
    const n = ipv6Number(address);
    if (n >> 32n === 0xffffn)
        return "is an IPv4-mapped IPv6 address, which Kubernetes refuses in a NetworkPolicy; write the IPv4 CIDR";
    if (n % (1n << BigInt(128 - bits)) !== 0n)
        return `has bits set past its /${bits} prefix, which Kubernetes refuses in a NetworkPolicy; set them to zero`;
    return undefined;
}

// An IPv4 or IPv6 CIDR as NetworkPolicy ipBlock takes it.
export const cidr = z
    .union([z.cidrv4(), z.cidrv6()], { error: 'is not a CIDR such as "10.20.0.0/16"' })
    .superRefine((value, ctx) => {
        const problem = cidrProblem(value);
        if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
    });
