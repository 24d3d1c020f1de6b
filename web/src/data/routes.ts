// The dashboard's routes live in the URL's hash ("#/jobs/7"), so web/server.ts serves one index.html for
// everything and a page can be linked to, reloaded and opened in a new tab.

/** Filters of the jobs table, as they appear in the route's query string. */
export interface JobFilters {
  readonly state?: string;
  readonly model?: string;
  readonly rule?: string;
  readonly token?: string;
  readonly renter?: string;
  readonly provider?: string;
}

/** A page of the dashboard and its parameters. */
export type Route =
  | { readonly page: "overview" }
  | { readonly page: "jobs"; readonly filters: JobFilters }
  | { readonly page: "job"; readonly id: bigint }
  | { readonly page: "providers" }
  | { readonly page: "provider"; readonly address: string }
  | { readonly page: "market"; readonly model?: string }
  | { readonly page: "auctions" }
  | { readonly page: "console" }
  | { readonly page: "not-found"; readonly path: string };

const FILTER_KEYS = ["state", "model", "rule", "token", "renter", "provider"] as const;

/** The route of a location hash ("" and "#/" are the overview). */
export function parseRoute(hash: string): Route {
  const [path = "", query = ""] = hash.replace(/^#/, "").split("?", 2);
  const parts = path.split("/").filter((part) => part !== "");
  if (parts.length === 0) return { page: "overview" };
  const [head, id] = parts;
  if (head === "jobs" && parts.length === 1) {
    const params = new URLSearchParams(query);
    const filters: Record<string, string> = {};
    for (const key of FILTER_KEYS) {
      const value = params.get(key);
      if (value !== null && value !== "") filters[key] = value;
    }
    return { page: "jobs", filters };
  }
  if (head === "jobs" && parts.length === 2 && /^\d+$/.test(id!)) return { page: "job", id: BigInt(id!) };
  if (head === "providers" && parts.length === 1) return { page: "providers" };
  if (head === "providers" && parts.length === 2 && /^0x[0-9a-fA-F]{40}$/.test(id!))
    return { page: "provider", address: id!.toLowerCase() };
  if (head === "auctions" && parts.length === 1) return { page: "auctions" };
  if (head === "console" && parts.length === 1) return { page: "console" };
  if (head === "market" && parts.length <= 2)
    return parts.length === 2 ? { page: "market", model: decodeURIComponent(id!) } : { page: "market" };
  return { page: "not-found", path };
}

/** The hash of a route (the inverse of {@link parseRoute}). */
export function routeHref(route: Route): string {
  switch (route.page) {
    case "overview":
      return "#/";
    case "jobs": {
      const params = new URLSearchParams();
      for (const key of FILTER_KEYS) {
        const value = route.filters[key];
        if (value !== undefined && value !== "") params.set(key, value);
      }
      const query = params.toString();
      return `#/jobs${query === "" ? "" : `?${query}`}`;
    }
    case "job":
      return `#/jobs/${route.id}`;
    case "providers":
      return "#/providers";
    case "provider":
      return `#/providers/${route.address}`;
    case "market":
      return route.model === undefined ? "#/market" : `#/market/${encodeURIComponent(route.model)}`;
    case "auctions":
      return "#/auctions";
    case "console":
      return "#/console";
    case "not-found":
      return `#/${route.path}`;
  }
}
