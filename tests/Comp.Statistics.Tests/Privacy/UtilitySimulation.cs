using System.Globalization;
using System.Text;
using Comp.Statistics.Privacy;

namespace Comp.Statistics.Tests.Privacy;

/// <summary>
/// Measures what protection costs in accuracy: log-normal cells (median 150k USD) are released
/// and their protected percentiles compared with the exact type-7 ones, and their intervals with
/// the population's percentiles. Seeded, so a run's table can be quoted and reproduced.
/// </summary>
internal static class UtilitySimulation
{
    public static readonly int[] Percentiles = [10, 25, 50, 75, 90];

    public const double Median = 150_000;

    /// <summary>One (σ, n) row: the median over cells of |protected / exact − 1| per percentile, and how many releases were empty.</summary>
    public sealed record Row(double Sigma, int N, double[] MedianErrors, int Empty);

    /// <summary>One (σ, n) row of interval coverage: the share of cells whose interval holds the population percentile.</summary>
    public sealed record CoverageRow(double Sigma, int N, double[] Coverage, double[] LowerMisses, double[] UpperMisses);

    public static IReadOnlyList<Row> Errors(CdfParameters parameters, Prf prf, double[] sigmas, int[] sizes, int cells, int seed)
    {
        var rows = new List<Row>();
        var random = new Random(seed);
        foreach (var sigma in sigmas)
        foreach (var n in sizes)
        {
            var errors = Percentiles.Select(_ => new double[cells]).ToArray();
            var empty = 0;
            for (var cell = 0; cell < cells; cell++)
            {
                var values = Cell(random, sigma, n);
                var release = NoisyCdf.Release(parameters.Grid.Histogram(values), parameters, prf, (ulong)random.NextInt64(), 0);
                if (release.IsEmpty)
                    empty++;
                for (var k = 0; k < Percentiles.Length; k++)
                {
                    var exact = Statistics.Percentiles.Of(values, Percentiles[k]);
                    // An empty release publishes nothing: counted as a 100% error.
                    errors[k][cell] = release.IsEmpty ? 1 : Math.Abs(release.Quantile(Percentiles[k] / 100.0) / exact - 1);
                }
            }
            rows.Add(new Row(sigma, n, [.. errors.Select(MedianOf)], empty));
        }
        return rows;
    }

    public static IReadOnlyList<CoverageRow> Coverage(CdfParameters parameters, Prf prf, double[] sigmas, int[] sizes, int cells, int seed)
    {
        var rows = new List<CoverageRow>();
        var random = new Random(seed);
        foreach (var sigma in sigmas)
        foreach (var n in sizes)
        {
            var covered = new int[Percentiles.Length];
            var low = new int[Percentiles.Length];
            var high = new int[Percentiles.Length];
            for (var cell = 0; cell < cells; cell++)
            {
                var values = Cell(random, sigma, n);
                var release = NoisyCdf.Release(parameters.Grid.Histogram(values), parameters, prf, (ulong)random.NextInt64(), 0);
                for (var k = 0; k < Percentiles.Length; k++)
                {
                    var fraction = Percentiles[k] / 100.0;
                    var truth = Median * Math.Exp(sigma * Normal.InverseCdf(fraction));
                    if (release.IsEmpty)
                        continue; // no interval: not covered
                    var (lower, upper) = release.Interval(fraction);
                    if (lower > truth)
                        low[k]++;
                    else if (upper < truth)
                        high[k]++;
                    else
                        covered[k]++;
                }
            }
            double[] Share(int[] counts) => [.. counts.Select(c => (double)c / cells)];
            rows.Add(new CoverageRow(sigma, n, Share(covered), Share(low), Share(high)));
        }
        return rows;
    }

    /// <summary>n log-normal values, sorted: median 150k, σ of the logarithm as given.</summary>
    public static double[] Cell(Random random, double sigma, int n)
    {
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            values[i] = Median * Math.Exp(sigma * z);
        }
        Array.Sort(values);
        return values;
    }

    public static string Format(string title, IReadOnlyList<Row> rows)
    {
        var text = new StringBuilder().AppendLine(title)
            .AppendLine("| σ | n | " + string.Join(" | ", Percentiles.Select(p => $"p{p}")) + " | empty |")
            .AppendLine("|---|---|" + string.Concat(Percentiles.Select(_ => "---|")) + "---|");
        foreach (var row in rows)
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.Sigma} | {row.N} | {string.Join(" | ", row.MedianErrors.Select(e => $"{e * 100:0.00}%"))} | {row.Empty} |"));
        return text.ToString();
    }

    public static string Format(string title, IReadOnlyList<CoverageRow> rows)
    {
        var text = new StringBuilder().AppendLine(title)
            .AppendLine("| σ | n | " + string.Join(" | ", Percentiles.Select(p => $"p{p}")) + " |")
            .AppendLine("|---|---|" + string.Concat(Percentiles.Select(_ => "---|")));
        foreach (var row in rows)
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.Sigma} | {row.N} | {string.Join(" | ", row.Coverage.Select((c, k) => $"{c * 100:0.0}% ({row.LowerMisses[k] * 100:0.0}/{row.UpperMisses[k] * 100:0.0})"))} |"));
        return text.AppendLine("coverage (misses with the lower bound above the truth / the upper bound below it)").ToString();
    }

    private static double MedianOf(double[] values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
