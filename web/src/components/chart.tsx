/** uPlot in React: creates the chart on mount, resizes with its container, destroys on unmount. */
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export { PALETTE } from "./palette";

export function Chart({
  options,
  data,
  label,
  height = 220,
}: {
  options: Omit<uPlot.Options, "width" | "height">;
  data: uPlot.AlignedData;
  /** What the chart shows, for screen readers (the numbers are also in a table beside it). */
  label: string;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const plot = new uPlot({ ...options, width: Math.max(200, el.clientWidth), height }, data, el);
    const observer = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [options, data, height]);
  return <div className="chart" ref={box} role="img" aria-label={label} />;
}

/** Bar k of n (one or two) at each categorical x value; two series stand side by side. */
export const bars = (k: number, n: number) =>
  uPlot.paths.bars?.({ size: [0.8 / n, 40], align: n === 2 ? (k === 0 ? -1 : 1) : 0 });
