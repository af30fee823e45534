import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";
import { useEffect, useRef } from "react";

Chart.register(
  BarController,
  BarElement,
  LineController,
  LineElement,
  PointElement,
  CategoryScale,
  LinearScale,
  Tooltip,
  Legend,
);
Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
Chart.defaults.color = "#1f2937";

/**
 * A chart.js chart on a canvas. The canvas is an image for screen readers (`label`); every chart is
 * paired with its numbers as a table.
 */
export function ChartCanvas(props: { config: ChartConfiguration; label: string; height?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      ...props.config,
      options: { ...props.config.options, animation: false, responsive: true, maintainAspectRatio: false },
    });
    return () => chart.destroy();
  }, [props.config]);
  return (
    <div className="chart" style={{ height: props.height ?? 260 }}>
      <canvas ref={canvas} role="img" aria-label={props.label} />
    </div>
  );
}

export const COLORS = {
  success: "#15803d",
  failure: "#b91c1c",
  rolledBack: "#b45309",
  rate: "#1d4ed8",
  target: "#6b7280",
};
