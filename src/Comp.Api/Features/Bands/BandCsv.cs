using System.Globalization;
using System.Text;

namespace Comp.Api.Features.Bands;

/// <summary>Band cells as RFC 4180 CSV: one row per cell, one column per group key, count and percentile, and the counts per equity basis.</summary>
public static class BandCsv
{
    public const string ContentType = "text/csv";

    public static bool IsWanted(HttpRequest request) =>
        request.Headers.Accept.Any(a => a is not null && a.Contains(ContentType, StringComparison.OrdinalIgnoreCase));

    public static Microsoft.AspNetCore.Http.HttpResults.ContentHttpResult Result(BandResponse band, IReadOnlyList<string> groupKeys, IReadOnlyList<int> percentiles)
    {
        var csv = new StringBuilder();
        var header = groupKeys.Concat(["n", "employers", "suppressed", "reasons", "confidence"])
            .Concat(percentiles.Select(Statistics.Percentiles.Key))
            .Concat(["equityBases", "component", "currency", "agedTo", "datasetVersion"]);
        Line(csv, header);
        foreach (var cell in band.Cells)
        {
            var fields = groupKeys.Select(k => cell.Group.GetValueOrDefault(k))
                .Concat([
                    cell.N?.ToString(CultureInfo.InvariantCulture),
                    cell.Employers?.ToString(CultureInfo.InvariantCulture),
                    cell.Suppressed ? "true" : "false",
                    string.Join(";", cell.Reasons),
                    cell.Confidence,
                ])
                .Concat(percentiles.Select(p => cell.Percentiles?.GetValueOrDefault(Statistics.Percentiles.Key(p))?.ToString(CultureInfo.InvariantCulture)))
                // basis=count pairs, a withheld count empty: public_rsu=30;options_spread=
                .Concat([cell.EquityBases is { } bases ? string.Join(";", bases.Select(b => $"{b.Key}={b.Value?.ToString(CultureInfo.InvariantCulture)}")) : null])
                .Concat([band.Component, band.Currency, band.AgedTo?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), band.DatasetVersion]);
            Line(csv, fields);
        }
        return TypedResults.Text(csv.ToString(), "text/csv; charset=utf-8", Encoding.UTF8);
    }

    private static void Line(StringBuilder csv, IEnumerable<string?> fields)
    {
        csv.AppendJoin(',', fields.Select(Field));
        csv.Append("\r\n");
    }

    private static string Field(string? value) =>
        value is null ? "" :
        value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
}
