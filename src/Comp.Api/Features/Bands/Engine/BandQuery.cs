using Comp.Statistics;

namespace Comp.Api.Features.Bands.Engine;

/// <summary>The keys a band can be grouped by, in their wire names.</summary>
public static class GroupKeys
{
    public const string Employer = "employer";
    public const string Role = "role";
    public const string Level = "level";
    public const string Region = "region";
    public const string EquityBasis = "equityBasis";
    public const string PackageType = "packageType";
    /// <summary>Employer attributes (issue 18): a datapoint's cell is its employer's value (null: not set).</summary>
    public const string Industry = "industry";
    public const string Stage = "stage";
    public const string Headcount = "headcount";
    /// <summary>The effective-date period of a trend (<c>2024</c> or <c>2024-Q2</c>); not a groupBy value.</summary>
    public const string Period = "period";
    public static readonly IReadOnlyList<string> All = [Employer, Role, Level, Region, EquityBasis, PackageType, Industry, Stage, Headcount];

    /// <summary>Whether a key is an employer attribute rather than a column of the data.</summary>
    public static bool IsEmployerAttribute(string key) => key is Industry or Stage or Headcount;
}

/// <summary>
/// An inclusive range over a numeric column of the band data (<see cref="Column"/> names it in
/// <see cref="IndexData.Ranges"/>); a datapoint without a value is outside any range.
/// </summary>
public sealed record RangeFilter(string Column, double? Min, double? Max);

/// <summary>
/// A band request with every filter resolved once: employer slugs to ids, regions to the region
/// and its descendants, percentiles parsed. The engine answers it without looking anything up.
/// </summary>
public sealed record BandQuery
{
    /// <summary>The employers a datapoint must belong to; none means any (see <see cref="MatchesNoEmployer"/>).</summary>
    public IReadOnlyList<int> EmployerIds { get; init; } = [];
    /// <summary>
    /// Whether the employers were narrowed by attributes (industry, stage, headcount) or by
    /// <c>excludeEmployer</c>: then the cells span employers unless the <c>employer</c> filter names one.
    /// </summary>
    public bool EmployersNarrowed { get; init; }
    /// <summary>Employers left out of a cut that names none (<c>excludeEmployer</c>); empty when <see cref="EmployerIds"/> already leaves them out.</summary>
    public IReadOnlyList<int> ExcludedEmployerIds { get; init; } = [];
    /// <summary>Whether nothing can match: the employer filters leave no employer (attributes no employer has, or every named employer excluded).</summary>
    public bool MatchesNoEmployer { get; init; }
    /// <summary>
    /// How many employers the cut is restricted to when its employers are a set chosen employer by
    /// employer (issue 18: a comma list of two or more in <c>employer</c>, a <c>peerGroup</c>, or an
    /// <c>excludeEmployer</c>), after every employer filter; null for any other cut. The protected
    /// tier answers such a cut only with at least <c>Disclosure:MinPeerGroupEmployers</c> of them.
    /// </summary>
    public int? EmployerSet { get; init; }
    /// <summary>How many employers the <c>employer</c> filter itself named.</summary>
    public int NamedEmployers { get; init; }
    /// <summary>Every employer's attributes by id (employers with none are absent), for cells keyed by an attribute.</summary>
    public IReadOnlyDictionary<int, Contracts.EmployerAttributeValues> EmployerAttributes { get; init; } = new Dictionary<int, Contracts.EmployerAttributeValues>();
    /// <summary>The industry list in slug order: the codes of cells keyed by industry.</summary>
    public IReadOnlyList<string> Industries { get; init; } = [];
    public IReadOnlyList<string> Roles { get; init; } = [];
    public IReadOnlyList<string> Levels { get; init; } = [];
    /// <summary>Requested regions expanded to themselves and all their descendants.</summary>
    public IReadOnlyList<string> Regions { get; init; } = [];
    public DateOnly? From { get; init; }
    public DateOnly? To { get; init; }
    public IReadOnlyList<string> Sources { get; init; } = [];
    public bool? Verified { get; init; }
    /// <summary>Equity bases (<see cref="Statistics.EquityBases"/>); a datapoint of unknown basis matches none.</summary>
    public IReadOnlyList<string> EquityBases { get; init; } = [];
    public IReadOnlyList<string> PackageTypes { get; init; } = [];
    /// <summary>Ranges over numeric columns, all of which a datapoint must fall in.</summary>
    public IReadOnlyList<RangeFilter> Ranges { get; init; } = [];
    public Component Component { get; init; } = Component.Total;
    public IReadOnlyList<int> Percentiles { get; init; } = Statistics.Percentiles.Default;
    public string Currency { get; init; } = FxTable.Base;
    public DateOnly? AgedTo { get; init; }
    /// <summary>Whether each datapoint counts once (incumbent) or each employer's median does (company): then cells keep each value's employer.</summary>
    public Weighting Weighting { get; init; } = Weighting.Incumbent;
    /// <summary>For the protected tier: a SQL source reads row ids too, for the cells' content fingerprints.</summary>
    public bool Protected { get; init; }
    public IReadOnlyList<string> GroupBy { get; init; } = [];
    /// <summary><c>quarter</c> or <c>year</c> when the cells are a trend's periods (then <see cref="GroupBy"/> starts with period).</summary>
    public string? Interval { get; init; }

    /// <summary>
    /// Whether a cell may hold datapoints of several equity bases, and so reports its count per
    /// basis: unless the query groups by basis or filters one.
    /// </summary>
    public bool CellsMayMixBases => EquityBases.Count != 1 && !GroupBy.Contains(GroupKeys.EquityBasis);

    /// <summary>
    /// Whether a cell may hold several employers' datapoints (<see cref="Disclosure.SpansEmployers"/>).
    /// A cut narrowed by employer attributes or an exclusion spans employers however many remain,
    /// unless the <c>employer</c> filter names one. A company-weighted cell always does: its values
    /// are employers' medians, so it needs the employer minimum even when they are one employer's.
    /// </summary>
    public bool CellsSpanEmployers => Weighting == Weighting.Company || Disclosure.SpansEmployers(EmployersNarrowed ? NamedEmployers : EmployerIds.Count, GroupBy.Contains(GroupKeys.Employer));
}
