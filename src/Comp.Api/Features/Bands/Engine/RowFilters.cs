using Comp.Statistics;

namespace Comp.Api.Features.Bands.Engine;

/// <summary>
/// A query's filters in the data's codes: which codes of each dimension pass (null: not filtered),
/// day bounds, the flag bits a row must have, and numeric ranges. <see cref="For"/> is null when a
/// filter names only values no datapoint has: nothing can match.
/// </summary>
internal sealed class RowFilters
{
    public DimensionMask? Roles { get; private init; }
    public DimensionMask? Levels { get; private init; }
    public DimensionMask? Regions { get; private init; }
    public DimensionMask? Sources { get; private init; }
    /// <summary>Equity basis codes that pass (<see cref="EquityBases.Code"/>); null when not filtered.</summary>
    public bool[]? Bases { get; private init; }
    /// <summary>Package type codes that pass (<see cref="PackageTypes.Code"/>); null when not filtered.</summary>
    public bool[]? Packages { get; private init; }
    /// <summary>Employer codes that pass, by code; null when not filtered.</summary>
    public bool[]? Employers { get; private init; }
    public int FromDay { get; private init; } = int.MinValue;
    public int ToDay { get; private init; } = int.MaxValue;
    /// <summary>-1: any; 0: unverified only; 1: verified only.</summary>
    public int Verified { get; private init; } = -1;
    /// <summary>The flag bit the component's required amount sets (0: none required).</summary>
    public byte Required { get; private init; }
    /// <summary>Each range's column and bounds (NaN never passes).</summary>
    public (float[] Column, float Min, float Max)[] Ranges { get; private init; } = [];

    public static RowFilters? For(IndexData data, BandQuery query)
    {
        if (query.MatchesNoEmployer)
            return null;
        var filters = new RowFilters
        {
            Roles = DimensionMask.Of(data.Roles, query.Roles, 0),
            Levels = DimensionMask.Of(data.Levels, query.Levels, 1),
            Regions = DimensionMask.Of(data.Regions, query.Regions, 0),
            Sources = DimensionMask.Of(data.Sources, query.Sources, 0),
            Bases = VocabularyMask(query.EquityBases, EquityBases.Codes, EquityBases.Code),
            Packages = VocabularyMask(query.PackageTypes, PackageTypes.All.Count, PackageTypes.Code),
            Employers = EmployerMask(data, query),
            FromDay = query.From is { } from ? Days.Of(from) : int.MinValue,
            ToDay = query.To is { } to ? Days.Of(to) : int.MaxValue,
            Verified = query.Verified is { } v ? (v ? 1 : 0) : -1,
            Required = IndexData.FlagOf(Components.Required(query.Component)),
            Ranges = query.Ranges.Select(r => (data.RangeColumn(r.Column), (float)(r.Min ?? double.NegativeInfinity), (float)(r.Max ?? double.PositiveInfinity))).ToArray(),
        };
        if (filters.Roles is { Any: false } || filters.Levels is { Any: false } || filters.Regions is { Any: false } || filters.Sources is { Any: false })
            return null;
        return filters;
    }

    /// <summary>The codes of a fixed vocabulary that a filter lets through (the validator lets only known values in).</summary>
    private static bool[]? VocabularyMask(IReadOnlyList<string> values, int codes, Func<string, int> code)
    {
        if (values.Count == 0)
            return null;
        var ok = new bool[codes];
        foreach (var value in values)
            ok[code(value)] = true;
        return ok;
    }

    /// <summary>
    /// The employers named (their codes pass), or every employer but the excluded ones. Read under
    /// the data's read lock, every row's employer code is below <see cref="IndexData.Employers"/>.
    /// </summary>
    private static bool[]? EmployerMask(IndexData data, BandQuery query)
    {
        if (query.EmployerIds.Count > 0)
        {
            var ok = new bool[Math.Max(1, data.Employers)];
            foreach (var id in query.EmployerIds)
                if (data.TryEmployerCode(id, out var code))
                    ok[code] = true;
            return ok;
        }
        if (query.ExcludedEmployerIds.Count > 0)
        {
            var ok = new bool[Math.Max(1, data.Employers)];
            Array.Fill(ok, true);
            foreach (var id in query.ExcludedEmployerIds)
                if (data.TryEmployerCode(id, out var code))
                    ok[code] = false;
            return ok;
        }
        return null;
    }
}

/// <summary>Which codes of a dimension a filter lets through, as a lookup by code (plus an offset) and as a list.</summary>
internal sealed record DimensionMask(bool[] Ok, List<int> Codes)
{
    public bool Any => Codes.Count > 0;

    /// <summary>Null when <paramref name="values"/> is empty (the dimension is not filtered).</summary>
    public static DimensionMask? Of(Dimension dimension, IReadOnlyList<string> values, int offset)
    {
        if (values.Count == 0)
            return null;
        var ok = new bool[dimension.Count + offset];
        var codes = new List<int>();
        foreach (var value in values)
        {
            // A code past the count read above was added since: no row visible to this query has it.
            if (dimension.TryGet(value, out var code) && code + offset < ok.Length)
            {
                ok[code + offset] = true;
                codes.Add(code);
            }
        }
        return new DimensionMask(ok, codes);
    }
}
