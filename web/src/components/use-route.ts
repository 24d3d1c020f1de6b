// The current route, from the location hash, re-rendering on navigation.
import { useSyncExternalStore } from "react";

import { parseRoute, type Route } from "../data/routes.ts";

let cachedHash: string | null = null;
let cachedRoute: Route = { page: "overview" };

function currentRoute(): Route {
  if (window.location.hash !== cachedHash) {
    cachedHash = window.location.hash;
    cachedRoute = parseRoute(cachedHash);
  }
  return cachedRoute;
}

/** The page the URL names. */
export function useRoute(): Route {
  return useSyncExternalStore((listener) => {
    window.addEventListener("hashchange", listener);
    return () => window.removeEventListener("hashchange", listener);
  }, currentRoute);
}
