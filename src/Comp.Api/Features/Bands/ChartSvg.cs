using System.Globalization;
using System.Text;

namespace Comp.Api.Features.Bands;

/// <summary>
/// Draws band cells side by side on a log-scale axis, so a 130k band and a 10M band are both
/// readable: p10–p90 as a whisker, p25–p75 as a box, the median as a bar, with each segment's
/// label, n and employers. Suppressed cells say why instead.
/// </summary>
public static class ChartSvg
{
    public const int Width = 960;
    private const int Left = 280, Right = 40, Top = 72, Row = 64, AxisHeight = 56;

    public static int HeightFor(int segments) => Top + Row * Math.Max(segments, 1) + AxisHeight;

    public static string Render(string title, IReadOnlyList<(string Label, BandCell Cell)> segments)
    {
        var height = HeightFor(segments.Count);
        var values = segments.SelectMany(s => s.Cell.Percentiles?.Values ?? []).OfType<decimal>().Where(v => v > 0).Select(v => (double)v).ToList();
        var (low, high) = values.Count == 0 ? (10_000.0, 1_000_000.0) : (values.Min() / 1.5, values.Max() * 1.5);
        var plot = Width - Left - Right;
        double X(double v) => Left + (Math.Log10(v) - Math.Log10(low)) / (Math.Log10(high) - Math.Log10(low)) * plot;

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{height}" viewBox="0 0 {Width} {height}" font-family="DejaVu Sans, Arial, sans-serif">""");
        svg.Append(CultureInfo.InvariantCulture, $"""<rect width="{Width}" height="{height}" fill="#ffffff"/>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="24" y="34" font-size="20" font-weight="bold" fill="#1b2f5e">{Escape(title)}</text>""");
        svg.Append("""<text x="24" y="56" font-size="12" fill="#555">box p25–p75, bar p50, whisker p10–p90; log scale</text>""");

        // Grid lines at 1, 2 and 5 × 10^k inside the range.
        var axisY = Top + Row * Math.Max(segments.Count, 1);
        for (var decade = Math.Floor(Math.Log10(low)); decade <= Math.Ceiling(Math.Log10(high)); decade++)
        {
            foreach (var step in new[] { 1.0, 2.0, 5.0 })
            {
                var tick = step * Math.Pow(10, decade);
                if (tick < low || tick > high)
                    continue;
                var x = X(tick);
                svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{x:0.#}" y1="{Top - 8}" x2="{x:0.#}" y2="{axisY}" stroke="#e3e7ef"/>""");
                svg.Append(CultureInfo.InvariantCulture, $"""<text x="{x:0.#}" y="{axisY + 20}" font-size="12" text-anchor="middle" fill="#333">{Money(tick)}</text>""");
            }
        }
        svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{Left}" y1="{axisY}" x2="{Width - Right}" y2="{axisY}" stroke="#888"/>""");

        for (var i = 0; i < segments.Count; i++)
        {
            var (label, cell) = segments[i];
            var y = Top + Row * i + Row / 2;
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="24" y="{y - 4}" font-size="14" fill="#111">{Escape(label)}</text>""");
            if (cell.Suppressed || cell.Percentiles is null)
            {
                svg.Append(CultureInfo.InvariantCulture, $"""<text x="24" y="{y + 14}" font-size="11" fill="#999">suppressed</text>""");
                svg.Append(CultureInfo.InvariantCulture, $"""<text x="{Left}" y="{y + 4}" font-size="12" fill="#999">suppressed: {Escape(string.Join(", ", cell.Reasons))}</text>""");
                continue;
            }
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="24" y="{y + 14}" font-size="11" fill="#555">n = {cell.N:N0} · {cell.Employers} employer{(cell.Employers == 1 ? "" : "s")}</text>""");
            double? P(int p) => cell.Percentiles.GetValueOrDefault(Statistics.Percentiles.Key(p)) is { } v && v > 0 ? (double)v : null;
            if (P(10) is { } p10 && P(90) is { } p90)
                svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{X(p10):0.#}" y1="{y}" x2="{X(p90):0.#}" y2="{y}" stroke="#8aa6e0" stroke-width="3"/>""");
            if (P(25) is { } p25 && P(75) is { } p75)
                svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{X(p25):0.#}" y="{y - 12}" width="{Math.Max(X(p75) - X(p25), 1):0.#}" height="24" fill="#4f7dd9" fill-opacity="0.85" rx="3"/>""");
            if (P(50) is { } p50)
            {
                svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{X(p50):0.#}" y1="{y - 16}" x2="{X(p50):0.#}" y2="{y + 16}" stroke="#1b2f5e" stroke-width="3"/>""");
                svg.Append(CultureInfo.InvariantCulture, $"""<text x="{X(p50):0.#}" y="{y - 20}" font-size="11" text-anchor="middle" fill="#1b2f5e">{Money(p50)}</text>""");
            }
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>130000 → 130k, 1500000 → 1.5M.</summary>
    public static string Money(double value) => value switch
    {
        >= 1_000_000 => (value / 1_000_000).ToString("0.##", CultureInfo.InvariantCulture) + "M",
        >= 1_000 => (value / 1_000).ToString("0.#", CultureInfo.InvariantCulture) + "k",
        _ => value.ToString("0", CultureInfo.InvariantCulture),
    };

    private static string Escape(string text) =>
        text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");
}
