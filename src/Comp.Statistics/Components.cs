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
    /// <summary>total + sign-on.</summary>
    Year1,
}

/// <summary>One person's package as stored: amounts exactly as given, in one currency.</summary>
public readonly record struct PayPackage(
    decimal BaseSalary,
    decimal? TargetBonus,
    decimal? SignOnBonus,
    decimal? EquityGrant,
    int EquityVestingYears,
    decimal? RetentionGrant,
    int RetentionVestingYears);

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
    /// The component's annual value for a package, or null when the package has no such amount:
    /// a band over bonus, equity, retention or sign-on counts only packages that carry it, while
    /// total and year1 count missing amounts as 0.
    /// </summary>
    public static decimal? Value(Component component, in PayPackage p) => component switch
    {
        Component.Base => p.BaseSalary,
        Component.Bonus => p.TargetBonus,
        Component.Equity => p.EquityGrant / p.EquityVestingYears,
        Component.Retention => p.RetentionGrant / p.RetentionVestingYears,
        Component.Signon => p.SignOnBonus,
        Component.Total => Total(p),
        Component.Year1 => Total(p) + (p.SignOnBonus ?? 0),
        _ => throw new ArgumentOutOfRangeException(nameof(component), component, null),
    };

    private static decimal Total(in PayPackage p) =>
        p.BaseSalary
        + (p.TargetBonus ?? 0)
        + (p.EquityGrant ?? 0) / p.EquityVestingYears
        + (p.RetentionGrant ?? 0) / p.RetentionVestingYears;
}
