using System.Globalization;

namespace Comp.Statistics;

/// <summary>
/// Vesting schedules (SPEC §1): a grant's yearly percentages in vesting order, e.g. Amazon's
/// 5/15/40/40 or Google's front-loaded 33/33/22/12. A schedule's length is its grant's vesting
/// years; a grant without one vests evenly over its vesting years.
/// </summary>
public static class Vesting
{
    public const int MaxYears = 10;

    /// <summary>How far a schedule's sum may be from 100 (percent).</summary>
    public const decimal SumTolerance = 0.01m;

    /// <summary>Decimal places a yearly percentage may have (the column holds numeric(7,4)).</summary>
    public const int MaxDecimals = 4;

    /// <summary>Why <paramref name="schedule"/> cannot be a schedule; null when it can.</summary>
    public static string? Problem(IReadOnlyList<decimal> schedule)
    {
        if (schedule.Count is < 1 or > MaxYears)
            return $"A schedule has 1 to {MaxYears} yearly percentages, e.g. [25, 25, 25, 25]; this one has {schedule.Count}.";
        if (schedule.Any(p => p < 0 || p > 100))
            return "Each yearly percentage is from 0 to 100.";
        if (schedule.Any(p => p != decimal.Round(p, MaxDecimals)))
            return $"Each yearly percentage has at most {MaxDecimals} decimal places.";
        var sum = schedule.Sum();
        if (Math.Abs(sum - 100) > SumTolerance)
            return $"The yearly percentages sum to {sum.ToString(CultureInfo.InvariantCulture)}; they must sum to 100 (within {SumTolerance.ToString(CultureInfo.InvariantCulture)}).";
        return null;
    }

    /// <summary>
    /// What year <paramref name="year"/> (from 1) vests of a grant, as a multiple of its annual value
    /// (grant / <paramref name="years"/>): for a schedule, years × schedule[year] / 100 (so that
    /// annual × share = grant × schedule[year] / 100), 0 past its end; without one (even vesting),
    /// exactly 1 for each of the vesting years and 0 after. Computed in double in this order, as
    /// PostgreSQL computes <c>years * s::float8 / 100</c>.
    /// </summary>
    public static double Share(double[]? schedule, int years, int year)
    {
        if (schedule is null)
            return year <= years ? 1.0 : 0.0;
        return year <= schedule.Length ? (double)years * schedule[year - 1] / 100 : 0.0;
    }

    /// <summary>The rule of the yearK components, for methodology text.</summary>
    public static string Rule =>
        "year1-year4: base + bonus + each grant x its schedule's percentage for that year / 100 (+ sign-on in year 1; 0 past the schedule's end), " +
        "a grant's schedule being its datapoint's own, else its employer's default of the same length, else even over its vesting years " +
        "(computed as annual value x years x percentage / 100, so that even vesting gives year1 = total + sign-on exactly)";

    /// <summary>A schedule as text: its percentages joined by slashes, e.g. <c>33/33/22/12</c>.</summary>
    public static string Describe(IEnumerable<double> schedule) =>
        string.Join('/', schedule.Select(p => p.ToString("0.####", CultureInfo.InvariantCulture)));

    /// <inheritdoc cref="Describe(IEnumerable{double})"/>
    public static string Describe(IEnumerable<decimal> schedule) =>
        string.Join('/', schedule.Select(p => p.ToString("0.####", CultureInfo.InvariantCulture)));

    /// <summary>
    /// Reads a schedule written as text: percentages separated by slashes, commas, semicolons or
    /// spaces, each with an optional <c>%</c>, the whole optionally in brackets (<c>33/33/22/12</c>,
    /// <c>[5, 15, 40, 40]</c>, <c>25% 25% 25% 25%</c>). False, with the reason, when it is not one
    /// or breaks a rule of <see cref="Problem"/>.
    /// </summary>
    public static bool TryParse(string text, out decimal[] schedule, out string? error)
    {
        schedule = [];
        var trimmed = text.Trim().TrimStart('[', '(').TrimEnd(']', ')');
        var parts = trimmed.Split(['/', ',', ';', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var values = new decimal[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!decimal.TryParse(parts[i].TrimEnd('%'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out values[i]))
            {
                error = $"'{parts[i]}' is not a yearly percentage";
                return false;
            }
        }
        error = Problem(values);
        if (error is not null)
            return false;
        schedule = values;
        return true;
    }
}
