using System.Globalization;
using System.Text;
using Comp.Client;

namespace Comp.Benchmarks;

/// <summary>
/// A small, fast, splittable random generator (SplitMix64). Each datapoint gets its own stream,
/// seeded from the dataset seed and the row's index, so any row can be generated again on its own:
/// the API batches and the CSV for <c>\copy</c> hold exactly the same rows without keeping them all.
/// </summary>
public struct Rng(ulong seed)
{
    private ulong state = seed;

    public static Rng For(ulong seed, long stream) => new(Mix(seed ^ Mix((ulong)stream + 0x9E3779B97F4A7C15UL)));

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextULong()
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n).</summary>
    public int Next(int n) => (int)(NextDouble() * n);

    public bool Chance(double p) => NextDouble() < p;

    /// <summary>Standard normal (Box–Muller).</summary>
    public double Normal()
    {
        var u = 1.0 - NextDouble();
        var v = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v);
    }

    /// <summary>Log-normal with the given median and log standard deviation.</summary>
    public double LogNormal(double median, double sigma) => median * Math.Exp(sigma * Normal());

    /// <summary>Pareto with scale <paramref name="xm"/> (the minimum) and shape <paramref name="alpha"/>.</summary>
    public double Pareto(double xm, double alpha) => xm * Math.Pow(1.0 - NextDouble(), -1.0 / alpha);

    public T Pick<T>(IReadOnlyList<(T Item, double Weight)> table)
    {
        var u = NextDouble();
        foreach (var (item, weight) in table)
        {
            if (u < weight)
                return item;
            u -= weight;
        }
        return table[^1].Item;
    }
}

public enum Tier { Regular, BigTech, Frontier }

public sealed record RegionSpec(string Code, double Weight, double PayFactor, string Currency);

/// <summary>
/// The synthetic pay model. Every constant here is written down in README.md next to this file
/// with where it comes from (the files in ../shared/data/real/ are the reference; none is read at
/// run time).
/// </summary>
public static class PayModel
{
    public static readonly DateOnly FirstDate = new(2020, 1, 1);
    public static readonly DateOnly LastDate = new(2025, 6, 30);

    /// <summary>Employer popularity is Zipf with this exponent: at 2,000 employers the top 1% hold 30% of the rows and the top 10% hold 59% (H-1B file: 30% and 58%).</summary>
    public const double ZipfExponent = 0.85;

    /// <summary>One employer per 500 datapoints (2,000 at 1M, 20,000 at 10M), at least 50.</summary>
    public static int EmployersFor(long rows) => (int)Math.Max(50, rows / 500);

    public static string EmployerSlug(int rank) => $"bench-e{rank:D5}";

    public static readonly int[] FrontierRanks = [12, 25, 47, 90];

    /// <summary>Frontier labs: ranks 12, 25, 47, 90 and every 250th from 250; big tech: the top 10 and every third rank 13–40.</summary>
    public static Tier TierOf(int rank) =>
        FrontierRanks.Contains(rank) || (rank >= 250 && rank % 250 == 0) ? Tier.Frontier
        : rank <= 10 || (rank <= 40 && rank % 3 == 0) ? Tier.BigTech
        : Tier.Regular;

    /// <summary>Median US base salary at L4 in 2023 USD, by role (see README.md for the sources).</summary>
    public static readonly IReadOnlyDictionary<string, double> MedianBaseL4 = new Dictionary<string, double>
    {
        ["software-engineer"] = 159_000,
        ["ml-engineer"] = 166_000,
        ["research-scientist"] = 184_000,
        ["research-engineer"] = 155_000,
        ["data-scientist"] = 155_000,
        ["data-engineer"] = 145_000,
        ["data-analyst"] = 110_000,
        ["engineering-manager"] = 204_000,
        ["product-manager"] = 165_000,
        ["designer"] = 119_000,
    };

    private static readonly (string, double)[] RolesRegular =
    [
        ("software-engineer", .30), ("ml-engineer", .08), ("research-scientist", .02), ("research-engineer", .02), ("data-scientist", .13),
        ("data-engineer", .13), ("data-analyst", .12), ("engineering-manager", .07), ("product-manager", .08), ("designer", .05),
    ];
    private static readonly (string, double)[] RolesBigTech =
    [
        ("software-engineer", .38), ("ml-engineer", .12), ("research-scientist", .05), ("research-engineer", .03), ("data-scientist", .09),
        ("data-engineer", .08), ("data-analyst", .05), ("engineering-manager", .08), ("product-manager", .08), ("designer", .04),
    ];
    private static readonly (string, double)[] RolesFrontier =
    [
        ("software-engineer", .22), ("ml-engineer", .15), ("research-scientist", .25), ("research-engineer", .20), ("data-scientist", .04),
        ("data-engineer", .04), ("data-analyst", .01), ("engineering-manager", .04), ("product-manager", .03), ("designer", .02),
    ];

    public static readonly (int Level, double Weight)[] Levels =
        [(1, .07), (2, .14), (3, .24), (4, .26), (5, .16), (6, .08), (7, .04), (8, .01)];

    /// <summary>Base relative to L4, from the ai-jobs medians by experience (EN 93k, MI 124k, SE 150k, EX 200k), extended geometrically above.</summary>
    public static readonly double[] LevelFactor = [0, 0.62, 0.72, 0.83, 1.00, 1.18, 1.38, 1.60, 1.85];

    /// <summary>Median target bonus as a share of base, by level.</summary>
    public static readonly double[] BonusShare = [0, .06, .08, .10, .12, .15, .18, .22, .28];

    public const double BaseSigma = 0.22;
    public const double NonUsdShare = 0.08;

    /// <summary>Where the rows are: US metros and states weighted like the H-1B file's worksites, 8% abroad in local currency.</summary>
    public static readonly RegionSpec[] Regions = BuildRegions();

    private static RegionSpec[] BuildRegions()
    {
        var us = new List<RegionSpec>
        {
            new("us-ca-sf-bay-area", .19, 1.25, "USD"), new("us-ca-los-angeles", .03, 1.08, "USD"), new("us-ca-san-diego", .015, 1.02, "USD"),
            new("us-ca", .035, 1.00, "USD"), new("us-wa-seattle", .11, 1.15, "USD"), new("us-wa", .015, 1.00, "USD"),
            new("us-ny-new-york", .07, 1.15, "USD"), new("us-ny", .008, 0.95, "USD"), new("us-tx-austin", .035, 1.00, "USD"),
            new("us-tx", .03, 0.92, "USD"), new("us-ma-boston", .04, 1.08, "USD"), new("us-ma", .008, 1.00, "USD"),
            new("us-il-chicago", .03, 0.95, "USD"), new("us-il", .006, 0.88, "USD"), new("us-ga-atlanta", .02, 0.92, "USD"),
            new("us-co-denver", .015, 0.98, "USD"), new("us-dc-washington", .012, 1.02, "USD"), new("us-nj", .045, 0.98, "USD"),
            new("us-va", .028, 0.97, "USD"), new("us-pa", .025, 0.90, "USD"), new("us-fl", .02, 0.88, "USD"),
            new("us-md", .018, 0.95, "USD"), new("us-nc", .018, 0.90, "USD"),
        };
        string[] rest = ["us-oh", "us-mi", "us-mn", "us-az", "us-or", "us-ut", "us-wi", "us-mo", "us-tn", "us-in", "us-ct"];
        var left = (1 - NonUsdShare) - us.Sum(r => r.Weight);
        us.AddRange(rest.Select(code => new RegionSpec(code, left / rest.Length, 0.88, "USD")));
        // Pay factors abroad: ai-jobs median salary_in_usd by company location over the US median
        // (150k): GB 79.5k, DE 72.7k, FR 59.0k, IN 18.3k, CA 120k.
        RegionSpec[] abroad =
        [
            new("gb-eng-london", .020, 0.53, "GBP"), new("gb-eng", .003, 0.48, "GBP"), new("gb-sct", .001, 0.45, "GBP"),
            new("in-ka-bangalore", .011, 0.12, "INR"), new("in-ts-hyderabad", .006, 0.11, "INR"), new("in-mh", .002, 0.11, "INR"),
            new("ca-on-toronto", .008, 0.80, "CAD"), new("ca-bc-vancouver", .005, 0.80, "CAD"), new("ca-qc-montreal", .003, 0.72, "CAD"),
            new("de-be-berlin", .007, 0.48, "EUR"), new("de-by-munich", .006, 0.52, "EUR"), new("de", .001, 0.45, "EUR"),
            new("fr-idf-paris", .006, 0.39, "EUR"), new("fr", .001, 0.37, "EUR"),
        ];
        return [.. us, .. abroad];
    }

    /// <summary>USD per unit by year 2020–2025, approximately the seeded FX table (only to express local pay; the API converts with its own table).</summary>
    private static readonly Dictionary<string, double[]> UsdPerUnit = new()
    {
        ["GBP"] = [1.283, 1.375, 1.231, 1.215, 1.263, 1.272],
        ["EUR"] = [1.140, 1.182, 1.051, 1.073, 1.081, 1.076],
        ["INR"] = [0.01349, 0.01352, 0.01272, 0.01216, 0.01199, 0.01198],
        ["CAD"] = [0.7459, 0.7976, 0.7681, 0.7393, 0.7317, 0.7297],
    };

    public static double LocalPerUsd(string currency, DateOnly date) =>
        currency == "USD" ? 1.0 : 1.0 / UsdPerUnit[currency][Math.Clamp(date.Year - 2020, 0, 5)];

    private static readonly (string, double)[] Sources =
        [("self_reported", .55), ("offer_letter", .15), ("employer_survey", .15), ("aggregator", .10), ("public_filing", .04), ("press_report", .01)];

    public static (string, double)[] RolesOf(Tier tier) => tier switch
    {
        Tier.Frontier => RolesFrontier,
        Tier.BigTech => RolesBigTech,
        _ => RolesRegular,
    };

    public static IReadOnlyList<(string, double)> SourceTable => Sources;
}

/// <summary>Generates datapoint <c>i</c> of a dataset of <c>rows</c> with a seed; the same inputs give the same row.</summary>
public sealed class DatasetGenerator
{
    private readonly ulong seed;
    private readonly double[] employerCdf;
    private readonly (RegionSpec, double)[] regions;
    private readonly int days;

    public DatasetGenerator(long rows, ulong seed)
    {
        this.seed = seed;
        Rows = rows;
        Employers = PayModel.EmployersFor(rows);
        employerCdf = new double[Employers];
        double sum = 0;
        for (var k = 1; k <= Employers; k++)
            sum += Math.Pow(k, -PayModel.ZipfExponent);
        double acc = 0;
        for (var k = 1; k <= Employers; k++)
        {
            acc += Math.Pow(k, -PayModel.ZipfExponent) / sum;
            employerCdf[k - 1] = acc;
        }
        regions = PayModel.Regions.Select(r => (r, r.Weight)).ToArray();
        days = PayModel.LastDate.DayNumber - PayModel.FirstDate.DayNumber;
    }

    public long Rows { get; }
    public int Employers { get; }

    public const string SourceNote = "benchmark";

    public DatapointRequest Row(long index)
    {
        var r = Rng.For(seed, index);
        var at = Array.BinarySearch(employerCdf, r.NextDouble());
        var rank = Math.Min(at < 0 ? ~at : at, Employers - 1) + 1;
        var tier = PayModel.TierOf(rank);
        var role = r.Pick(PayModel.RolesOf(tier));
        var level = r.Pick(PayModel.Levels);
        if (role == "engineering-manager")
            level = Math.Max(level, 4);
        var region = r.Pick(regions);

        // Dates 2020-01 to 2025-06, density rising linearly (twice as many rows at the end): more recent data is more common.
        var t = -1 + Math.Sqrt(1 + 3 * r.NextDouble());
        var date = PayModel.FirstDate.AddDays((int)(t * days));
        var years = (date.DayNumber - new DateOnly(2023, 7, 1).DayNumber) / 365.25;
        var trend = Math.Pow(1.035, years);

        var tierFactor = tier switch { Tier.Frontier => 1.30, Tier.BigTech => 1.12, _ => 0.92 };
        var geo = region.PayFactor;
        var baseUsd = r.LogNormal(PayModel.MedianBaseL4[role] * PayModel.LevelFactor[level] * tierFactor * geo * trend, PayModel.BaseSigma);
        if (role == "research-scientist" && tier == Tier.Frontier)
            baseUsd = Math.Max(baseUsd, r.LogNormal(300_000 * geo * trend, 0.25));

        double? bonus = null;
        if (r.Chance(tier switch { Tier.Frontier => 0.50, Tier.BigTech => 0.92, _ => 0.55 }))
            bonus = baseUsd * r.LogNormal(PayModel.BonusShare[level], 0.35);

        double? signOn = null;
        if (r.Chance(tier switch { Tier.Frontier => 0.25, Tier.BigTech => 0.30, _ => 0.12 }))
            signOn = r.LogNormal(10_000 * Math.Pow(1.35, level - 1) * geo, 0.6);

        // Annual equity value: log-normal multiples of base, except research packages at frontier labs
        // (Pareto, alpha 1.4: median ~1.6x the scale, p99 ~27x) and the 8% star hires of big tech research.
        double? equityAnnual = null;
        if (r.Chance(tier switch { Tier.Frontier => 0.98, Tier.BigTech => 0.95, _ => 0.40 }))
        {
            equityAnnual = (role, tier) switch
            {
                ("research-scientist", Tier.Frontier) => r.Pareto(250_000 * Math.Pow(1.25, level - 4) * geo, 1.4),
                ("research-scientist", Tier.BigTech) when r.Chance(0.08) => r.Pareto(300_000 * geo, 1.6),
                (_, Tier.Frontier) => baseUsd * r.LogNormal((role == "research-engineer" ? 1.0 : 0.8) * Math.Pow(1.3, level - 4), 0.6),
                (_, Tier.BigTech) => baseUsd * r.LogNormal(0.25 * Math.Pow(1.35, level - 1), 0.55),
                _ => baseUsd * r.LogNormal(0.12 * Math.Pow(1.3, level - 1), 0.6),
            };
            equityAnnual = Math.Min(equityAnnual.Value, 40_000_000);
        }
        var equityYears = r.Pick<int>([(4, .78), (3, .12), (1, .05), (5, .05)]);

        double? retention = null;
        var retentionYears = r.Chance(0.2) ? 2 : 4;
        var retentionChance = (role, tier) switch
        {
            ("research-scientist", Tier.Frontier) => 0.35,
            (_, Tier.Frontier) => 0.22,
            (_, Tier.BigTech) => 0.14,
            _ => 0.05,
        };
        if (r.Chance(retentionChance))
            retention = (equityAnnual ?? 0.3 * baseUsd) * r.LogNormal(0.8, 0.6) * retentionYears;

        decimal? yoe = null;
        if (r.Chance(0.6))
            yoe = (decimal)Math.Round(Math.Clamp(1 + 2.5 * (level - 1) + 1.5 * r.Normal(), 0, 45), 1);

        var source = r.Pick(PayModel.SourceTable);
        var verified = r.Chance(source switch { "public_filing" => 0.9, "offer_letter" => 0.6, "employer_survey" => 0.5, _ => 0.05 });

        // Amounts in the region's currency, rounded as people report them: base to 1,000 (40%) or 100, grants to
        // 1,000; kept under the API's limits (annual cash 100M, grants 2B) in the local currency too.
        var local = PayModel.LocalPerUsd(region.Currency, date);
        decimal Round(double usd, double step, double max = 90_000_000) =>
            Math.Max((decimal)step, (decimal)(Math.Round(Math.Min(usd * local, max) / step) * step));
        return new DatapointRequest
        {
            Employer = PayModel.EmployerSlug(rank),
            EmployerName = $"Benchmark Employer {rank}",
            Role = role,
            Level = "L" + level.ToString(CultureInfo.InvariantCulture),
            Region = region.Code,
            Currency = region.Currency,
            EffectiveDate = date,
            BaseSalary = Round(baseUsd, r.Chance(0.4) ? 1000 : 100),
            TargetBonus = bonus is { } b ? Round(b, 100) : null,
            SignOnBonus = signOn is { } s ? Round(s, 100) : null,
            EquityGrant = equityAnnual is { } e ? Round(e * equityYears, 1000, 1_900_000_000) : null,
            EquityVestingYears = equityYears,
            RetentionGrant = retention is { } rt ? Round(rt, 1000, 1_900_000_000) : null,
            RetentionVestingYears = retentionYears,
            YearsOfExperience = yoe,
            Source = source,
            SourceNote = SourceNote,
            Verified = verified,
        };
    }

    /// <summary>Rows from..from+count-1 (indexes past <see cref="Rows"/> give further rows of the same model).</summary>
    public List<DatapointRequest> Batch(long from, int count)
    {
        var list = new List<DatapointRequest>(count);
        for (var i = from; i < from + count; i++)
            list.Add(Row(i));
        return list;
    }

    /// <summary>The columns of <see cref="CsvLine"/>, in order, for the staging table of the <c>\copy</c> path.</summary>
    public const string CsvColumns =
        "id uuid, employer text, role text, level text, region text, currency char(3), effective_date date, base_salary numeric, " +
        "target_bonus numeric, sign_on_bonus numeric, equity_grant numeric, equity_vesting_years int, retention_grant numeric, " +
        "retention_vesting_years int, years_of_experience numeric, source text, verified boolean";

    /// <summary>One row as CSV for <c>\copy … (FORMAT csv)</c>: an empty unquoted field is NULL. The id is a UUIDv7, like the API's.</summary>
    public static void CsvLine(StringBuilder line, DatapointRequest d)
    {
        static string N(decimal? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "";
        line.Append(Guid.CreateVersion7()).Append(',')
            .Append(d.Employer).Append(',').Append(d.Role).Append(',').Append(d.Level).Append(',').Append(d.Region).Append(',')
            .Append(d.Currency).Append(',').Append(d.EffectiveDate!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(',')
            .Append(N(d.BaseSalary)).Append(',').Append(N(d.TargetBonus)).Append(',').Append(N(d.SignOnBonus)).Append(',')
            .Append(N(d.EquityGrant)).Append(',').Append(d.EquityVestingYears!.Value.ToString(CultureInfo.InvariantCulture)).Append(',')
            .Append(N(d.RetentionGrant)).Append(',').Append(d.RetentionVestingYears!.Value.ToString(CultureInfo.InvariantCulture)).Append(',')
            .Append(N(d.YearsOfExperience)).Append(',').Append(d.Source).Append(',').Append(d.Verified == true ? "true" : "false").Append('\n');
    }
}
