// A wallet that sends one transaction at a time. The node's bidding agent and its job executor send from the
// same account concurrently; each send here waits until the previous one was broadcast (or refused), then
// reads the account's pending nonce afresh. ethers' NonceManager counts nonces itself and leaves a gap when a
// transaction is refused at gas estimation, which stalls every later one: this never does.
import { Wallet, type Provider, type TransactionRequest, type TransactionResponse } from "ethers";

export class SerialWallet extends Wallet {
  #queue: Promise<unknown> = Promise.resolve();

  constructor(privateKey: string, provider: Provider) {
    super(privateKey, provider);
  }

  override sendTransaction(tx: TransactionRequest): Promise<TransactionResponse> {
    const sent = this.#queue.then(() => super.sendTransaction(tx));
    this.#queue = sent.catch(() => undefined);
    return sent;
  }

  override connect(provider: Provider | null): Wallet {
    if (provider === null) return new Wallet(this.privateKey);
    return new SerialWallet(this.privateKey, provider);
  }
}
