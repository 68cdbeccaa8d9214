using System.Globalization;
using System.Text.Json;

namespace Comp.Api.Tests.Infrastructure;

/// <summary>How the attack tests read band answers and score their guesses (shared by every attack).</summary>
public static class AttackScoring
{
    /// <summary>A standard normal draw (Box–Muller) from <paramref name="random"/>.</summary>
    public static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>Guesses of the j-th smallest value from pairs of published percentiles in one rank interval (type 7).</summary>
    public static decimal?[] Rebuild(JsonElement cell, int n)
    {
        var guesses = new decimal?[n];
        if (cell.GetProperty("suppressed").GetBoolean())
            return guesses;
        var known = cell.GetProperty("percentiles").EnumerateObject()
            .Where(p => p.Value.ValueKind == JsonValueKind.Number)
            .Select(p => (H: (n - 1) * int.Parse(p.Name[1..], CultureInfo.InvariantCulture) / 100.0, Value: p.Value.GetDecimal()))
            .OrderBy(p => p.H).ToList();
        for (var k = 0; k < n - 1; k++)
        {
            var inside = known.Where(p => p.H >= k && p.H < k + 1).ToList();
            if (inside.Count < 2)
                continue;
            var (a, b) = (inside[0], inside[^1]);
            var slope = (b.Value - a.Value) / (decimal)(b.H - a.H);
            var lower = a.Value - (decimal)(a.H - k) * slope;
            guesses[k] ??= lower;
            guesses[k + 1] ??= lower + slope;
        }
        return guesses;
    }

    /// <summary>Guesses within 0.5% of the value of the same rank.</summary>
    public static int Hits(decimal?[] guesses, decimal[] values) =>
        guesses.Select((g, j) => g is { } guess && Math.Abs(guess - values[j]) <= values[j] * 0.005m).Count(hit => hit);

    public static IEnumerable<decimal> CiBounds(JsonElement cell) =>
        cell.GetProperty("suppressed").GetBoolean() || cell.GetProperty("ci").ValueKind != JsonValueKind.Object
            ? []
            : cell.GetProperty("ci").EnumerateObject().SelectMany(c => new[] { c.Value.GetProperty("lower"), c.Value.GetProperty("upper") })
                .Where(v => v.ValueKind == JsonValueKind.Number).Select(v => v.GetDecimal());

    /// <summary>Every figure a cell publishes: its percentiles and its ci bounds.</summary>
    public static IEnumerable<decimal> Figures(JsonElement cell) =>
        cell.GetProperty("suppressed").GetBoolean()
            ? []
            : cell.GetProperty("percentiles").EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number).Select(p => p.Value.GetDecimal())
                .Concat(CiBounds(cell));
}
