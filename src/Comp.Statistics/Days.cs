namespace Comp.Statistics;

/// <summary>
/// Effective dates as day numbers: days since <see cref="Zero"/> (2000-01-01). Band data holds and
/// sums dates in this form (a cell's mean date, aging, FX periods, date filters).
/// </summary>
public static class Days
{
    /// <summary>The length of a year in days, for aging and data age.</summary>
    public const double PerYear = 365.25;

    /// <summary>Day 0.</summary>
    public static readonly DateOnly Zero = new(2000, 1, 1);

    public static int Of(DateOnly date) => date.DayNumber - Zero.DayNumber;

    public static DateOnly Date(int day) => Zero.AddDays(day);

    /// <summary>Years from <paramref name="from"/> to <paramref name="to"/> (negative when earlier).</summary>
    public static double Years(DateOnly from, DateOnly to) => (to.DayNumber - from.DayNumber) / PerYear;

    /// <summary>The mean of <paramref name="count"/> dates summed as day numbers (rounded toward day 0); null for none.</summary>
    public static DateOnly? Mean(long daySum, int count) => count == 0 ? null : Date((int)(daySum / count));
}

/// <summary>
/// How a value is moved from its effective date to <c>agedTo</c> (SPEC §3): value × (1 + r)^(days / 365.25),
/// after currency conversion, r being <c>Aging:AnnualRate</c>.
/// </summary>
public static class Aging
{
    /// <summary>The factor that ages a value by <paramref name="days"/> (negative: back in time) at <paramref name="annualRate"/>.</summary>
    public static double Factor(double annualRate, int days) => Math.Pow(1 + annualRate, days / Days.PerYear);

    /// <summary>The rule as responses state it in <c>methodology</c>.</summary>
    public static string Describe(double annualRate) =>
        "aging (agedTo): value x (1 + " + annualRate.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")^(days / 365.25) after conversion";
}

/// <summary>The periods of a trend (<c>interval</c>): calendar years (<c>2024</c>) or quarters (<c>2024-Q2</c>).</summary>
public static class Periods
{
    public const string Year = "year";

    /// <summary>The first day of <paramref name="date"/>'s quarter (the protected tier's date bounds snap to quarters).</summary>
    public static DateOnly QuarterStart(DateOnly date) => new(date.Year, (date.Month - 1) / 3 * 3 + 1, 1);

    /// <summary>The last day of <paramref name="date"/>'s quarter.</summary>
    public static DateOnly QuarterEnd(DateOnly date) =>
        date.Year == DateOnly.MaxValue.Year && date.Month > 9 ? DateOnly.MaxValue : QuarterStart(date).AddMonths(3).AddDays(-1);

    /// <summary>A trend's interval when none is asked for.</summary>
    public const string Default = Year;
    public const string Quarter = "quarter";

    public static bool IsKnown(string? interval) => interval is Year or Quarter;

    /// <summary>A period's ordinal: the year, or year × 4 + the quarter's index (0–3). Later periods have larger ordinals.</summary>
    public static int Ordinal(DateOnly date, string interval) =>
        interval == Quarter ? date.Year * 4 + (date.Month - 1) / 3 : date.Year;

    /// <summary>The label of a period's ordinal: <c>2024</c> or <c>2024-Q2</c>; labels sort as their periods do.</summary>
    public static string Label(int ordinal, string interval) =>
        interval == Quarter
            ? FormattableString.Invariant($"{ordinal / 4}-Q{ordinal % 4 + 1}")
            : ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The order of a band's cells: by their group labels in turn, ordinal (culture-free), a missing label last.</summary>
public static class CellOrder
{
    public static int Compare(IReadOnlyList<string?> a, IReadOnlyList<string?> b)
    {
        for (var i = 0; i < a.Count; i++)
        {
            if (a[i] == b[i])
                continue;
            if (a[i] is null)
                return 1;
            if (b[i] is null)
                return -1;
            var c = string.CompareOrdinal(a[i], b[i]);
            if (c != 0)
                return c;
        }
        return 0;
    }
}
