// The market page's table: each GPU model's capacity now (listed vs leased GPUs), how many online providers
// list it (eligible to bid on a job for it, before reputation and region), and its latest day's prices.
import { gpuMarket, listProviders, type GpuMarketEntry, type IndexerClient } from "../../../sdk/indexer/index.ts";

/** One model's row. */
export interface MarketRow extends GpuMarketEntry {
  /** Online providers listing the model. */
  readonly eligibleProviders: number;
}

/** Every model the indexer knows, by name. */
export async function marketOverview(client: IndexerClient): Promise<MarketRow[]> {
  const models = await gpuMarket(client, { period: "day" });
  const eligible = await Promise.all(
    models.map(
      async (model) => (await listProviders(client, { gpuModel: model.id, online: true, limit: 1 })).totalCount,
    ),
  );
  return models.map((model, index) => ({ ...model, eligibleProviders: eligible[index]! }));
}
