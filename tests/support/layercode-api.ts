/** A local server that plays Layercode's `POST /v1/agents/web/authorize_session`, answering what the test scripts. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface AuthorizeRequest {
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

export interface LayercodeApi {
  url: string;
  requests: AuthorizeRequest[];
  /** The next answers: status and JSON body (or raw text). */
  answer: { status: number; body: unknown };
  close(): Promise<void>;
}

export async function startLayercodeApi(): Promise<LayercodeApi> {
  const api: LayercodeApi = {
    url: "",
    requests: [],
    answer: { status: 200, body: { client_session_key: "csk_test", conversation_id: "conv_new" } },
    close: () => new Promise((resolve) => http.close(() => resolve())),
  };
  const http = createServer(async (req, res) => {
    let raw = "";
    for await (const part of req) raw += part;
    api.requests.push({ path: req.url ?? "", authorization: req.headers.authorization, body: JSON.parse(raw || "{}") });
    const { status, body } = api.answer;
    res.writeHead(status, { "content-type": typeof body === "string" ? "text/plain" : "application/json" });
    res.end(typeof body === "string" ? body : JSON.stringify(body));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  api.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return api;
}
