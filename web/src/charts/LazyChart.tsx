// The dashboard's charts, loaded on first use: ECharts is most of the dashboard's code, and the pages' figures
// (the overview's headline cards above all) should not wait for it to download and compile. While it loads, a
// placeholder of the chart's size keeps the layout still.
import { lazy, type ReactNode, Suspense } from "react";

import type { ChartProps } from "./Chart.tsx";

const Chart = lazy(async () => ({ default: (await import("./Chart.tsx")).Chart }));

/** A titled chart figure (see {@link ChartProps}), drawn once the charting code has loaded. */
export function LazyChart(props: ChartProps): ReactNode {
  return (
    <Suspense
      fallback={
        <figure className="chart" aria-busy="true">
          <figcaption>{props.title}</figcaption>
          <div style={{ height: props.height ?? 260 }} />
        </figure>
      }
    >
      <Chart {...props} />
    </Suspense>
  );
}
