// Indicator charts (Chart.js from npm). The figures come from the page's JSON (json_script, no inline
// script: the CSP forbids it); every chart has the same figures in a table beside it. A suppressed
// point is null (no bar, no point) and its label says it was suppressed.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("indicator-charts");
  if (!source || typeof window.Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const labels = data.labels || {};
  const colours = { actual: "#1f7a4d", target: "#f5a623" };
  for (const chart of data.charts || []) {
    const canvas = document.getElementById(chart.id);
    if (!canvas) continue;
    const suppressed = chart.suppressed || [];
    const xLabels = chart.labels.map((label, i) => (suppressed[i] ? `${label} (•)` : label));
    const hasTarget = (chart.target || []).some((v) => v !== null);
    const datasets = [
      {
        label: labels.actual,
        data: chart.actual,
        backgroundColor: colours.actual,
        borderColor: colours.actual,
        spanGaps: false,
      },
    ];
    if (hasTarget) {
      datasets.push({
        label: labels.target,
        data: chart.target,
        backgroundColor: colours.target,
        borderColor: colours.target,
        borderDash: data.line ? [6, 4] : undefined,
        spanGaps: false,
      });
    }
    // eslint-disable-next-line no-new
    new window.Chart(canvas, {
      type: data.line ? "line" : "bar",
      data: { labels: xLabels, datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              title: (items) => {
                const i = items[0].dataIndex;
                const name = chart.names ? chart.names[i] : chart.labels[i];
                return suppressed[i] ? `${name}: • ${labels.suppressed}` : name;
              },
            },
          },
        },
        scales: { y: { beginAtZero: true } },
      },
    });
    canvas.dataset.chartReady = "true";
  }
});
