using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace Comp.Benchmarks;

/// <summary>
/// One cut of the data, asked of the API as a <c>GET /v1/bands</c> query and of PostgreSQL as a
/// <c>percentile_cont</c> query that applies the same documented semantics.
/// </summary>
public sealed record Cut(
    string Name,
    string? Employer = null,
    string? Role = null,
    string? Region = null,
    string Component = "total",
    string Currency = "USD",
    DateOnly? AgedTo = null,
    string? GroupBy = null)
{
    public Comp.Client.BandQuery ApiQuery(IReadOnlyList<int> percentiles) => new()
    {
        Employer = Employer,
        Role = Role,
        Region = Region,
        Component = Component,
        Currency = Currency == "USD" ? null : Currency,
        AgedTo = AgedTo,
        GroupBy = GroupBy,
        Percentiles = percentiles.Count == 0 ? null : string.Join(",", percentiles),
    };

    /// <summary>The query string of the cut (percentiles vary per run and are left out).</summary>
    public string QueryText => ApiQuery([]).ToQueryString();

    /// <summary>Issue 8's size pair: two single-cell cuts of the same shape, ~4,000 and ~200,000 datapoints at 10M rows.</summary>
    public const string Small = "one role in a small state (~4k at 10M)";
    public const string Large = "one role in one country (~200k at 10M)";

    /// <summary>The other cuts the serve phase asks (issue 15).</summary>
    public const string EmployerRole = "one employer + role";
    public const string State = "one role in one state";
    public const string Everything = "everything, by region";

    public static IReadOnlyList<Cut> Standard(int employers) =>
    [
        // A frontier lab's research scientists: one employer, so the employer rules are lifted; heavy-tailed totals.
        new(EmployerRole, Employer: PayModel.EmployerSlug(Math.Min(PayModel.FrontierRanks[0], employers)), Role: "research-scientist"),
        new(State, Role: "ml-engineer", Region: "us-ca", Component: "base"),
        new("one role in one country, by level", Role: "data-scientist", Region: "us", GroupBy: "level"),
        new(Everything, GroupBy: "region"),
        new("one role, currency=EUR", Role: "data-scientist", Currency: "EUR"),
        new("one role, agedTo", Role: "data-scientist", AgedTo: new DateOnly(2025, 1, 1)),
        // The size pair: designers in Oregon are 0.042% of the rows at 1M and 10M alike (regular employers,
        // one of the eleven small states); research engineers in the US 2.4% at 1M, 2.2% at 10M (fewer of
        // the rows are at frontier labs when the Zipf tail holds 20,000 employers).
        new(Small, Role: "designer", Region: "us-or"),
        new(Large, Role: "research-engineer", Region: "us"),
    ];

    /// <summary>
    /// Whether a generated row falls in the cut, for <c>--describe-data</c>'s size estimates: regions by
    /// code prefix (the seeded tree follows it: us-ca-sf-bay-area under us-ca under us). Currency and
    /// aging filter nothing here (every currency has a rate); the measured n is percentile_cont's count.
    /// </summary>
    public bool Matches(Comp.Client.DatapointRequest d) =>
        (Employer is null || d.Employer == Employer)
        && (Role is null || d.Role == Role)
        && (Region is null || d.Region == Region || d.Region!.StartsWith(Region + "-", StringComparison.Ordinal))
        && Component switch
        {
            "bonus" => d.TargetBonus is not null,
            "equity" => d.EquityGrant is not null,
            "retention" => d.RetentionGrant is not null,
            "signon" => d.SignOnBonus is not null,
            _ => true,
        };

    /// <summary>
    /// The direct query. The same float8 value expression as the API (amounts cast before the
    /// arithmetic), FX as SPEC §3 states it — the rate of the latest date on or before the
    /// effective date, else the earliest; USD is 1; a value already in the target currency is not
    /// converted; no rate, no value — built here from fx_rates with window functions, regions
    /// expanded through the parent links of the regions table, aging value × (1 + r)^(days / 365.25),
    /// and the percentiles by PostgreSQL's own <c>percentile_cont</c>. One row per cell: group key,
    /// n, the percentile array.
    /// </summary>
    public NpgsqlCommand SqlCommand(IReadOnlyList<int> percentiles, double agingRate)
    {
        var command = new NpgsqlCommand();
        var p = command.Parameters;
        p.Add(new NpgsqlParameter("target", NpgsqlDbType.Char) { Value = Currency });
        p.Add(new NpgsqlParameter("fractions", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = percentiles.Select(x => x / 100.0).ToArray() });
        var value = $"({ValueSql(Component)})";
        var converted = $"CASE WHEN d.currency = @target THEN {value} ELSE {value} * x.source_usd / x.target_usd END";
        if (AgedTo is { } agedTo)
        {
            p.Add(new NpgsqlParameter("aged_to", NpgsqlDbType.Date) { Value = agedTo });
            p.Add(new NpgsqlParameter("aging_rate", NpgsqlDbType.Double) { Value = agingRate });
            converted = $"{converted} * power(1 + @aging_rate, (@aged_to - d.effective_date)::float8 / 365.25)";
        }

        var where = new List<string>();
        if (OptionalColumn(Component) is { } column)
            where.Add($"{column} IS NOT NULL");
        if (Employer is not null)
        {
            p.Add(new NpgsqlParameter("employer", NpgsqlDbType.Text) { Value = Employer });
            where.Add("d.employer_id = (SELECT id FROM employers WHERE slug = @employer)");
        }
        if (Role is not null)
        {
            p.Add(new NpgsqlParameter("role", NpgsqlDbType.Text) { Value = Role });
            where.Add("d.role = @role");
        }
        if (Region is not null)
        {
            p.Add(new NpgsqlParameter("region", NpgsqlDbType.Text) { Value = Region });
            where.Add("d.region = ANY (ARRAY(WITH RECURSIVE tree AS (SELECT code FROM regions WHERE code = @region " +
                      "UNION ALL SELECT r.code FROM regions r JOIN tree ON r.parent_code = tree.code) SELECT code FROM tree))");
        }
        var group = GroupBy switch
        {
            null => null,
            "level" => "d.level",
            "region" => "d.region",
            "role" => "d.role",
            "employer" => "(SELECT slug FROM employers e WHERE e.id = d.employer_id)",
            _ => throw new ArgumentOutOfRangeException(nameof(GroupBy), GroupBy, "one key per cut"),
        };

        // Each rate holds from its date until the next rate of its currency, the earliest also before
        // its date. A value's factor depends on two such periods (its own currency's and the
        // target's), so their intersections are formed first, once per query (a few dozen rows);
        // each datapoint then finds its factor by one hash lookup on currency plus a date range.
        var sql = new StringBuilder("""
            WITH periods AS (
                SELECT currency, usd_per_unit::float8 AS usd,
                       CASE WHEN lag(date) OVER w IS NULL THEN '-infinity'::date ELSE date END AS valid_from,
                       coalesce(lead(date) OVER w, 'infinity'::date) AS valid_to
                FROM fx_rates WINDOW w AS (PARTITION BY currency ORDER BY date)
                UNION ALL SELECT 'USD'::char(3), 1.0::float8, '-infinity'::date, 'infinity'::date
            ),
            factors AS (
                SELECT s.currency, s.usd AS source_usd, t.usd AS target_usd,
                       greatest(s.valid_from, t.valid_from) AS valid_from, least(s.valid_to, t.valid_to) AS valid_to
                FROM periods s JOIN periods t ON t.currency = @target AND s.valid_from < t.valid_to AND t.valid_from < s.valid_to
            )
            SELECT

            """);
        sql.Append(group is null ? "NULL::text" : "g").Append(", count(*)::int, percentile_cont(@fractions) WITHIN GROUP (ORDER BY v)\nFROM (SELECT ")
            .Append(group is null ? "" : $"{group} AS g, ").Append(converted).Append(" AS v\n")
            .Append("    FROM datapoints d\n")
            .Append("    LEFT JOIN factors x ON x.currency = d.currency AND d.effective_date >= x.valid_from AND d.effective_date < x.valid_to\n")
            .Append("    WHERE ").Append(where.Count == 0 ? "true" : string.Join(" AND ", where)).Append(") f\n")
            .Append("WHERE v IS NOT NULL\n");
        if (group is not null)
            sql.Append("GROUP BY g ORDER BY g");
        command.CommandText = sql.ToString();
        return command;
    }

    /// <summary>The API's value expressions (SPEC §1 components; grants divided by their vesting years).</summary>
    private static string ValueSql(string component) => component switch
    {
        "base" => "d.base_salary::float8",
        "bonus" => "d.target_bonus::float8",
        "equity" => "d.equity_grant::float8 / d.equity_vesting_years",
        "retention" => "d.retention_grant::float8 / d.retention_vesting_years",
        "signon" => "d.sign_on_bonus::float8",
        "total" => Total,
        "year1" => $"{Total} + coalesce(d.sign_on_bonus::float8, 0)",
        _ => throw new ArgumentOutOfRangeException(nameof(component), component, null),
    };

    private const string Total =
        "d.base_salary::float8 + coalesce(d.target_bonus::float8, 0) + coalesce(d.equity_grant::float8, 0) / d.equity_vesting_years" +
        " + coalesce(d.retention_grant::float8, 0) / d.retention_vesting_years";

    private static string? OptionalColumn(string component) => component switch
    {
        "bonus" => "d.target_bonus",
        "equity" => "d.equity_grant",
        "retention" => "d.retention_grant",
        "signon" => "d.sign_on_bonus",
        _ => null,
    };
}

/// <summary>One cell computed directly in PostgreSQL.</summary>
public sealed record SqlCell(string? Group, int N, double[] Percentiles);

/// <summary>Checks the API's published figures against the direct query's.</summary>
public static class Agreement
{
    public const double Tolerance = 0.01;

    public sealed record Outcome(int Compared, int CellsCompared, List<string> Mismatches);

    public static Outcome Check(Cut cut, IReadOnlyList<int> percentiles, Comp.Client.BandResponse api, IReadOnlyList<SqlCell> sql)
    {
        var mismatches = new List<string>();
        var byGroup = sql.ToDictionary(c => c.Group ?? "\0");
        var compared = 0;
        var cells = 0;
        foreach (var cell in api.Cells)
        {
            var key = cut.GroupBy is null ? "\0" : cell.Group.GetValueOrDefault(cut.GroupBy) ?? "\0";
            var label = cut.GroupBy is null ? "(all)" : $"{cut.GroupBy}={key}";
            if (!byGroup.TryGetValue(key, out var reference))
            {
                if (cell.N is > 0)
                    mismatches.Add($"{cut.Name}: API cell {label} has no counterpart in percentile_cont");
                continue;
            }
            if (cell.Suppressed || cell.Percentiles is null)
                continue;
            cells++;
            if (cell.N != reference.N)
                mismatches.Add($"{cut.Name} {label}: API n={cell.N}, SQL count={reference.N}");
            for (var i = 0; i < percentiles.Count; i++)
            {
                if (cell.Percentiles.GetValueOrDefault($"p{percentiles[i]}") is not { } figure)
                    continue; // withheld by the disclosure rules
                compared++;
                var expected = reference.Percentiles[i];
                if (Math.Abs((double)figure - expected) > Tolerance)
                    mismatches.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{cut.Name} {label} p{percentiles[i]}: API {figure}, percentile_cont {expected:R}"));
            }
        }
        // Every cell with data must be in the API's answer (suppressed or not).
        var apiKeys = api.Cells.Select(c => cut.GroupBy is null ? "\0" : c.Group.GetValueOrDefault(cut.GroupBy) ?? "\0").ToHashSet();
        foreach (var missing in sql.Where(c => !apiKeys.Contains(c.Group ?? "\0")))
            mismatches.Add($"{cut.Name}: percentile_cont cell {missing.Group ?? "(all)"} (n={missing.N}) is missing from the API's answer");
        return new Outcome(compared, cells, mismatches);
    }
}
