using System.Numerics;
using System.Runtime.CompilerServices;

namespace Comp.Statistics;

/// <summary>The pay components a band can be taken over (the <c>component</c> parameter).</summary>
public enum Component
{
    /// <summary>Annual base salary.</summary>
    Base,
    /// <summary>Annual target cash bonus.</summary>
    Bonus,
    /// <summary>Equity grant divided by its vesting years.</summary>
    Equity,
    /// <summary>Retention grant divided by its vesting years.</summary>
    Retention,
    /// <summary>One-time sign-on bonus.</summary>
    Signon,
    /// <summary>base + bonus + equity + retention (sign-on excluded).</summary>
    Total,
    /// <summary>What the first year pays: base + bonus + each grant's first-year vesting + sign-on.</summary>
    Year1,
    // Appended, not inserted: a component's code names its protected releases' noise.
    /// <summary>What the second year pays: base + bonus + each grant's second-year vesting.</summary>
    Year2,
    /// <summary>What the third year pays: base + bonus + each grant's third-year vesting.</summary>
    Year3,
    /// <summary>What the fourth year pays: base + bonus + each grant's fourth-year vesting.</summary>
    Year4,
}

/// <summary>
/// One person's package as stored: amounts exactly as given, in one currency. A grant without a
/// schedule vests evenly over its vesting years; a schedule's length is its vesting years.
/// </summary>
public readonly record struct PayPackage(
    decimal BaseSalary,
    decimal? TargetBonus,
    decimal? SignOnBonus,
    decimal? EquityGrant,
    int EquityVestingYears,
    decimal? RetentionGrant,
    int RetentionVestingYears,
    IReadOnlyList<decimal>? EquityVestingSchedule = null,
    IReadOnlyList<decimal>? RetentionVestingSchedule = null);

public static class Components
{
    /// <summary>Vesting years assumed when a grant comes without them.</summary>
    public const int DefaultVestingYears = 4;

    public static IReadOnlyList<string> Names { get; } = Enum.GetValues<Component>().Select(Name).ToArray();

    /// <summary>The wire name of a component: <c>Base</c> → <c>base</c>.</summary>
    public static string Name(Component component) => component.ToString().ToLowerInvariant();

    public static bool TryParse(string? text, out Component component)
    {
        component = Component.Total;
        if (string.IsNullOrEmpty(text))
            return true;
        foreach (var candidate in Enum.GetValues<Component>())
        {
            if (string.Equals(Name(candidate), text, StringComparison.Ordinal))
            {
                component = candidate;
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The optional amount a band over <paramref name="component"/> needs: a band over bonus,
    /// equity, retention or sign-on counts only packages that carry it; base, total and year1 need
    /// none (missing amounts count as 0).
    /// </summary>
    public static Amount? Required(Component component) => component switch
    {
        Component.Bonus => Amount.Bonus,
        Component.Equity => Amount.Equity,
        Component.Retention => Amount.Retention,
        Component.Signon => Amount.Signon,
        Component.Base or Component.Total or Component.Year1 or Component.Year2 or Component.Year3 or Component.Year4 => null,
        _ => throw new ArgumentOutOfRangeException(nameof(component), component, null),
    };

    /// <summary>A grant's annual value: the grant over its vesting years.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Annual<T>(T grant, int vestingYears) where T : INumberBase<T> => grant / T.CreateChecked(vestingYears);

    /// <summary>The year K (1–4) a <c>yearK</c> component pays for; 0 for every other component.</summary>
    public static int YearOf(Component component) => component switch
    {
        Component.Year1 => 1,
        Component.Year2 => 2,
        Component.Year3 => 3,
        Component.Year4 => 4,
        _ => 0,
    };

    /// <summary>
    /// The component's value from a package's annual amounts (an absent amount as 0), summed in
    /// this order: base + bonus + equity + retention for total; base + bonus + equity × equityShare
    /// + retention × retentionShare (+ sign-on in year 1) for yearK, where a share is what year K
    /// vests of the grant relative to its annual value (<see cref="Vesting.Share"/>: exactly 1 for
    /// every year of even vesting, so year1 is total + sign-on to the bit). The one definition every
    /// band source computes with, in <c>double</c> as PostgreSQL's float8, and the decimal reference
    /// <see cref="Value"/>. The shares are read only for yearK.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Of<T>(Component component, T baseSalary, T bonus, T equity, T retention, T signOn, T equityShare, T retentionShare)
        where T : INumberBase<T> => component switch
    {
        Component.Base => baseSalary,
        Component.Bonus => bonus,
        Component.Equity => equity,
        Component.Retention => retention,
        Component.Signon => signOn,
        Component.Total => baseSalary + bonus + equity + retention,
        Component.Year1 => baseSalary + bonus + equity * equityShare + retention * retentionShare + signOn,
        Component.Year2 or Component.Year3 or Component.Year4 => baseSalary + bonus + equity * equityShare + retention * retentionShare,
        _ => throw new ArgumentOutOfRangeException(nameof(component), component, null),
    };

    /// <summary>
    /// The component's value for a package, or null when the package lacks the amount the
    /// component requires (<see cref="Required"/>). Exact decimal arithmetic: yearK adds
    /// grant × schedule[K] / 100 for a schedule, grant / years for each year of even vesting.
    /// </summary>
    public static decimal? Value(Component component, in PayPackage p)
    {
        decimal? equity = p.EquityGrant is { } e ? Annual(e, p.EquityVestingYears) : null;
        decimal? retention = p.RetentionGrant is { } r ? Annual(r, p.RetentionVestingYears) : null;
        var missing = Required(component) switch
        {
            Amount.Bonus => p.TargetBonus is null,
            Amount.Equity => equity is null,
            Amount.Retention => retention is null,
            Amount.Signon => p.SignOnBonus is null,
            _ => false,
        };
        if (missing)
            return null;
        var year = YearOf(component);
        if (year == 0)
            return Of(component, p.BaseSalary, p.TargetBonus ?? 0, equity ?? 0, retention ?? 0, p.SignOnBonus ?? 0, 1m, 1m);
        return p.BaseSalary + (p.TargetBonus ?? 0)
            + Vested(p.EquityGrant, p.EquityVestingYears, p.EquityVestingSchedule, year)
            + Vested(p.RetentionGrant, p.RetentionVestingYears, p.RetentionVestingSchedule, year)
            + (year == 1 ? p.SignOnBonus ?? 0 : 0);

        static decimal Vested(decimal? grant, int years, IReadOnlyList<decimal>? schedule, int year) => grant is not { } g ? 0
            : schedule is null ? (year <= years ? g / years : 0)
            : year <= schedule.Count ? g * schedule[year - 1] / 100 : 0;
    }
}

/// <summary>The optional amounts of a package.</summary>
public enum Amount
{
    Bonus,
    Equity,
    Retention,
    Signon,
}
