/** The charts' series colours (apart from chart.tsx, so pages can use them without loading uPlot). */
export const PALETTE = ["#315fd6", "#b4540a", "#1f7a4d", "#8b3fb8"];
