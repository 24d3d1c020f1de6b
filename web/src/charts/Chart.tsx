// A chart of the dashboard: an ECharts instance over a ChartData, resized with its box and redrawn in the
// colour scheme the user prefers. `data-points` (categories on the x axis) lets tests count what is drawn.
import { useEffect, useRef, type ReactNode } from "react";

import type { ChartData } from "../data/chart-data.ts";
import { usePrefersDark } from "../components/use-prefers-dark.ts";

import { chartOption, DARK_PALETTE, LIGHT_PALETTE } from "./chart-option.ts";
import { echarts } from "./echarts.ts";

/** Props of {@link Chart}. */
export interface ChartProps {
  /** Heading and accessible name. */
  readonly title: string;
  /** One sentence a screen reader hears instead of the drawing. */
  readonly description: string;
  readonly data: ChartData;
  readonly testId: string;
  readonly height?: number;
}

/** A titled chart figure. */
export function Chart({ title, description, data, testId, height = 260 }: ChartProps): ReactNode {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const dark = usePrefersDark();

  useEffect(() => {
    const element = box.current!;
    const instance = echarts.init(element, undefined, { renderer: "svg" });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(chartOption(data, dark ? DARK_PALETTE : LIGHT_PALETTE), { notMerge: true });
  }, [data, dark]);

  const empty = data.categories.length === 0;
  return (
    <figure className="chart" data-testid={testId} data-points={data.categories.length}>
      <figcaption>{title}</figcaption>
      {empty ? <p className="muted">Nothing indexed for this chart yet.</p> : null}
      <div ref={box} role="img" aria-label={`${title}: ${description}`} style={{ height: empty ? 0 : height }} />
    </figure>
  );
}
