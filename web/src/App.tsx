// The dashboard: the live indexer connection around the page the URL names.
import { lazy, type ReactNode, Suspense } from "react";

import type { DashboardConfig } from "../config.ts";
import { Layout } from "./components/Layout.tsx";
import { useRoute } from "./components/use-route.ts";
import { LiveIndexerProvider } from "./data/live.tsx";
import type { Route } from "./data/routes.ts";
import { Auctions } from "./pages/Auctions.tsx";
import { Job } from "./pages/Job.tsx";
import { Jobs } from "./pages/Jobs.tsx";
import { Market } from "./pages/Market.tsx";
import { Overview } from "./pages/Overview.tsx";
import { Provider } from "./pages/Provider.tsx";
import { Providers } from "./pages/Providers.tsx";

// The console carries ethers' wallet code and the protocol's ABIs: loaded only when opened, so the explorer's
// first page stays small.
const Console = lazy(() => import("./pages/Console.tsx"));

function Page({ route, config }: { route: Route; config: DashboardConfig }): ReactNode {
  switch (route.page) {
    case "overview":
      return <Overview />;
    case "jobs":
      return <Jobs filters={route.filters} />;
    case "job":
      return <Job key={route.id.toString()} id={route.id} />;
    case "providers":
      return <Providers />;
    case "provider":
      return <Provider key={route.address} address={route.address} />;
    case "market":
      return <Market model={route.model} />;
    case "auctions":
      return <Auctions />;
    case "console":
      return (
        <Suspense fallback={<p className="muted">Loading the console…</p>}>
          <Console config={config} />
        </Suspense>
      );
    case "not-found":
      return (
        <>
          <h1>No such page</h1>
          <p>
            Nothing lives at “#/{route.path}”. Go to the <a href="#/">overview</a>.
          </p>
        </>
      );
  }
}

/** The whole app. */
export function App({ config }: { config: DashboardConfig }): ReactNode {
  const route = useRoute();
  return (
    <LiveIndexerProvider config={config}>
      <Layout route={route}>
        <Page route={route} config={config} />
      </Layout>
    </LiveIndexerProvider>
  );
}
