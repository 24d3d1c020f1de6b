// An injected EIP-1193 wallet for the browser test, bound to one local account: `window.ethereum` (installed
// before the page's scripts) forwards every request to a bridge in the test process, which signs
// transactions and typed data with the account's key and passes everything else to the chain's JSON-RPC
// as it is. The page's own code, BrowserProvider included, runs unchanged.
import { getBytes, JsonRpcProvider, type TypedDataField, Wallet } from "ethers";
import type { Page } from "playwright-core";

/** A JSON-RPC error as a wallet reports it (revert data included), so ethers in the page decodes it. */
interface BridgeError {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

type BridgeAnswer = { readonly result: unknown } | { readonly error: BridgeError };

/** Installs the wallet into every page of `page`'s context; returns the account's address. */
export async function installTestWallet(page: Page, rpcUrl: string, privateKey: string): Promise<string> {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  const wallet = new Wallet(privateKey, provider);
  let id = 0;

  const forward = async (method: string, params: unknown[]): Promise<BridgeAnswer> => {
    const response = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }),
    });
    const body = (await response.json()) as { result?: unknown; error?: BridgeError };
    return body.error === undefined ? { result: body.result } : { error: body.error };
  };

  const handle = async (method: string, params: unknown[]): Promise<BridgeAnswer> => {
    switch (method) {
      case "eth_requestAccounts":
      case "eth_accounts":
        return { result: [wallet.address] };
      case "eth_sendTransaction": {
        const tx = params[0] as { to?: string; data?: string; value?: string; gas?: string };
        const sent = await wallet.sendTransaction({
          to: tx.to,
          data: tx.data,
          value: tx.value === undefined ? undefined : BigInt(tx.value),
          gasLimit: tx.gas === undefined ? undefined : BigInt(tx.gas),
        });
        return { result: sent.hash };
      }
      case "eth_signTypedData_v4": {
        const typed = JSON.parse(params[1] as string) as {
          domain: Record<string, unknown>;
          types: Record<string, TypedDataField[]>;
          message: Record<string, unknown>;
        };
        const { EIP712Domain: _domain, ...types } = typed.types;
        return { result: await wallet.signTypedData(typed.domain, types, typed.message) };
      }
      case "personal_sign":
        return { result: await wallet.signMessage(getBytes(params[0] as string)) };
      default:
        return forward(method, params);
    }
  };

  await page.exposeFunction("__gridleaseTestWallet", async (method: string, params: unknown[]) => {
    try {
      return await handle(method, params);
    } catch (error) {
      const data = (error as { data?: unknown; info?: { error?: { data?: unknown } } }).data;
      return { error: { code: -32603, message: error instanceof Error ? error.message : String(error), data } };
    }
  });
  await page.addInitScript(() => {
    // Looked up per request: Playwright's binding may be installed after this script runs.
    const bridge = (method: string, params: unknown[]): Promise<BridgeAnswer> =>
      (
        window as unknown as { __gridleaseTestWallet(m: string, p: unknown[]): Promise<BridgeAnswer> }
      ).__gridleaseTestWallet(method, params);
    (window as unknown as { ethereum: unknown }).ethereum = {
      async request({ method, params }: { method: string; params?: unknown[] }): Promise<unknown> {
        const answer = await bridge(method, params ?? []);
        if ("error" in answer) throw Object.assign(new Error(answer.error.message), answer.error);
        return answer.result;
      },
      on(): void {},
      removeListener(): void {},
    };
  });
  return wallet.address;
}
