namespace Comp.Statistics;

/// <summary>How a datapoint's equity is valued (<c>equityBasis</c>, SPEC §1); absent when unknown.</summary>
public static class EquityBases
{
    public static readonly IReadOnlyList<string> All =
        ["public_rsu", "private_rsu_preferred", "private_rsu_409a", "options_spread", "profit_units", "cash_lti"];

    /// <summary>The name a datapoint without a basis is counted under in a cell's count per basis.</summary>
    public const string Unknown = "unknown";

    public static bool IsKnown(string? basis) => basis is not null && All.Contains(basis);

    /// <summary>A basis's code: 0 for none (unknown), 1 + its place in <see cref="All"/>; -1 for a name not in it.</summary>
    public static int Code(string? basis) => basis is null ? 0 : All is IList<string> list && list.IndexOf(basis) is >= 0 and var i ? i + 1 : -1;

    /// <summary>The name of a code of <see cref="Code"/>: null for 0.</summary>
    public static string? Name(int code) => code == 0 ? null : All[code - 1];

    /// <summary>How many codes there are: unknown and every basis.</summary>
    public static int Codes => All.Count + 1;
}

/// <summary>What kind of package a datapoint is (<c>packageType</c>, SPEC §1).</summary>
public static class PackageTypes
{
    public static readonly IReadOnlyList<string> All = ["new_hire", "current", "retention", "promotion", "acquisition"];

    /// <summary>A datapoint that does not say is a new hire's offer.</summary>
    public const string Default = "new_hire";

    public static bool IsKnown(string? type) => type is not null && All.Contains(type);

    /// <summary>A type's place in <see cref="All"/>; -1 for a name not in it.</summary>
    public static int Code(string type) => All is IList<string> list ? list.IndexOf(type) : -1;
}
