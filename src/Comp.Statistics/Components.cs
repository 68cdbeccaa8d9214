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
        Component.Base or Component.Total or Component.Year1 => null,
        _ => throw new ArgumentOutOfRangeException(nameof(component), component, null),
    };

    /// <summary>A grant's annual value: the grant over its vesting years.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Annual<T>(T grant, int vestingYears) where T : INumberBase<T> => grant / T.CreateChecked(vestingYears);

    /// <summary>
    /// The component's annual value from a package's annual amounts (an absent amount as 0), summed
    /// in this order: base + bonus + equity + retention (+ sign-on for year1). The one definition
    /// every band source computes with, in <c>double</c> as PostgreSQL's float8, and the decimal
    /// reference <see cref="Value"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Of<T>(Component component, T baseSalary, T bonus, T equity, T retention, T signOn) where T : INumberBase<T> => component switch
    {
        Component.Base => baseSalary,
        Component.Bonus => bonus,
        Component.Equity => equity,
        Component.Retention => retention,
        Component.Signon => signOn,
        Component.Total => baseSalary + bonus + equity + retention,
        Component.Year1 => baseSalary + bonus + equity + retention + signOn,
        _ => throw new ArgumentOutOfRangeException(nameof(component), component, null),
    };

    /// <summary>
    /// The component's annual value for a package, or null when the package lacks the amount the
    /// component requires (<see cref="Required"/>).
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
        return missing ? null : Of(component, p.BaseSalary, p.TargetBonus ?? 0, equity ?? 0, retention ?? 0, p.SignOnBonus ?? 0);
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
