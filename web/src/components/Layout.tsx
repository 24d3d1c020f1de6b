// The frame of every page: a skip link, the site header and navigation, the indexer banner and the footer
// with the block the figures are at.
import type { ReactNode } from "react";

import { useLive } from "../data/live.tsx";
import { formatCount, formatUtc } from "../data/format.ts";
import type { Route } from "../data/routes.ts";

import { IndexerBanner } from "./Banner.tsx";

const NAV: readonly { label: string; href: string; pages: readonly Route["page"][] }[] = [
  { label: "Overview", href: "#/", pages: ["overview"] },
  { label: "Jobs", href: "#/jobs", pages: ["jobs", "job"] },
  { label: "Providers", href: "#/providers", pages: ["providers", "provider"] },
  { label: "Market", href: "#/market", pages: ["market"] },
  { label: "Auctions", href: "#/auctions", pages: ["auctions"] },
  { label: "Console", href: "#/console", pages: ["console"] },
];

/** The page frame around `children`. */
export function Layout({ route, children }: { route: Route; children: ReactNode }): ReactNode {
  const { summary } = useLive();
  return (
    <>
      <a className="skip-link" href="#main" onClick={(event) => {
        event.preventDefault();
        document.getElementById("main")?.focus();
      }}>
        Skip to content
      </a>
      <header className="site-header">
        <a className="brand" href="#/">
          Gridlease
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.href}>
                <a href={item.href} aria-current={item.pages.includes(route.page) ? "page" : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <p className="as-of" data-testid="as-of" data-block={summary?.asOf.blockNumber.toString() ?? ""}>
          {summary === null ? "Connecting to the indexer…" : `Block ${formatCount(summary.asOf.blockNumber)} · ${formatUtc(summary.asOf.timestamp)}`}
        </p>
      </header>
      <IndexerBanner />
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <footer className="site-footer muted">Figures from the Gridlease indexer, live. Amounts in USD unless marked GRL.</footer>
    </>
  );
}
