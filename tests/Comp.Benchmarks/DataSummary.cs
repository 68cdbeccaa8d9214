using System.Globalization;

namespace Comp.Benchmarks;

/// <summary><c>--describe-data</c>: the generated distributions, to check them against the reference files without a server.</summary>
public static class DataSummary
{
    /// <summary>The distributions come from at most this many rows (each row is an independent draw); the cut sizes from all of them.</summary>
    private const int MaxSample = 1_000_000;

    public static void Print(DatasetGenerator generator)
    {
        var sampled = (int)Math.Min(generator.Rows, MaxSample);
        var rows = Enumerable.Range(0, sampled).Select(i => generator.Row(i)).ToList();
        static double Usd(Comp.Client.DatapointRequest d, decimal amount) =>
            (double)amount / PayModel.LocalPerUsd(d.Currency!, d.EffectiveDate!.Value);
        static double Total(Comp.Client.DatapointRequest d) =>
            Usd(d, d.BaseSalary!.Value + (d.TargetBonus ?? 0) + (d.EquityGrant ?? 0) / d.EquityVestingYears!.Value
                   + (d.RetentionGrant ?? 0) / d.RetentionVestingYears!.Value);
        static string K(double v) => (v / 1000).ToString("N0", CultureInfo.InvariantCulture) + "k";
        static double Q(List<double> sorted, double p) => sorted[(int)Math.Clamp(Math.Round(p * (sorted.Count - 1)), 0, sorted.Count - 1)];

        Console.WriteLine($"{generator.Rows:N0} rows, {generator.Employers:N0} employers, seed-determined" +
            (sampled < generator.Rows ? $"; the distributions below are of the first {sampled:N0} rows" : ""));
        var byEmployer = rows.GroupBy(r => r.Employer).Select(g => g.Count()).OrderDescending().ToList();
        Console.WriteLine($"employers with rows: {byEmployer.Count:N0}; largest {byEmployer[0] / (double)rows.Count:P1}; " +
            $"top 1% hold {byEmployer.Take(Math.Max(1, generator.Employers / 100)).Sum() / (double)rows.Count:P0}, " +
            $"top 10% {byEmployer.Take(generator.Employers / 10).Sum() / (double)rows.Count:P0}");
        Console.WriteLine("currencies: " + string.Join(", ", rows.GroupBy(r => r.Currency).OrderByDescending(g => g.Count())
            .Select(g => $"{g.Key} {g.Count() / (double)rows.Count:P1}")));
        Console.WriteLine($"components present: bonus {rows.Count(r => r.TargetBonus is not null) / (double)rows.Count:P0}, " +
            $"sign-on {rows.Count(r => r.SignOnBonus is not null) / (double)rows.Count:P0}, equity {rows.Count(r => r.EquityGrant is not null) / (double)rows.Count:P0}, " +
            $"retention {rows.Count(r => r.RetentionGrant is not null) / (double)rows.Count:P0}, years of experience {rows.Count(r => r.YearsOfExperience is not null) / (double)rows.Count:P0}");
        Console.WriteLine("US base (USD) by role: p10 / p50 / p90, log sd; total p50 / p90 / p99");
        foreach (var role in PayModel.MedianBaseL4.Keys)
        {
            var us = rows.Where(r => r.Role == role && r.Currency == "USD").ToList();
            var b = us.Select(r => (double)r.BaseSalary!.Value).Order().ToList();
            var t = us.Select(r => Total(r)).Order().ToList();
            var logs = b.Select(x => Math.Log(x)).ToList();
            var mean = logs.Average();
            var sd = Math.Sqrt(logs.Select(x => (x - mean) * (x - mean)).Average());
            Console.WriteLine($"  {role,-20} n={us.Count,8:N0}  base {K(Q(b, .1)),6} / {K(Q(b, .5)),6} / {K(Q(b, .9)),6}  sd {sd:0.00}   " +
                $"total {K(Q(t, .5)),6} / {K(Q(t, .9)),7} / {K(Q(t, .99)),8}");
        }
        foreach (var tier in new[] { Tier.Frontier, Tier.BigTech, Tier.Regular })
        {
            var rs = rows.Where(r => r.Role == "research-scientist" && PayModel.TierOf(int.Parse(r.Employer!["bench-e".Length..], CultureInfo.InvariantCulture)) == tier)
                .Select(r => Total(r)).Order().ToList();
            if (rs.Count > 0)
                Console.WriteLine($"research-scientist total at {tier}: n={rs.Count:N0}, p50 {K(Q(rs, .5))}, p90 {K(Q(rs, .9))}, p99 {K(Q(rs, .99))}, max {K(rs[^1])}");
        }
        Console.WriteLine("by level (all roles, US base p50): " + string.Join(", ", rows.Where(r => r.Currency == "USD").GroupBy(r => r.Level).OrderBy(g => g.Key)
            .Select(g => $"{g.Key} {g.Count() / (double)rows.Count:P0} {K(Q(g.Select(r => (double)r.BaseSalary!.Value).Order().ToList(), .5))}")));
        Console.WriteLine("by year: " + string.Join(", ", rows.GroupBy(r => r.EffectiveDate!.Value.Year).OrderBy(g => g.Key)
            .Select(g => $"{g.Key} {g.Count() / (double)rows.Count:P0}")));
        Console.WriteLine("abroad, base in USD p50: " + string.Join(", ", rows.Where(r => r.Currency != "USD").GroupBy(r => r.Region!.Split('-')[0])
            .Select(g => $"{g.Key} {K(Q(g.Select(r => Usd(r, r.BaseSalary!.Value)).Order().ToList(), .5))}")));
        CutSizes(generator);
    }

    /// <summary>How many of all the rows each standard cut matches (streamed, nothing kept).</summary>
    private static void CutSizes(DatasetGenerator generator)
    {
        var cuts = Cut.Standard(generator.Employers);
        var counts = new long[cuts.Count];
        for (long i = 0; i < generator.Rows; i++)
        {
            var row = generator.Row(i);
            for (var c = 0; c < cuts.Count; c++)
                if (cuts[c].Matches(row))
                    counts[c]++;
        }
        Console.WriteLine($"cut sizes (n of all {generator.Rows:N0} rows; regions by code prefix):");
        for (var c = 0; c < cuts.Count; c++)
            Console.WriteLine($"  {cuts[c].Name,-40} n={counts[c],11:N0}  {counts[c] / (double)generator.Rows,8:P3}  {cuts[c].QueryText}");
    }
}
