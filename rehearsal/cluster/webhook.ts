import { createServer } from "http";
import type { AddressInfo } from "net";

/** A local alert receiver: what the SyncFail hook posts, kept in order. */
export interface Webhook {
    /** `http://127.0.0.1:<port>/alert`. */
    readonly url: string;
    readonly bodies: string[];
    close(): Promise<void>;
}

/** Starts a webhook on loopback that answers 204 to each POST and keeps its body. */
export async function startWebhook(): Promise<Webhook> {
    const bodies: string[] = [];
    const server = createServer((request, response) => {
        let body = "";
        request.on("data", (chunk: Buffer) => (body += chunk.toString()));
        request.on("end", () => {
            if (request.method === "POST") bodies.push(body);
            response.writeHead(request.method === "POST" ? 204 : 405).end();
        });
    });
    await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}/alert`,
        bodies,
        close: () => new Promise((closed) => server.close(() => closed())),
    };
}
